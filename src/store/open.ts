/**
 * Open the evidence store a location names: a `postgres://` URL selects PostgreSQL, anything
 * else is an SQLite file. Each back end is loaded only when asked for.
 */
import { isPostgresUrl } from './postgres-connection.js';
import type { EvidenceStore } from './store.js';

export interface OpenStoreOptions {
  /** Refuse a store that does not exist yet (commands that only read). */
  mustExist?: boolean;
}

export async function openEvidenceStore(
  location: string,
  options: OpenStoreOptions = {},
): Promise<EvidenceStore> {
  if (isPostgresUrl(location)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(location, options);
  }
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore(location, options);
}
