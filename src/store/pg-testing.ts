/**
 * PostgreSQL for tests: `INTERLOCK_TEST_PG` names a server and a role that may create databases
 * (`.ci/run` sets it); each test gets a database of its own and drops it afterwards. Without the
 * variable the PostgreSQL tests are skipped, and `PG_SKIP_MESSAGE` says why.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_PG_URL = process.env.INTERLOCK_TEST_PG || undefined;

export const PG_SKIP_MESSAGE =
  'PostgreSQL tests skipped: set INTERLOCK_TEST_PG=postgres://USER:PASSWORD@HOST/DB (a role with CREATEDB) to run them';

if (!TEST_PG_URL) process.stderr.write(`${PG_SKIP_MESSAGE}\n`);

/** A URL like `base` naming another database on the same server. */
export function withDatabase(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Create an empty database; returns its URL and a function that drops it (closing its connections). */
export async function freshDatabase(prefix = 'interlock_t'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_PG_URL) throw new Error(PG_SKIP_MESSAGE);
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(TEST_PG_URL, name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Run SQL against a test database directly (to corrupt rows, add triggers). */
export async function execSql(url: string, sql: string): Promise<pg.QueryResult[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const r = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(r) ? r : [r];
  } finally {
    await client.end();
  }
}
