import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeEvidence, type EvidenceDocument } from '../evidence/data.js';
import { sampleDocument } from '../evidence/testing-fixtures.js';
import { MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite.js';
import { StoreDataError, StoreError } from './store.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'interlock-store-'));
  dbPath = join(dir, 'evidence.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function exportText(path = dbPath): Promise<string> {
  const store = await openSqliteStore(path, { mustExist: true });
  try {
    return serializeEvidence(await store.exportDocument());
  } finally {
    await store.close();
  }
}

async function importDoc(doc: EvidenceDocument, path = dbPath) {
  const store = await openSqliteStore(path);
  try {
    return await store.importDocument(doc);
  } finally {
    await store.close();
  }
}

describe('SQLite store', () => {
  it('round-trips: export -> import into a new database -> export is byte-identical', async () => {
    await importDoc(sampleDocument());
    const first = await exportText();
    expect(first).toBe(serializeEvidence(sampleDocument()));
    const second = join(dir, 'second.db');
    await importDoc(JSON.parse(first) as EvidenceDocument, second);
    expect(await exportText(second)).toBe(first);
  });

  it('uses WAL and records its schema version once, however often it is opened', async () => {
    await importDoc(sampleDocument());
    await importDoc(sampleDocument());
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    db.close();
  });

  it('round-trips measures, briefings, undated reports and arguments', async () => {
    const doc = sampleDocument();
    doc.estimates[0]!.measure = 'present';
    doc.estimates[0]!.briefing = 'a-2024-01-01';
    doc.estimates[1]!.measure = 'cumulative-sent';
    const undated = doc.reports[3]!;
    delete undated.published;
    undated.undated = true;
    undated.note = 'the page carries no date';
    doc.hypothesisSets[0]!.evidence[0]!.argument = true;
    await importDoc(doc);
    const text = await exportText();
    expect(text).toBe(serializeEvidence(doc));
    const back = JSON.parse(text) as EvidenceDocument;
    expect(back.estimates[0]).toMatchObject({ measure: 'present', briefing: 'a-2024-01-01' });
    expect(back.reports.find((r) => r.id === 'rep-4')).toMatchObject({ undated: true });
    expect(back.reports.find((r) => r.id === 'rep-4')!.published).toBeUndefined();
    expect(back.hypothesisSets[0]!.evidence[0]!.argument).toBe(true);
    const db = new Database(dbPath, { readonly: true });
    // The schema itself refuses what validation refuses: a measure outside the list.
    const rw = new Database(dbPath);
    expect(() => rw.prepare("UPDATE estimates SET measure = 'guessed' WHERE id = 'est-1'").run()).toThrow(
      /CHECK constraint/,
    );
    expect(() => rw.prepare("UPDATE reports SET published = '2024-01-01' WHERE id = 'rep-4'").run()).toThrow(
      /CHECK constraint/,
    );
    rw.close();
    db.close();
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

  it('merges by id: a re-imported hypothesis set replaces its ratings, other rows stay', async () => {
    await importDoc(sampleDocument());
    const changed = sampleDocument();
    changed.estimates = [];
    changed.hypothesisSets[0]!.ratings = changed.hypothesisSets[0]!.ratings.slice(0, 1);
    changed.forecastQuestions = [];
    changed.indicators = [];
    const summary = await importDoc(changed);
    expect(summary.total.estimates).toBe(4);
    expect(summary.total.ratings).toBe(1);
    expect(summary.total.forecasts).toBe(2);
  });

  it('a failed import changes nothing', async () => {
    await importDoc(sampleDocument());
    const before = await exportText();
    // Make the database itself refuse one row late in the import, after earlier rows were written.
    const db = new Database(dbPath);
    db.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON forecasts WHEN NEW.analyst = 'saboteur'
             BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    db.close();
    const doc = sampleDocument();
    doc.sources.push({ id: 'src-new', name: 'New', kind: 'think-tank', reliability: 'A' });
    doc.estimates[0]!.value = 999;
    doc.forecastQuestions[0]!.forecasts.push({ analyst: 'saboteur', date: '2024-03-01', probability: 0.5 });
    await expect(importDoc(doc)).rejects.toThrow(/failed and changed nothing: refused by test trigger/);
    expect(await exportText()).toBe(before);
  });

  it('refuses to import an invalid document and names the path', async () => {
    const doc = sampleDocument();
    (doc.sources[0] as { reliability: string }).reliability = 'Q';
    const err = await importDoc(doc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreDataError);
    expect((err as StoreDataError).issues[0]!.path).toBe('$.sources[0].reliability');
  });

  it('reports a corrupt row written directly with SQL, naming table, row and field', async () => {
    await importDoc(sampleDocument());
    const db = new Database(dbPath);
    db.pragma('ignore_check_constraints = ON');
    db.prepare("UPDATE sources SET reliability = 'Z' WHERE id = 'src-b'").run();
    db.close();
    const store = await openSqliteStore(dbPath, { mustExist: true });
    const err = await store.exportDocument().catch((e: unknown) => e);
    await store.close();
    expect(err).toBeInstanceOf(StoreDataError);
    const message = (err as Error).message;
    expect(message).toContain('$.sources[1].reliability');
    expect(message).toContain("'Z' is not an Admiralty reliability grade");
    expect(message).toContain("table sources, row id 'src-b'");
  });

  it('reports a corrupt JSON column', async () => {
    await importDoc(sampleDocument());
    const db = new Database(dbPath);
    db.prepare("UPDATE reports SET urls = '[not json' WHERE id = 'rep-1'").run();
    db.close();
    const store = await openSqliteStore(dbPath, { mustExist: true });
    await expect(store.exportDocument()).rejects.toThrow(
      "table reports, row id 'rep-1', column urls is not valid JSON",
    );
    await store.close();
  });

  it('refuses a file that is not a database, a missing file when one must exist, and a newer schema', async () => {
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
    await importDoc(sampleDocument());
    const db = new Database(dbPath);
    db.prepare("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')").run();
    db.close();
    const err = await openSqliteStore(dbPath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain('schema version 99');
  });

  it('two processes importing into one WAL database at once lose nothing', async () => {
    const rounds = 25;
    const worker = join(dir, 'worker.mts');
    const storeModule = pathToFileURL(join(REPO, 'src/store/sqlite.ts')).href;
    writeFileSync(
      worker,
      `import { openSqliteStore } from ${JSON.stringify(storeModule)};
const [db, tag, rounds] = process.argv.slice(2);
for (let i = 0; i < Number(rounds); i++) {
  // Open per round, as separate CLI invocations would.
  const store = await openSqliteStore(db);
  const report = 'rep-' + tag + '-' + i;
  await store.importDocument({
    format: 'interlock-evidence', version: 1,
    sources: [{ id: 'src-shared', name: 'Shared', kind: 'press', reliability: 'C' }],
    reports: [{ id: report, source: 'src-shared', published: '2024-01-01', claim: 'c', credibility: 3 }],
    estimates: [0, 1, 2, 3].map((k) => ({ id: 'est-' + tag + '-' + i + '-' + k, quantity: 'x.count', value: k,
      unit: 'u', asOf: '2024-01-01', basis: 'observed', source: 'src-shared', report })),
    hypothesisSets: [], indicators: [], forecastQuestions: [],
  });
  await store.close();
}
`,
    );
    const run = (tag: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, dbPath, tag, String(rounds)], {
          cwd: REPO,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run('a'), run('b')]);
    expect(results).toEqual([
      { code: 0, stderr: '' },
      { code: 0, stderr: '' },
    ]);
    const store = await openSqliteStore(dbPath, { mustExist: true });
    const counts = await store.counts();
    await store.close();
    expect(counts.sources).toBe(1);
    expect(counts.reports).toBe(2 * rounds);
    expect(counts.estimates).toBe(2 * rounds * 4);
  });
});
