/**
 * The PostgreSQL evidence store: a shared evidence base for a team, behind the same interface as
 * the SQLite file (./store.ts).
 *
 * One mapping of records to rows. How a document becomes rows (merging by id, replacing a
 * hypothesis set or forecast question wholesale) and how rows become a validated, canonical
 * document is written once, in ./sqlite.ts, and PostgreSQL holds the same tables (the same
 * migrations, translated by `postgresMigrationSql`). An import therefore runs, in one PostgreSQL
 * transaction holding an advisory lock: read every table into an in-memory SQLite copy, merge the
 * document there with the SQLite code, write the tables back. An export reads one consistent
 * snapshot into such a copy and lets the SQLite code validate it. Two writers at once queue on
 * the lock and each merges into what the other committed, so nothing is lost, and an export is
 * byte-identical to the SQLite export of the same content by construction. The cost is a full
 * copy per import: fine for evidence bases (thousands of rows), and said in docs/scale.md.
 */
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { EvidenceDocument } from '../evidence/data.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';
import {
  PostgresConnectionError,
  checkConnection,
  createPool,
  postgresMessage,
  redactUrl,
} from './postgres-connection.js';
import { SqliteEvidenceStore } from './sqlite.js';
import { StoreError, type EvidenceStore, type ImportSummary, type StoreCounts } from './store.js';

export interface PostgresOpenOptions {
  /** Refuse a database that holds no evidence base yet (for commands that only read). */
  mustExist?: boolean;
  /** Give up connecting after this long, in milliseconds. */
  connectTimeoutMs?: number;
}

/** Advisory-lock keys (any constants; they only need to differ from other users of the database). */
const MIGRATION_LOCK = 0x696c6d31;
const WRITE_LOCK = 0x696c7731;

/** SQLite's migration SQL for PostgreSQL: no STRICT (PostgreSQL's types are strict), REAL as float8. */
export function postgresMigrationSql(sql: string): string {
  return sql.replace(/\)\s*STRICT\b/g, ')').replace(/\bREAL\b/g, 'DOUBLE PRECISION');
}

interface TableInfo {
  name: string;
  columns: string[];
}

/** A fresh in-memory SQLite database with the latest schema. */
function emptyMirror(): Database.Database {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(m.sql);
  return db;
}

/**
 * The evidence tables in an order where every table comes after the tables it references
 * (insert in this order, delete in reverse), with their columns.
 */
function tablesOf(db: Database.Database): TableInfo[] {
  const names = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  )
    .map((r) => r.name)
    .filter((n) => n !== 'schema_migrations' && !n.startsWith('sqlite_'));
  const references = new Map(
    names.map((n) => [
      n,
      (db.pragma(`foreign_key_list(${n})`) as { table: string }[]).map((f) => f.table).filter((t) => t !== n),
    ]),
  );
  const ordered: string[] = [];
  const visit = (n: string, path: string[]): void => {
    if (ordered.includes(n)) return;
    if (path.includes(n))
      throw new StoreError(`the evidence schema has a reference cycle: ${[...path, n].join(' -> ')}`);
    for (const r of references.get(n) ?? []) visit(r, [...path, n]);
    ordered.push(n);
  };
  for (const n of names) visit(n, []);
  return ordered.map((name) => ({
    name,
    columns: (db.pragma(`table_info(${name})`) as { name: string }[]).map((c) => c.name),
  }));
}

const TABLES = tablesOf(emptyMirror());
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function openPostgresStore(
  url: string,
  options: PostgresOpenOptions = {},
): Promise<PostgresEvidenceStore> {
  const location = redactUrl(url);
  const pool = createPool(url, { max: 4, connectTimeoutMs: options.connectTimeoutMs });
  try {
    await checkConnection(pool, url, 'evidence database');
  } catch (err) {
    throw new StoreError((err as PostgresConnectionError).message);
  }
  try {
    await migrate(pool, location, options.mustExist ?? false);
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot open database ${location}: ${postgresMessage(err)}`);
  }
  return new PostgresEvidenceStore(pool, location);
}

async function migrate(pool: pg.Pool, location: string, mustExist: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Two processes opening a fresh database at once must not both apply version 1.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const exists = await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
    if (!exists.rows[0].present) {
      if (mustExist) {
        throw new StoreError(
          `no evidence base in database ${location}; import one with 'interlock evidence import FILE --db URL'`,
        );
      }
      await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    }
    const row = await client.query('SELECT MAX(version) AS v FROM schema_migrations');
    const current = (row.rows[0].v as number | null) ?? 0;
    if (current > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        `database ${location} has schema version ${current}, newer than this interlock understands (${LATEST_SCHEMA_VERSION}); upgrade interlock`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.postgresSql ?? postgresMigrationSql(m.sql));
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export class PostgresEvidenceStore implements EvidenceStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /** Run `use` in one transaction; any failure rolls everything back. */
  private async transaction<T>(begin: string, use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new StoreError(`cannot reach database ${this.location}: ${postgresMessage(err)}`);
    }
    try {
      await client.query(begin);
      const result = await use(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Every evidence table's rows, copied as they are (constraints off: corrupt rows must reach validation). */
  private async readInto(client: pg.PoolClient, mirror: Database.Database): Promise<void> {
    mirror.pragma('foreign_keys = OFF');
    mirror.pragma('ignore_check_constraints = ON');
    for (const table of TABLES) {
      const cols = table.columns.map(quoteIdent).join(', ');
      const result = await client.query({
        text: `SELECT ${cols} FROM ${quoteIdent(table.name)}`,
        rowMode: 'array',
      });
      const insert = mirror.prepare(
        `INSERT INTO ${quoteIdent(table.name)} (${cols}) VALUES (${table.columns.map(() => '?').join(', ')})`,
      );
      mirror.transaction(() => {
        for (const row of result.rows as unknown[][]) insert.run(...row);
      })();
    }
    mirror.pragma('ignore_check_constraints = OFF');
    mirror.pragma('foreign_keys = ON');
  }

  /** Replace every evidence table's rows with the mirror's, in batches of multi-row INSERTs. */
  private async writeFrom(client: pg.PoolClient, mirror: Database.Database): Promise<void> {
    for (const table of [...TABLES].reverse()) await client.query(`DELETE FROM ${quoteIdent(table.name)}`);
    for (const table of TABLES) {
      const cols = table.columns.map(quoteIdent).join(', ');
      const rows = mirror
        .prepare(`SELECT ${cols} FROM ${quoteIdent(table.name)}`)
        .raw()
        .all() as unknown[][];
      const perStatement = Math.max(1, Math.min(1000, Math.floor(60_000 / table.columns.length)));
      for (let start = 0; start < rows.length; start += perStatement) {
        const batch = rows.slice(start, start + perStatement);
        const values: unknown[] = [];
        const tuples = batch.map((row) => {
          const slots = row.map((v) => {
            values.push(v);
            return `$${values.length}`;
          });
          return `(${slots.join(', ')})`;
        });
        await client.query(
          `INSERT INTO ${quoteIdent(table.name)} (${cols}) VALUES ${tuples.join(', ')}`,
          values,
        );
      }
    }
  }

  async importDocument(doc: EvidenceDocument): Promise<ImportSummary> {
    const mirror = emptyMirror();
    try {
      return await this.transaction('BEGIN', async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        await this.readInto(client, mirror);
        // Validation, merging and its messages are the SQLite store's (one definition).
        const summary = await new SqliteEvidenceStore(mirror, this.location).importDocument(doc);
        await this.writeFrom(client, mirror);
        return summary;
      });
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(
        `import into ${this.location} failed and changed nothing: ${postgresMessage(err)}`,
      );
    } finally {
      mirror.close();
    }
  }

  async exportDocument(): Promise<EvidenceDocument> {
    const mirror = emptyMirror();
    try {
      // One snapshot: a concurrent import is seen entirely or not at all.
      await this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) =>
        this.readInto(client, mirror),
      );
      return await new SqliteEvidenceStore(mirror, this.location).exportDocument();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot read ${this.location}: ${postgresMessage(err)}`);
    } finally {
      mirror.close();
    }
  }

  async counts(): Promise<StoreCounts> {
    const n: Record<string, number> = {};
    try {
      await this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
        for (const table of TABLES) {
          const r = await client.query(`SELECT COUNT(*)::int AS n FROM ${quoteIdent(table.name)}`);
          n[table.name] = r.rows[0].n as number;
        }
      });
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot read ${this.location}: ${postgresMessage(err)}`);
    }
    return {
      sources: n.sources!,
      reports: n.reports!,
      estimates: n.estimates!,
      hypothesisSets: n.hypothesis_sets!,
      hypotheses: n.hypotheses!,
      evidenceItems: n.evidence_items!,
      ratings: n.ratings!,
      indicators: n.indicators!,
      forecastQuestions: n.forecast_questions!,
      forecasts: n.forecasts!,
    };
  }

  async schemaVersion(): Promise<number> {
    const r = await this.pool.query('SELECT MAX(version) AS v FROM schema_migrations');
    return r.rows[0].v as number;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}
