/**
 * interlock's library entry for Node: the engine plus file helpers. Browser code imports
 * `./engine.js` directly.
 */
export * from './engine.js';
export { readModelFile } from './node/files.js';
