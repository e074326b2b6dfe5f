/** SQLite specifics; the behaviour shared with PostgreSQL is tested in store.test.ts on both. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDocument } from '../evidence/testing-fixtures.js';
import { openSqliteStore } from './sqlite.js';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'interlock-store-'));
  dbPath = join(dir, 'evidence.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store', () => {
  it('uses WAL', async () => {
    const store = await openSqliteStore(dbPath);
    await store.importDocument(sampleDocument());
    await store.close();
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is not a database, a missing file when one must exist, and a directory', async () => {
    const text = join(dir, 'notes.db');
    writeFileSync(
      text,
      'this is not sqlite, just some text that is long enough to have a header\n'.repeat(20),
    );
    await expect(openSqliteStore(text)).rejects.toThrow(/not an SQLite database/);
    await expect(openSqliteStore(join(dir, 'missing.db'), { mustExist: true })).rejects.toThrow(
      /no evidence database/,
    );
    await expect(openSqliteStore(dir)).rejects.toThrow(/it is a directory/);
  });
});
