/**
 * Versioned schema migrations of the SQLite evidence store. A migration is appended, never
 * edited once released: a database records which versions it has applied.
 */
import {
  CONSISTENCY_RATINGS,
  ESTIMATE_BASES,
  ESTIMATE_QUALIFIERS,
  INDICATOR_COMPARISONS,
  MEASURE_TYPES,
  OUTCOMES,
  RELIABILITY_GRADES,
  SOURCE_KINDS,
  WEIGHT_LEVELS,
} from '../evidence/data.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The same change for PostgreSQL where translating `sql` is not enough (SQLite rebuilds a
   * table to change a column; PostgreSQL alters it in place, keeping the foreign keys onto it).
   */
  postgresSql?: string;
}

const list = (values: readonly (string | number)[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Tables are STRICT (types enforced) and carry CHECK constraints mirroring the document
 * validation; the export still validates every row, because a file edited with other tools
 * can bypass checks.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'evidence base: sources, reports, estimates, hypothesis sets, indicators, forecasts',
    sql: `
CREATE TABLE document_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN (${list(SOURCE_KINDS)})),
  reliability TEXT NOT NULL CHECK (reliability IN (${list(RELIABILITY_GRADES)})),
  url TEXT,
  note TEXT
) STRICT;
CREATE TABLE reports (
  id TEXT PRIMARY KEY,
  source_id TEXT NOT NULL REFERENCES sources(id),
  published TEXT NOT NULL,
  event_date TEXT,
  claim TEXT NOT NULL,
  credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),
  urls TEXT,
  claims TEXT,
  note TEXT
) STRICT;
CREATE TABLE estimates (
  id TEXT PRIMARY KEY,
  quantity TEXT NOT NULL,
  value REAL,
  low REAL,
  high REAL,
  qualifier TEXT CHECK (qualifier IS NULL OR qualifier IN (${list(ESTIMATE_QUALIFIERS)})),
  unit TEXT NOT NULL,
  as_of TEXT NOT NULL,
  basis TEXT NOT NULL CHECK (basis IN (${list(ESTIMATE_BASES)})),
  source_id TEXT NOT NULL REFERENCES sources(id),
  report_id TEXT NOT NULL REFERENCES reports(id),
  note TEXT
) STRICT;
CREATE INDEX estimates_by_quantity ON estimates(quantity);
CREATE TABLE hypothesis_sets (
  id TEXT PRIMARY KEY,
  question TEXT NOT NULL,
  claims TEXT
) STRICT;
CREATE TABLE hypotheses (
  set_id TEXT NOT NULL REFERENCES hypothesis_sets(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  claims TEXT,
  PRIMARY KEY (set_id, id)
) STRICT;
CREATE TABLE evidence_items (
  set_id TEXT NOT NULL REFERENCES hypothesis_sets(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  report_id TEXT REFERENCES reports(id),
  claims TEXT,
  credibility TEXT NOT NULL CHECK (credibility IN (${list(WEIGHT_LEVELS)})),
  relevance TEXT NOT NULL CHECK (relevance IN (${list(WEIGHT_LEVELS)})),
  PRIMARY KEY (set_id, id)
) STRICT;
CREATE TABLE ratings (
  set_id TEXT NOT NULL,
  evidence_id TEXT NOT NULL,
  hypothesis_id TEXT NOT NULL,
  analyst TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN (${list(CONSISTENCY_RATINGS)})),
  relevance TEXT CHECK (relevance IS NULL OR relevance IN (${list(WEIGHT_LEVELS)})),
  note TEXT,
  PRIMARY KEY (set_id, evidence_id, hypothesis_id, analyst),
  FOREIGN KEY (set_id, evidence_id) REFERENCES evidence_items(set_id, id) ON DELETE CASCADE,
  FOREIGN KEY (set_id, hypothesis_id) REFERENCES hypotheses(set_id, id) ON DELETE CASCADE
) STRICT;
CREATE TABLE indicators (
  id TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  quantity TEXT NOT NULL,
  comparison TEXT NOT NULL CHECK (comparison IN (${list(INDICATOR_COMPARISONS)})),
  threshold REAL NOT NULL,
  bases TEXT,
  bears_on TEXT NOT NULL,
  note TEXT
) STRICT;
CREATE TABLE forecast_questions (
  id TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  claims TEXT,
  opened TEXT NOT NULL,
  closes TEXT NOT NULL,
  outcome TEXT CHECK (outcome IS NULL OR outcome IN (${list(OUTCOMES)})),
  resolved_on TEXT,
  resolution_report TEXT REFERENCES reports(id),
  resolution_note TEXT
) STRICT;
CREATE TABLE forecasts (
  question_id TEXT NOT NULL REFERENCES forecast_questions(id) ON DELETE CASCADE,
  analyst TEXT NOT NULL,
  date TEXT NOT NULL,
  probability REAL NOT NULL CHECK (probability > 0 AND probability < 1),
  note TEXT,
  PRIMARY KEY (question_id, analyst, date)
) STRICT;
`,
  },
  {
    version: 2,
    name: 'estimate measure and briefing; undated reports; seed arguments apart in hypothesis sets',
    // SQLite cannot drop NOT NULL from a column: the reports table is rebuilt (SQLite's own
    // procedure: foreign keys off while migrating, then checked before commit; see sqlite.ts).
    sql: `
CREATE TABLE reports_v2 (
  id TEXT PRIMARY KEY,
  source_id TEXT NOT NULL REFERENCES sources(id),
  published TEXT,
  undated INTEGER CHECK (undated IS NULL OR undated = 1),
  event_date TEXT,
  claim TEXT NOT NULL,
  credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),
  urls TEXT,
  claims TEXT,
  note TEXT,
  CHECK ((published IS NULL) = (undated IS NOT NULL))
) STRICT;
INSERT INTO reports_v2 (id, source_id, published, event_date, claim, credibility, urls, claims, note)
  SELECT id, source_id, published, event_date, claim, credibility, urls, claims, note FROM reports;
DROP TABLE reports;
ALTER TABLE reports_v2 RENAME TO reports;
ALTER TABLE estimates ADD COLUMN measure TEXT CHECK (measure IS NULL OR measure IN (${list(MEASURE_TYPES)}));
ALTER TABLE estimates ADD COLUMN briefing TEXT;
ALTER TABLE evidence_items ADD COLUMN argument INTEGER CHECK (argument IS NULL OR argument = 1);
`,
    postgresSql: `
ALTER TABLE reports ALTER COLUMN published DROP NOT NULL;
ALTER TABLE reports ADD COLUMN undated INTEGER CHECK (undated IS NULL OR undated = 1);
ALTER TABLE reports ADD CONSTRAINT reports_dated CHECK ((published IS NULL) = (undated IS NOT NULL));
ALTER TABLE estimates ADD COLUMN measure TEXT CHECK (measure IS NULL OR measure IN (${list(MEASURE_TYPES)}));
ALTER TABLE estimates ADD COLUMN briefing TEXT;
ALTER TABLE evidence_items ADD COLUMN argument INTEGER CHECK (argument IS NULL OR argument = 1);
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
