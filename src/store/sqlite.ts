/**
 * The SQLite evidence store: one file, WAL journal (readers never block the writer), a busy
 * timeout so concurrent writers queue instead of failing, and every write in one IMMEDIATE
 * transaction (the write lock is taken up front, so two importers cannot interleave).
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  validateEvidence,
  type EvidenceDocument,
  type ForecastQuestion,
  type HypothesisSet,
  type ValidationIssue,
} from '../evidence/data.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';
import {
  StoreDataError,
  StoreError,
  countDocument,
  type EvidenceStore,
  type ImportSummary,
  type StoreCounts,
} from './store.js';

export interface SqliteOpenOptions {
  /** Refuse to create a new file (for commands that only read). */
  mustExist?: boolean;
  /** How long a writer waits for another writer's lock, in milliseconds. */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

function sqliteMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'SQLITE_NOTADB') return 'the file is not an SQLite database';
  if (e?.code === 'SQLITE_BUSY') return 'the database stayed locked by another writer; try again';
  if (e?.code === 'SQLITE_CANTOPEN') return 'the database file cannot be opened';
  if (e?.code === 'SQLITE_READONLY') return 'the database is read-only';
  return e?.message ?? String(err);
}

export async function openSqliteStore(
  path: string,
  options: SqliteOpenOptions = {},
): Promise<SqliteEvidenceStore> {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // absent: created below unless it must exist
  }
  if (isDirectory) throw new StoreError(`cannot open database ${path}: it is a directory`);
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: options.mustExist ?? false });
  } catch (err) {
    const e = err as { code?: string };
    if (options.mustExist && (e.code === 'SQLITE_CANTOPEN' || /does not exist/.test(String(err)))) {
      throw new StoreError(
        `no evidence database at ${path}; import one with 'interlock evidence import FILE' or pass --db`,
      );
    }
    throw new StoreError(`cannot open database ${path}: ${sqliteMessage(err)}`);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 30_000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot open database ${path}: ${sqliteMessage(err)}`);
  }
  return new SqliteEvidenceStore(db, path);
}

function migrate(db: Database.Database, path: string): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT',
  );
  const run = db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        `database ${path} has schema version ${current}, newer than this interlock understands (${LATEST_SCHEMA_VERSION}); upgrade interlock`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
    }
    const broken = db.prepare('PRAGMA foreign_key_check').all() as { table: string }[];
    if (broken.length > 0) {
      throw new StoreError(
        `database ${path}: migrating left ${broken.length} broken reference(s), first in table ${broken[0]!.table}`,
      );
    }
  });
  // A migration may rebuild a table other tables point at: foreign keys are enforced again once
  // it is done (they cannot be switched inside a transaction), and checked before it commits.
  db.pragma('foreign_keys = OFF');
  try {
    // IMMEDIATE: two processes opening a fresh file at once must not both apply version 1.
    run.immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Which table and key a top-level collection of the document comes from, for messages. */
const TABLE_OF: Record<string, string> = {
  sources: 'sources',
  reports: 'reports',
  estimates: 'estimates',
  hypothesisSets: 'hypothesis_sets (with hypotheses, evidence_items, ratings)',
  indicators: 'indicators',
  forecastQuestions: 'forecast_questions (with forecasts)',
};

export class SqliteEvidenceStore implements EvidenceStore {
  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {}

  async importDocument(doc: EvidenceDocument): Promise<ImportSummary> {
    const checked = validateEvidence(doc);
    if (!checked.ok) {
      throw new StoreDataError(
        'refusing to import an invalid document:\n' +
          checked.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
        checked.issues,
      );
    }
    const valid = checked.document;
    const write = this.db.transaction(() => {
      if (valid.description !== undefined) {
        this.db
          .prepare(
            `INSERT INTO document_meta (key, value) VALUES ('description', ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
          )
          .run(valid.description);
      }
      const upsertSource = this.db.prepare(
        `INSERT INTO sources (id, name, kind, reliability, url, note) VALUES (@id, @name, @kind, @reliability, @url, @note)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, reliability = excluded.reliability,
           url = excluded.url, note = excluded.note`,
      );
      for (const s of valid.sources) {
        upsertSource.run({ ...s, url: opt(s.url), note: opt(s.note) });
      }
      const upsertReport = this.db.prepare(
        `INSERT INTO reports (id, source_id, published, undated, event_date, claim, credibility, urls, claims, note)
         VALUES (@id, @source, @published, @undated, @eventDate, @claim, @credibility, @urls, @claims, @note)
         ON CONFLICT(id) DO UPDATE SET source_id = excluded.source_id, published = excluded.published,
           undated = excluded.undated,
           event_date = excluded.event_date, claim = excluded.claim, credibility = excluded.credibility,
           urls = excluded.urls, claims = excluded.claims, note = excluded.note`,
      );
      for (const r of valid.reports) {
        upsertReport.run({
          ...r,
          published: opt(r.published),
          undated: r.undated ? 1 : null,
          eventDate: opt(r.eventDate),
          urls: json(r.urls),
          claims: json(r.claims),
          note: opt(r.note),
        });
      }
      const upsertEstimate = this.db.prepare(
        `INSERT INTO estimates (id, quantity, value, low, high, qualifier, unit, as_of, basis, measure, briefing, source_id, report_id, note)
         VALUES (@id, @quantity, @value, @low, @high, @qualifier, @unit, @asOf, @basis, @measure, @briefing, @source, @report, @note)
         ON CONFLICT(id) DO UPDATE SET quantity = excluded.quantity, value = excluded.value, low = excluded.low,
           high = excluded.high, qualifier = excluded.qualifier, unit = excluded.unit, as_of = excluded.as_of,
           basis = excluded.basis, measure = excluded.measure, briefing = excluded.briefing, source_id = excluded.source_id, report_id = excluded.report_id, note = excluded.note`,
      );
      for (const e of valid.estimates) {
        upsertEstimate.run({
          ...e,
          value: opt(e.value),
          low: opt(e.low),
          high: opt(e.high),
          qualifier: opt(e.qualifier),
          measure: opt(e.measure),
          briefing: opt(e.briefing),
          note: opt(e.note),
        });
      }
      for (const set of valid.hypothesisSets) this.writeHypothesisSet(set);
      const upsertIndicator = this.db.prepare(
        `INSERT INTO indicators (id, text, quantity, comparison, threshold, bases, bears_on, note)
         VALUES (@id, @text, @quantity, @comparison, @threshold, @bases, @bearsOn, @note)
         ON CONFLICT(id) DO UPDATE SET text = excluded.text, quantity = excluded.quantity,
           comparison = excluded.comparison, threshold = excluded.threshold, bases = excluded.bases,
           bears_on = excluded.bears_on, note = excluded.note`,
      );
      for (const i of valid.indicators) {
        upsertIndicator.run({
          ...i,
          bases: json(i.bases),
          bearsOn: JSON.stringify(i.bearsOn),
          note: opt(i.note),
        });
      }
      for (const q of valid.forecastQuestions) this.writeForecastQuestion(q);
      // The merged result must be a valid document too (a set may lose a hypothesis its ratings
      // name, a report may point at a source replaced by another): checked here, rolled back if not.
      const merged = this.readRaw();
      const after = validateEvidence(merged);
      if (!after.ok) {
        const issues = after.issues.map((issue) => this.locateIssue(merged, issue));
        throw new StoreDataError(
          `refusing to import: merged with what ${this.location} holds, the evidence would be invalid ` +
            '(nothing was changed):\n' +
            issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
          issues,
        );
      }
    });
    try {
      write.immediate();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`import into ${this.location} failed and changed nothing: ${sqliteMessage(err)}`);
    }
    return { imported: countDocument(valid), total: await this.counts() };
  }

  /** Replace a hypothesis set wholesale: its hypotheses, evidence and ratings belong to it. */
  private writeHypothesisSet(set: HypothesisSet): void {
    for (const table of ['ratings', 'evidence_items', 'hypotheses']) {
      this.db.prepare(`DELETE FROM ${table} WHERE set_id = ?`).run(set.id);
    }
    this.db
      .prepare(
        `INSERT INTO hypothesis_sets (id, question, claims) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET question = excluded.question, claims = excluded.claims`,
      )
      .run(set.id, set.question, json(set.claims));
    const insertHypothesis = this.db.prepare(
      'INSERT INTO hypotheses (set_id, id, position, text, claims) VALUES (?, ?, ?, ?, ?)',
    );
    set.hypotheses.forEach((h, i) => insertHypothesis.run(set.id, h.id, i, h.text, json(h.claims)));
    const insertEvidence = this.db.prepare(
      `INSERT INTO evidence_items (set_id, id, position, text, report_id, claims, argument, credibility, relevance)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    set.evidence.forEach((e, i) =>
      insertEvidence.run(
        set.id,
        e.id,
        i,
        e.text,
        opt(e.report),
        json(e.claims),
        e.argument ? 1 : null,
        e.credibility,
        e.relevance,
      ),
    );
    const insertRating = this.db.prepare(
      `INSERT INTO ratings (set_id, evidence_id, hypothesis_id, analyst, rating, relevance, note)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of set.ratings) {
      insertRating.run(set.id, r.evidence, r.hypothesis, r.analyst, r.rating, opt(r.relevance), opt(r.note));
    }
  }

  /** Replace a forecast question with its whole forecast history. */
  private writeForecastQuestion(q: ForecastQuestion): void {
    this.db.prepare('DELETE FROM forecasts WHERE question_id = ?').run(q.id);
    this.db
      .prepare(
        `INSERT INTO forecast_questions (id, text, claims, opened, closes, outcome, resolved_on, resolution_report, resolution_note)
         VALUES (@id, @text, @claims, @opened, @closes, @outcome, @resolvedOn, @report, @note)
         ON CONFLICT(id) DO UPDATE SET text = excluded.text, claims = excluded.claims, opened = excluded.opened,
           closes = excluded.closes, outcome = excluded.outcome, resolved_on = excluded.resolved_on,
           resolution_report = excluded.resolution_report, resolution_note = excluded.resolution_note`,
      )
      .run({
        id: q.id,
        text: q.text,
        claims: json(q.claims),
        opened: q.opened,
        closes: q.closes,
        outcome: opt(q.resolution?.outcome),
        resolvedOn: opt(q.resolution?.date),
        report: opt(q.resolution?.report),
        note: opt(q.resolution?.note),
      });
    const insertForecast = this.db.prepare(
      'INSERT INTO forecasts (question_id, analyst, date, probability, note) VALUES (?, ?, ?, ?, ?)',
    );
    for (const f of q.forecasts) insertForecast.run(q.id, f.analyst, f.date, f.probability, opt(f.note));
  }

  async exportDocument(): Promise<EvidenceDocument> {
    let raw: Record<string, unknown>;
    try {
      raw = this.db.transaction(() => this.readRaw())();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot read ${this.location}: ${sqliteMessage(err)}`);
    }
    const checked = validateEvidence(raw);
    if (!checked.ok) {
      const issues = checked.issues.map((issue) => this.locateIssue(raw, issue));
      throw new StoreDataError(
        `database ${this.location} holds invalid data:\n` +
          issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
        issues,
      );
    }
    return checked.document;
  }

  /** Name the table and row behind a JSON path such as `$.sources[3].reliability`. */
  private locateIssue(raw: Record<string, unknown>, issue: ValidationIssue): ValidationIssue {
    const m = /^\$\.(\w+)\[(\d+)\]/.exec(issue.path);
    if (!m) return issue;
    const table = TABLE_OF[m[1]!];
    const record = (raw[m[1]!] as Row[] | undefined)?.[Number(m[2])];
    if (!table || !record) return issue;
    return {
      ...issue,
      message: `${issue.message} (table ${table}, row id '${String(record.id)}')`,
    };
  }

  private parseJsonColumn(table: string, id: unknown, column: string, text: unknown): unknown {
    if (text === null || text === undefined) return undefined;
    try {
      return JSON.parse(String(text));
    } catch {
      throw new StoreDataError(
        `database ${this.location} holds invalid data: table ${table}, row id '${String(id)}', column ${column} is not valid JSON`,
      );
    }
  }

  /** Rows as a raw (unvalidated) document; validation then names anything wrong. */
  private readRaw(): Record<string, unknown> {
    const all = (sql: string) => this.db.prepare(sql).all() as Row[];
    const clean = (o: Row): Row => {
      const out: Row = {};
      for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
      return out;
    };
    const sources = all('SELECT id, name, kind, reliability, url, note FROM sources ORDER BY id').map(clean);
    const reports = all(
      `SELECT id, source_id AS source, published, undated, event_date AS eventDate, claim, credibility, urls, claims, note
       FROM reports ORDER BY id`,
    ).map((r) =>
      clean({
        ...r,
        undated: r.undated === null ? undefined : r.undated === 1 ? true : r.undated,
        urls: this.parseJsonColumn('reports', r.id, 'urls', r.urls),
        claims: this.parseJsonColumn('reports', r.id, 'claims', r.claims),
      }),
    );
    const estimates = all(
      `SELECT id, quantity, value, low, high, qualifier, unit, as_of AS asOf, basis, measure, briefing,
         source_id AS source, report_id AS report, note FROM estimates ORDER BY id`,
    ).map(clean);
    const hypotheses = all('SELECT set_id, id, text, claims FROM hypotheses ORDER BY set_id, position');
    const evidence = all(
      `SELECT set_id, id, text, report_id AS report, claims, argument, credibility, relevance
       FROM evidence_items ORDER BY set_id, position`,
    );
    const ratings = all(
      'SELECT set_id, analyst, evidence_id AS evidence, hypothesis_id AS hypothesis, rating, relevance, note FROM ratings',
    );
    const hypothesisSets = all('SELECT id, question, claims FROM hypothesis_sets ORDER BY id').map((s) =>
      clean({
        ...s,
        claims: this.parseJsonColumn('hypothesis_sets', s.id, 'claims', s.claims),
        hypotheses: hypotheses
          .filter((h) => h.set_id === s.id)
          .map(({ set_id: _set, ...h }) =>
            clean({ ...h, claims: this.parseJsonColumn('hypotheses', h.id, 'claims', h.claims) }),
          ),
        evidence: evidence
          .filter((e) => e.set_id === s.id)
          .map(({ set_id: _set, ...e }) =>
            clean({
              ...e,
              argument: e.argument === 1 ? true : e.argument,
              claims: this.parseJsonColumn('evidence_items', e.id, 'claims', e.claims),
            }),
          ),
        ratings: ratings.filter((r) => r.set_id === s.id).map(({ set_id: _set, ...r }) => clean(r)),
      }),
    );
    const indicators = all(
      'SELECT id, text, quantity, comparison, threshold, bases, bears_on AS bearsOn, note FROM indicators ORDER BY id',
    ).map((i) =>
      clean({
        ...i,
        bases: this.parseJsonColumn('indicators', i.id, 'bases', i.bases),
        bearsOn: this.parseJsonColumn('indicators', i.id, 'bears_on', i.bearsOn),
      }),
    );
    const forecasts = all('SELECT question_id, analyst, date, probability, note FROM forecasts');
    const forecastQuestions = all(
      `SELECT id, text, claims, opened, closes, outcome, resolved_on, resolution_report, resolution_note
       FROM forecast_questions ORDER BY id`,
    ).map((q) => {
      const resolution =
        q.outcome === null && q.resolved_on === null
          ? undefined
          : clean({
              outcome: q.outcome,
              date: q.resolved_on,
              report: q.resolution_report,
              note: q.resolution_note,
            });
      return clean({
        id: q.id,
        text: q.text,
        claims: this.parseJsonColumn('forecast_questions', q.id, 'claims', q.claims),
        opened: q.opened,
        closes: q.closes,
        resolution,
        forecasts: forecasts
          .filter((f) => f.question_id === q.id)
          .map(({ question_id: _q, ...f }) => clean(f)),
      });
    });
    const description = this.db.prepare("SELECT value FROM document_meta WHERE key = 'description'").get() as
      { value: string } | undefined;
    return {
      format: 'interlock-evidence',
      version: 1,
      ...(description ? { description: description.value } : {}),
      sources,
      reports,
      estimates,
      hypothesisSets,
      indicators,
      forecastQuestions,
    };
  }

  async counts(): Promise<StoreCounts> {
    const count = (table: string) =>
      (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      sources: count('sources'),
      reports: count('reports'),
      estimates: count('estimates'),
      hypothesisSets: count('hypothesis_sets'),
      hypotheses: count('hypotheses'),
      evidenceItems: count('evidence_items'),
      ratings: count('ratings'),
      indicators: count('indicators'),
      forecastQuestions: count('forecast_questions'),
      forecasts: count('forecasts'),
    };
  }

  async schemaVersion(): Promise<number> {
    return (this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
