/**
 * The job queue (Node only): pg-boss for handing out jobs, retries and timeouts; two tables of
 * ours for what a job needs and what it produced.
 *
 *   interlock_experiments  one row per submitted piece of work: its kind, its manifest (everything
 *                          a worker needs, model text included) and the model's sha256
 *   interlock_chunks       one row per job: its pg-boss job id, state (queued, done, failed),
 *                          attempts, the last error, and the result bytes once done
 *
 * A job kind is a name, a pg-boss queue and a handler `(manifest, job data) -> result bytes` in
 * the worker (./worker.ts). Today's kind is `explore` (a chunk of experiment rows); a calibration
 * kind ("a batch of parameter vectors -> log-likelihoods") adds a manifest type, a handler and a
 * submitter, and reuses everything here.
 */
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import {
  PostgresConnectionError,
  checkConnection,
  createPool,
  postgresMessage,
  redactUrl,
} from '../store/postgres-connection.js';

export const JOB_KINDS = ['explore'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The pg-boss queue of each job kind. */
export const QUEUE_NAME: Record<JobKind, string> = { explore: 'interlock-explore' };

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
`;

/** An open connection to the queue database: a small pool for our tables and a pg-boss instance. */
export class QueueConnection {
  private constructor(
    readonly pool: pg.Pool,
    readonly boss: PgBoss,
    readonly location: string,
  ) {}

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
    const connection = new QueueConnection(pool, boss, location);
    boss.on('error', (err: Error) => connection.onError(err));
    try {
      await connection.ensureSchema();
      await boss.start();
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

  private async ensureSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query(SCHEMA);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Create the kind's pg-boss queue if needed (retries and timeouts are set on each job). */
  async ensureQueue(kind: JobKind): Promise<void> {
    const name = QUEUE_NAME[kind];
    if (await this.boss.getQueue(name)) return;
    try {
      await this.boss.createQueue(name, { name });
    } catch (err) {
      // Another process created it a moment ago.
      if (!(await this.boss.getQueue(name))) throw err;
    }
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
    await bounded(this.boss.stop({ graceful: false, wait: true, close: true, timeout: 4000 }));
    await bounded(this.pool.end());
  }
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
