/**
 * Connecting to PostgreSQL (Node only): one place that recognises a database URL, hides its
 * password in messages and turns driver errors into sentences. The evidence store
 * (./postgres.ts) and the job queue (src/queue/) both use it.
 */
import pg from 'pg';

/** `postgres://...` or `postgresql://...`: a PostgreSQL connection URL rather than a file path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password, for messages and metadata. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString().replace(/:@/, '@');
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1@');
  }
}

/** A driver or server error as a sentence (no stack, no password). */
export function postgresMessage(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { message?: string }[] };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is PostgreSQL running and listening there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
      return 'the server closed the connection';
    case '28P01':
    case '28000':
      return 'authentication failed (check the user and password in the URL)';
    case '3D000':
      return e.message ?? 'the database does not exist';
    case '57P01':
    case '57P02':
    case '57P03':
      return `the server is shutting down or restarting (${e.message ?? ''})`;
    case '40P01':
      return 'deadlock detected; try again';
    default: {
      // An AggregateError (IPv4 and IPv6 both refused) carries its reasons in `errors`.
      const inner = e?.errors?.map((x) => x.message).join('; ');
      return e?.message || inner || String(err);
    }
  }
}

export interface PoolSettings {
  /** Connections kept open at most. */
  max?: number;
  /** Give up connecting after this long. */
  connectTimeoutMs?: number;
  /**
   * Commit without waiting for the disk flush (`synchronous_commit = off`). Commits still
   * become durable in order, and a crash loses at most the last few hundred milliseconds.
   */
  asyncCommit?: boolean;
}

/** A pool that never throws unhandled: an idle connection dropped by the server is only logged by pg. */
export function createPool(url: string, settings: PoolSettings = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.max ?? 4,
    connectionTimeoutMillis: settings.connectTimeoutMs ?? 10_000,
    application_name: 'interlock',
    ...(settings.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
  });
  // Without a listener, a server that goes away would crash the process through an 'error' event.
  pool.on('error', () => {});
  return pool;
}

/** Connect once, so that a wrong URL fails here with a clear message rather than later. */
export async function checkConnection(pool: pg.Pool, url: string, what: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new PostgresConnectionError(
      `cannot reach the ${what} at ${redactUrl(url)}: ${postgresMessage(err)}`,
    );
  }
}

export class PostgresConnectionError extends Error {
  override name = 'PostgresConnectionError';
}
