/**
 * interlock's library entry for Node: the engine, file helpers and the evidence base (with its
 * SQLite store). Browser code imports `./engine.js` or `./evidence/index.js` directly.
 */
export * from './engine.js';
export { readModelFile } from './node/files.js';
export * from './evidence/index.js';
export * from './store/store.js';
export { loadEvidenceDocument } from './store/evidence-file.js';
export { openSqliteStore, SqliteEvidenceStore, type SqliteOpenOptions } from './store/sqlite.js';
export { openPostgresStore, PostgresEvidenceStore, type PostgresOpenOptions } from './store/postgres.js';
export { openEvidenceStore, type OpenStoreOptions } from './store/open.js';
export * as experiments from './experiments/node.js';
export * as cases from './case/index.js';
