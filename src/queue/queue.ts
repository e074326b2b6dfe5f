/**
 * The job queue (Node only): pg-boss for handing out jobs, retries and timeouts; two tables of
 * ours for what a job needs and what it produced.
 *
 *   interlock_experiments  one row per submitted piece of work: its kind, its manifest (everything
 *                          a worker needs, model text included) and the model's sha256
 *   interlock_chunks       one row per job: its pg-boss job id, state (queued, done, failed),
 *                          attempts, the last error, and the result bytes once done
 *
 * A job kind is a name, a pg-boss queue and a handler `(manifest, job) -> result bytes` in the
 * worker (./worker.ts): `explore` (a chunk of experiment rows, ./explore.ts) and `calibrate`
 * (a slice of a batch of parameter vectors -> log-likelihoods, ./calibrate.ts; the vectors are
 * the chunk's `input`). Jobs, retries, timeouts, failure records and wake-ups are shared.
 */
import { createHash, randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import pg from 'pg';
import {
  PostgresConnectionError,
  checkConnection,
  createPool,
  postgresMessage,
  redactUrl,
} from '../store/postgres-connection.js';

export const JOB_KINDS = ['explore', 'calibrate'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The pg-boss queue of each job kind. */
export const QUEUE_NAME: Record<JobKind, string> = {
  explore: 'interlock-explore',
  calibrate: 'interlock-calibrate',
};

/**
 * Notification channels: submitters announce new jobs (idle workers wake at once rather than at
 * their next poll), workers announce a stored result (a waiting calibration wakes at once). Both
 * are only hints; everyone still polls, so a lost notification costs a poll interval.
 */
export const JOBS_CHANNEL = 'interlock_jobs';
export const DONE_CHANNEL = 'interlock_done';

/** What a job carries: which experiment, which chunk. Everything else is in the manifest. */
export interface ChunkJob {
  experiment: string;
  chunk: number;
}

/** A queue problem the user can act on (wrong URL, database gone, manifest mismatch): exit 1. */
export class QueueError extends Error {
  override name = 'QueueError';
}

export interface QueueSettings {
  /** Seconds a chunk may run before pg-boss gives it to another worker (a killed worker's chunk). */
  chunkTimeoutSeconds: number;
  /** Attempts after the first before a chunk is recorded as failed. */
  retries: number;
}

export const DEFAULT_SETTINGS: QueueSettings = { chunkTimeoutSeconds: 900, retries: 2 };

const SCHEMA_LOCK = 0x696c7131;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS interlock_experiments (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  manifest TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  chunks INTEGER NOT NULL CHECK (chunks >= 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE SEQUENCE IF NOT EXISTS interlock_chunk_done_seq;
CREATE TABLE IF NOT EXISTS interlock_chunks (
  experiment TEXT NOT NULL REFERENCES interlock_experiments(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  job_id UUID NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  worker TEXT,
  result BYTEA,
  done_seq BIGINT,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (experiment, chunk)
);
CREATE INDEX IF NOT EXISTS interlock_chunks_done ON interlock_chunks (experiment, done_seq);
ALTER TABLE interlock_chunks ADD COLUMN IF NOT EXISTS input BYTEA;
`;

/** An open connection to the queue database: a small pool for our tables and a pg-boss instance. */
export class QueueConnection {
  private constructor(
    readonly pool: pg.Pool,
    readonly boss: PgBoss,
    readonly location: string,
    private readonly url: string,
  ) {}

  private listener?: pg.Client;

  /**
   * `asyncCommit` (workers): commits do not wait for the disk. That is safe here because commits
   * become durable in order: a crash can lose a chunk's stored result only together with the
   * completion of its job, which is then handed out again. It takes the disk flush (about 10 ms
   * per commit on the machine measured in docs/scale.md) out of every job.
   */
  static async open(
    url: string,
    settings: QueueSettings,
    options: { connectTimeoutMs?: number; asyncCommit?: boolean } = {},
  ) {
    const location = redactUrl(url);
    const pool = createPool(url, {
      max: 3,
      connectTimeoutMs: options.connectTimeoutMs,
      asyncCommit: options.asyncCommit,
    });
    try {
      await checkConnection(pool, url, 'queue database');
    } catch (err) {
      throw new QueueError((err as PostgresConnectionError).message);
    }
    const boss = new PgBoss({
      // pg-boss runs its statements on our pool: one set of connections, one commit policy.
      db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values) },
      // Expired chunks (a killed worker) go back to the queue at the next maintenance pass.
      maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(settings.chunkTimeoutSeconds / 4))),
      schedule: false,
    });
    const connection = new QueueConnection(pool, boss, location, url);
    boss.on('error', (err: Error) => connection.onError(err));
    try {
      await connection.prepareSchemas();
    } catch (err) {
      await connection.close();
      throw new QueueError(`cannot prepare the queue in ${location}: ${postgresMessage(err)}`);
    }
    return connection;
  }

  private lastError?: Error;
  /** The latest background error of pg-boss (a lost connection), for messages. */
  get backgroundError(): Error | undefined {
    return this.lastError;
  }
  private onError(err: Error): void {
    this.lastError = err;
  }

  /**
   * Our tables, then pg-boss's schema (boss.start), under one lock: processes that start at once
   * on a fresh database would otherwise both try to create the pgboss schema, and one fails.
   */
  private async prepareSchemas(): Promise<void> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
      locked = true;
      await client.query('BEGIN');
      await client.query(SCHEMA);
      await client.query('COMMIT');
      await this.boss.start();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => {});
      client.release();
    }
  }

  /** Create the kind's pg-boss queue if needed (retries and timeouts are set on each job). */
  async ensureQueue(kind: JobKind): Promise<void> {
    const name = QUEUE_NAME[kind];
    if (await this.boss.getQueue(name)) return;
    // Under the schema lock: processes creating the same queue at once on a fresh database
    // would otherwise deadlock in pg-boss's DDL (seen with two workers started together).
    const client = await this.pool.connect();
    let locked = false;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
      locked = true;
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, { name });
    } catch (err) {
      // Another process created it a moment ago.
      if (!(await this.boss.getQueue(name))) throw err;
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => {});
      client.release();
    }
  }

  /**
   * Call `onNotify` with the payload of each notification on `channel`, on a connection of its
   * own. Best effort: if it cannot listen (or loses the connection later) the caller's polling
   * still finds everything.
   */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'interlock' });
    client.on('error', () => {});
    client.on('notification', (n) => {
      if (n.channel === channel) onNotify(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      this.listener = client;
    } catch {
      await client.end().catch(() => {});
    }
  }

  /** Tell listeners on `channel` (best effort). */
  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]).catch(() => {});
  }

  /** Turn a failed query into a QueueError that says what was kept. */
  describe(err: unknown, doing: string): QueueError {
    if (err instanceof QueueError) return err;
    return new QueueError(`${doing}: lost the queue database ${this.location}: ${postgresMessage(err)}`);
  }

  /** Close both; bounded, so that a database that is gone cannot hold the process open. */
  async close(): Promise<void> {
    const bounded = (p: Promise<unknown>) =>
      Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
    if (this.listener) await bounded(this.listener.end());
    await bounded(this.boss.stop({ graceful: false, wait: true, close: true, timeout: 4000 }));
    await bounded(this.pool.end());
  }
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A sleep that a notification can cut short. */
export class Waker {
  private wakeUp?: () => void;
  private pending = false;
  /** Resolve after `ms`, or at once when woken (now or since the last wait). */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }
}

/** A chunk to hand out: its number and, for kinds that carry one, its input bytes. */
export interface NewChunk {
  chunk: number;
  input?: Buffer;
}

/**
 * Record a job for each chunk first, then hand them to pg-boss (a crash between the two is
 * repaired by `reconcileChunks`). `replace`: give chunks that are still queued a new job (their
 * old job is lost); their input is kept.
 */
export async function sendJobs(
  queue: QueueConnection,
  kind: JobKind,
  id: string,
  chunks: NewChunk[],
  settings: QueueSettings,
  replace: boolean,
): Promise<void> {
  const perBatch = 1000;
  for (let i = 0; i < chunks.length; i += perBatch) {
    const batch = chunks.slice(i, i + perBatch).map((c) => ({ ...c, jobId: randomUUID() }));
    await queue.pool.query(
      `INSERT INTO interlock_chunks (experiment, chunk, job_id, state, input)
       SELECT $1, c, j, 'queued', i FROM unnest($2::int[], $3::uuid[], $4::bytea[]) AS t(c, j, i)
       ON CONFLICT (experiment, chunk) DO ${replace ? "UPDATE SET job_id = excluded.job_id, updated_at = now() WHERE interlock_chunks.state = 'queued'" : 'NOTHING'}`,
      [id, batch.map((j) => j.chunk), batch.map((j) => j.jobId), batch.map((j) => j.input ?? null)],
    );
    await queue.boss.insert(
      batch.map((j) => ({
        id: j.jobId,
        name: QUEUE_NAME[kind],
        data: { experiment: id, chunk: j.chunk } satisfies ChunkJob,
        retryLimit: settings.retries,
        retryDelay: 0,
        expireInSeconds: settings.chunkTimeoutSeconds,
      })),
    );
  }
  if (chunks.length) await queue.notify(JOBS_CHANNEL, kind);
}

/**
 * Chunks whose pg-boss job has failed for good (every attempt failed or timed out) become
 * failed chunks with their last error; chunks whose job is missing (lost between recording and
 * sending, or deleted) get a new job. Returns every failed chunk of the experiment, earlier
 * submissions' included.
 */
export async function reconcileChunks(
  queue: QueueConnection,
  kind: JobKind,
  id: string,
  settings: QueueSettings,
): Promise<{ chunk: number; error: string }[]> {
  const rows = await queue.pool.query(
    `SELECT c.chunk, c.error, c.attempts, coalesce(j.state::text, a.state::text) AS job_state,
            coalesce(j.output, a.output) AS output
     FROM interlock_chunks c
     LEFT JOIN pgboss.job j ON j.id = c.job_id
     LEFT JOIN pgboss.archive a ON a.id = c.job_id
     WHERE c.experiment = $1 AND c.state = 'queued'`,
    [id],
  );
  const failed: { chunk: number; error: string }[] = [];
  const lost: number[] = [];
  for (const r of rows.rows as {
    chunk: number;
    error: string | null;
    attempts: number;
    job_state: string | null;
    output: { message?: string; value?: { message?: string } } | null;
  }[]) {
    if (r.job_state === 'failed' || r.job_state === 'cancelled') {
      const fromBoss = r.output?.message ?? r.output?.value?.message;
      const error =
        r.error ??
        (fromBoss && fromBoss.length
          ? fromBoss
          : `no worker finished it within ${settings.chunkTimeoutSeconds}s in ${settings.retries + 1} attempts (workers killed or stuck?)`);
      const attempts = settings.retries + 1;
      const message = `${error} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`;
      const updated = await queue.pool.query(
        `UPDATE interlock_chunks SET state = 'failed', error = $3, updated_at = now()
         WHERE experiment = $1 AND chunk = $2 AND state = 'queued'`,
        [id, r.chunk, message],
      );
      if (updated.rowCount) failed.push({ chunk: r.chunk, error: message });
    } else if (r.job_state === null) {
      lost.push(r.chunk);
    }
  }
  if (lost.length)
    await sendJobs(
      queue,
      kind,
      id,
      lost.map((chunk) => ({ chunk })),
      settings,
      true,
    );
  // Failed chunks recorded by an earlier submission of the same experiment.
  const earlier = await queue.pool.query(
    "SELECT chunk, error FROM interlock_chunks WHERE experiment = $1 AND state = 'failed'",
    [id],
  );
  for (const r of earlier.rows as { chunk: number; error: string }[]) {
    if (!failed.some((f) => f.chunk === r.chunk)) failed.push({ chunk: r.chunk, error: r.error });
  }
  return failed;
}
