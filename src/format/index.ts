export * from './number.js';
export * from './table.js';
