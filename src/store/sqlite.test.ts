/**
 * What only the SQLite back end has: WAL, CHECK constraints in the file's schema, migrating an
 * old file in place, files that are not databases. Everything the store does on both back ends
 * (round trips, merging, failed imports, corrupt rows, schema versions, two writers) is tested
 * once, against each, in store.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EvidenceDocument } from '../evidence/data.js';
import { sampleDocument } from '../evidence/testing-fixtures.js';
import { MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite.js';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'interlock-store-'));
  dbPath = join(dir, 'evidence.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function importDoc(doc: EvidenceDocument, path = dbPath) {
  const store = await openSqliteStore(path);
  try {
    return await store.importDocument(doc);
  } finally {
    await store.close();
  }
}

describe('SQLite store', () => {
  it('uses WAL', async () => {
    await importDoc(sampleDocument());
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('its schema refuses what validation refuses: a measure outside the list, an undated report with a date', async () => {
    const doc = sampleDocument();
    const undated = doc.reports[3]!;
    delete undated.published;
    undated.undated = true;
    undated.note = 'the page carries no date';
    await importDoc(doc);
    const rw = new Database(dbPath);
    expect(() => rw.prepare("UPDATE estimates SET measure = 'guessed' WHERE id = 'est-1'").run()).toThrow(
      /CHECK constraint/,
    );
    expect(() => rw.prepare("UPDATE reports SET published = '2024-01-01' WHERE id = 'rep-4'").run()).toThrow(
      /CHECK constraint/,
    );
    rw.close();
  });

  it('migrates a version-1 database in place, keeping its rows', async () => {
    const v1 = new Database(dbPath);
    v1.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT');
    v1.exec(MIGRATIONS[0]!.sql);
    v1.prepare('INSERT INTO schema_migrations (version, name) VALUES (1, ?)').run(MIGRATIONS[0]!.name);
    v1.exec(`INSERT INTO sources (id, name, kind, reliability) VALUES ('src-a', 'Agency A', 'government', 'B');
      INSERT INTO reports (id, source_id, published, claim, credibility) VALUES ('rep-1', 'src-a', '2024-01-01', 'c', 2);
      INSERT INTO estimates (id, quantity, value, unit, as_of, basis, source_id, report_id)
        VALUES ('est-1', 'x.count', 5, 'persons', '2024-01-01', 'observed', 'src-a', 'rep-1');`);
    v1.close();
    const store = await openSqliteStore(dbPath, { mustExist: true });
    const doc = await store.exportDocument();
    expect(await store.schemaVersion()).toBe(2);
    await store.close();
    expect(doc.reports).toEqual([
      { id: 'rep-1', source: 'src-a', published: '2024-01-01', claim: 'c', credibility: 2 },
    ]);
    expect(doc.estimates[0]).toMatchObject({ id: 'est-1', value: 5, report: 'rep-1' });
    expect(doc.estimates[0]!.measure).toBeUndefined();
  });

  it('refuses a file that is not a database, a directory, and a missing file when one must exist', async () => {
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
