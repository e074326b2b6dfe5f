/**
 * The evidence store's behaviour, once, against both back ends: an SQLite file and a PostgreSQL
 * database (skipped with a message unless INTERLOCK_TEST_PG is set). Back-end specifics (WAL,
 * CHECK constraints, old files, files that are not databases; unreachable servers) are in
 * sqlite.test.ts and postgres.test.ts, and nothing here is repeated there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeEvidence, type EvidenceDocument } from '../evidence/data.js';
import { sampleDocument } from '../evidence/testing-fixtures.js';
import { openEvidenceStore } from './open.js';
import { TEST_PG_URL, execSql, freshDatabase } from './pg-testing.js';
import { StoreDataError, StoreError } from './store.js';
import { MIGRATIONS } from './migrations.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What the suite needs from a back end beyond the store interface. */
interface Backend {
  name: string;
  skip: boolean;
  /** A new, empty store location; `cleanup` removes it. */
  create(): Promise<{ location: string; cleanup(): Promise<void> }>;
  /** Refuse inserts into forecasts of analyst 'saboteur' (a failure late in an import). */
  addSabotageTrigger(location: string): Promise<void>;
  /** Run a statement with CHECK constraints of `table` out of the way (a row written by other tools). */
  corrupt(location: string, table: string, sql: string): Promise<void>;
  exec(location: string, sql: string): Promise<void>;
  schemaVersions(location: string): Promise<number[]>;
}

const sqlite: Backend = {
  name: 'SQLite',
  skip: false,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'interlock-store-'));
    return {
      location: join(dir, 'evidence.db'),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  async addSabotageTrigger(location) {
    const db = new Database(location);
    db.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON forecasts WHEN NEW.analyst = 'saboteur'
             BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    db.close();
  },
  async corrupt(location, _table, sql) {
    const db = new Database(location);
    db.pragma('ignore_check_constraints = ON');
    db.exec(sql);
    db.close();
  },
  async exec(location, sql) {
    const db = new Database(location);
    db.exec(sql);
    db.close();
  },
  async schemaVersions(location) {
    const db = new Database(location, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[];
    db.close();
    return rows.map((r) => r.version);
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  skip: !TEST_PG_URL,
  async create() {
    const db = await freshDatabase('interlock_store');
    return { location: db.url, cleanup: db.drop };
  },
  async addSabotageTrigger(location) {
    await execSql(
      location,
      `CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.analyst = 'saboteur' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$;
       CREATE TRIGGER refuse_bad BEFORE INSERT ON forecasts FOR EACH ROW EXECUTE FUNCTION refuse_bad();`,
    );
  },
  async corrupt(location, table, sql) {
    // Drop the table's CHECK constraints, as a hand-made schema or another tool might have.
    const found = await execSql(
      location,
      `SELECT conname FROM pg_constraint WHERE conrelid = '${table}'::regclass AND contype = 'c'`,
    );
    const drops = (found[0]!.rows as { conname: string }[])
      .map((r) => `ALTER TABLE ${table} DROP CONSTRAINT "${r.conname}";`)
      .join('\n');
    await execSql(location, `${drops}\n${sql}`);
  },
  async exec(location, sql) {
    await execSql(location, sql);
  },
  async schemaVersions(location) {
    const r = await execSql(location, 'SELECT version FROM schema_migrations ORDER BY version');
    return (r[0]!.rows as { version: number }[]).map((x) => x.version);
  },
};

for (const backend of [sqlite, postgres]) {
  describe.skipIf(backend.skip)(`evidence store on ${backend.name}`, () => {
    let location: string;
    let cleanup: () => Promise<void>;
    const extra: (() => Promise<void>)[] = [];

    beforeEach(async () => {
      ({ location, cleanup } = await backend.create());
    });
    afterEach(async () => {
      await cleanup();
      for (const c of extra.splice(0)) await c();
    });

    async function exportText(at = location): Promise<string> {
      const store = await openEvidenceStore(at, { mustExist: true });
      try {
        return serializeEvidence(await store.exportDocument());
      } finally {
        await store.close();
      }
    }

    async function importDoc(doc: EvidenceDocument, at = location) {
      const store = await openEvidenceStore(at);
      try {
        return await store.importDocument(doc);
      } finally {
        await store.close();
      }
    }

    it('round-trips: export -> import into a new store -> export is byte-identical', async () => {
      await importDoc(sampleDocument());
      const first = await exportText();
      expect(first).toBe(serializeEvidence(sampleDocument()));
      const second = await backend.create();
      extra.push(second.cleanup);
      await importDoc(JSON.parse(first) as EvidenceDocument, second.location);
      expect(await exportText(second.location)).toBe(first);
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
    });

    it('records its schema version once, however often it is opened', async () => {
      await importDoc(sampleDocument());
      await importDoc(sampleDocument());
      expect(await backend.schemaVersions(location)).toEqual(MIGRATIONS.map((m) => m.version));
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
      const store = await openEvidenceStore(location, { mustExist: true });
      expect(await store.counts()).toEqual(summary.total);
      await store.close();
    });

    it('a failed import changes nothing', async () => {
      await importDoc(sampleDocument());
      const before = await exportText();
      // Make the database itself refuse one row late in the import, after earlier rows were written.
      await backend.addSabotageTrigger(location);
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
      await backend.corrupt(location, 'sources', "UPDATE sources SET reliability = 'Z' WHERE id = 'src-b'");
      const store = await openEvidenceStore(location, { mustExist: true });
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
      await backend.exec(location, "UPDATE reports SET urls = '[not json' WHERE id = 'rep-1'");
      const store = await openEvidenceStore(location, { mustExist: true });
      await expect(store.exportDocument()).rejects.toThrow(
        "table reports, row id 'rep-1', column urls is not valid JSON",
      );
      await store.close();
    });

    it('refuses a newer schema and, for readers, a store that does not exist yet', async () => {
      await expect(openEvidenceStore(location, { mustExist: true })).rejects.toThrow(
        /no evidence (database|base)/,
      );
      await importDoc(sampleDocument());
      await backend.exec(location, "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')");
      const err = await openEvidenceStore(location).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toContain('schema version 99');
    });

    it('two processes importing into one store at once lose nothing', async () => {
      const rounds = 12;
      const dir = mkdtempSync(join(tmpdir(), 'interlock-writers-'));
      extra.push(async () => rmSync(dir, { recursive: true, force: true }));
      const worker = join(dir, 'worker.mts');
      const storeModule = pathToFileURL(join(REPO, 'src/store/open.ts')).href;
      writeFileSync(
        worker,
        `import { openEvidenceStore } from ${JSON.stringify(storeModule)};
const [db, tag, rounds] = process.argv.slice(2);
for (let i = 0; i < Number(rounds); i++) {
  // Open per round, as separate CLI invocations would.
  const store = await openEvidenceStore(db);
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
          const child = spawn(process.execPath, ['--import', 'tsx', worker, location, tag, String(rounds)], {
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
      const store = await openEvidenceStore(location, { mustExist: true });
      const counts = await store.counts();
      await store.close();
      expect(counts.sources).toBe(1);
      expect(counts.reports).toBe(2 * rounds);
      expect(counts.estimates).toBe(2 * rounds * 4);
    });
  });
}
