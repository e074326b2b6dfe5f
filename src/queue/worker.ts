/**
 * `interlock worker`: take jobs from the queue and run them, on any machine that reaches the
 * database. Both job kinds: a chunk of experiment rows (explore --queue) and a slice of a
 * calibration's likelihood batch (calibrate --queue); calibration jobs go first, since an
 * estimator waits for each batch. Each experiment's or calibration's model is compiled once per
 * worker process; a chunk's result is stored before its job is completed, so a worker killed at
 * any point loses at most the chunk in hand, which pg-boss hands out again once its time is up.
 */
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import { createSimulation } from '../experiments/model-source.js';
import { buildPlan } from '../experiments/plan.js';
import { ChunkRunner } from '../experiments/runner.js';
import { Problem } from '../calibrate/problem.js';
import { parseCalibrateManifest, type CalibrateManifest } from './calibrate.js';
import { encodeChunk, float64Bytes, float64FromBytes } from './codec.js';
import { MANIFEST_FORMAT, chunkRange, modelHashOf, type ExploreManifest } from './explore.js';
import {
  DEFAULT_SETTINGS,
  DONE_CHANNEL,
  JOBS_CHANNEL,
  JOB_KINDS,
  QUEUE_NAME,
  QueueConnection,
  QueueError,
  Waker,
  type ChunkJob,
  type JobKind,
} from './queue.js';

export interface WorkerOptions {
  url: string;
  signal?: AbortSignal;
  /** One line per event (chunk done, chunk failed) for the log. */
  log?(line: string): void;
  /** Stop after this many chunks (tests, and batch systems that want a bounded task). */
  maxChunks?: number;
  /** Stop once the queue has stayed empty this long, in seconds (default: run until stopped). */
  idleExitSeconds?: number;
  /** Give up when the database stays unreachable this long, in seconds. */
  lostAfterSeconds?: number;
}

export interface WorkerSummary {
  chunks: number;
  runs: number;
  failedChunks: number;
}

type Prepared =
  | { kind: 'explore'; manifest: ExploreManifest; runner: ChunkRunner }
  | { kind: 'calibrate'; manifest: CalibrateManifest; problem: Problem };

/** Calibration jobs first: an estimator waits for each batch, an ensemble does not. */
const FETCH_ORDER: JobKind[] = ['calibrate', 'explore'];

/** The manifest of an experiment, checked: a worker never runs a model that is not the one submitted. */
export function parseManifest(id: string, text: string, storedHash: string): ExploreManifest {
  let manifest: ExploreManifest;
  try {
    manifest = JSON.parse(text) as ExploreManifest;
  } catch {
    throw new QueueError(`manifest of experiment ${id} is not valid JSON`);
  }
  if (manifest.format !== MANIFEST_FORMAT || manifest.version !== 1) {
    throw new QueueError(`manifest of experiment ${id} is not an interlock explore manifest (version 1)`);
  }
  const actual = modelHashOf(manifest.model);
  if (actual !== manifest.modelHash || actual !== storedHash) {
    throw new QueueError(
      `manifest of experiment ${id}: the model's sha256 is ${actual}, but the manifest records ${manifest.modelHash === actual ? storedHash : manifest.modelHash}; refusing to run it (resubmit the experiment)`,
    );
  }
  return manifest;
}

export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const queue = await QueueConnection.open(options.url, DEFAULT_SETTINGS, { asyncCommit: true });
  const name = `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => {});
  const prepared = new Map<string, Prepared | QueueError>();
  const summary: WorkerSummary = { chunks: 0, runs: 0, failedChunks: 0 };
  let lastJobAt = performance.now();
  let stopping = false;
  let finish!: (err?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });

  const prepare = async (id: string): Promise<Prepared> => {
    const cached = prepared.get(id);
    if (cached instanceof QueueError) throw cached;
    if (cached) return cached;
    const r = await queue.pool.query(
      'SELECT kind, manifest, model_hash FROM interlock_experiments WHERE id = $1',
      [id],
    );
    if (!r.rows.length) throw new QueueError(`experiment ${id} is not in the queue database (deleted?)`);
    const row = r.rows[0] as { kind: string; manifest: string; model_hash: string };
    try {
      let entry: Prepared;
      if (row.kind === 'calibrate') {
        const manifest = parseCalibrateManifest(id, row.manifest, row.model_hash);
        entry = { kind: 'calibrate', manifest, problem: new Problem(manifest.definition) };
        log(`worker ${name}: compiled calibration ${id}`);
      } else {
        const manifest = parseManifest(id, row.manifest, row.model_hash);
        const plan = buildPlan(manifest.spec, new Map(manifest.scenarios), manifest.samples);
        entry = {
          kind: 'explore',
          manifest,
          runner: new ChunkRunner(plan, createSimulation(manifest.model, plan.spec)),
        };
        log(`worker ${name}: compiled experiment ${id} (${manifest.chunks} chunks)`);
      }
      prepared.set(id, entry);
      return entry;
    } catch (err) {
      const e =
        err instanceof QueueError ? err : new QueueError(`experiment ${id}: ${(err as Error).message}`);
      prepared.set(id, e);
      throw e;
    }
  };

  /** The result bytes of one job, and how many model runs it took. */
  const compute = (
    entry: Prepared,
    experiment: string,
    chunk: number,
    input: Buffer | null,
  ): { bytes: Buffer; runs: number; what: string } => {
    if (entry.kind === 'explore') {
      const [start, end] = chunkRange(entry.manifest, chunk);
      if (!(chunk >= 0 && start < end))
        throw new QueueError(`chunk ${chunk} is outside experiment ${experiment}`);
      const result = entry.runner.run(start, end);
      return { bytes: encodeChunk(result), runs: result.count, what: `rows ${start}-${end - 1}` };
    }
    const dim = entry.manifest.definition.entries.length;
    const points = float64FromBytes(input ?? Buffer.alloc(0));
    if (points.length === 0 || points.length % dim !== 0) {
      throw new QueueError(
        `job ${chunk} of calibration ${experiment} holds ${points.length} numbers, not points of ${dim} parameters`,
      );
    }
    const n = points.length / dim;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++)
      values[i] = entry.problem.logLikelihood(points.subarray(i * dim, (i + 1) * dim));
    return { bytes: float64Bytes(values), runs: n, what: `${n} points` };
  };

  const handle = async (job: PgBoss.Job<ChunkJob>): Promise<void> => {
    // (explore chunks and calibration slices alike: a job names its experiment and chunk)
    const { experiment, chunk } = job.data ?? ({} as Partial<ChunkJob>);
    if (typeof experiment !== 'string' || !Number.isInteger(chunk)) {
      throw new QueueError(`job ${job.id} is not an interlock chunk job`);
    }
    // Claim the chunk (say who holds it, for people watching the queue and for tests). No row
    // updated means it is done already: a retry after its worker stored the result and was killed.
    const claimed = await queue.pool.query(
      `UPDATE interlock_chunks SET worker = $3, updated_at = now()
       WHERE experiment = $1 AND chunk = $2 AND state = 'queued' RETURNING input`,
      [experiment, chunk, name],
    );
    if (claimed.rowCount === 0) return;
    try {
      const entry = await prepare(experiment);
      const { bytes, runs, what } = compute(
        entry,
        experiment,
        chunk,
        (claimed.rows[0] as { input: Buffer | null }).input,
      );
      // Stored and announced in one statement (the notification is sent when it commits).
      await queue.pool.query(
        `WITH stored AS (
           UPDATE interlock_chunks SET state = 'done', result = $3, worker = $4, error = NULL,
             attempts = attempts + 1, done_seq = nextval('interlock_chunk_done_seq'), updated_at = now()
           WHERE experiment = $1 AND chunk = $2 AND state <> 'done' RETURNING 1)
         SELECT pg_notify($5, $1) FROM stored`,
        [experiment, chunk, bytes, name, DONE_CHANNEL],
      );
      summary.chunks++;
      summary.runs += runs;
      log(
        `worker ${name}: ${entry.kind === 'explore' ? 'experiment' : 'calibration'} ${experiment} chunk ${chunk} (${what}) done`,
      );
    } catch (err) {
      const message = (err as Error).message;
      summary.failedChunks++;
      await queue.pool
        .query(
          `UPDATE interlock_chunks SET error = $3, attempts = attempts + 1, updated_at = now()
           WHERE experiment = $1 AND chunk = $2 AND state = 'queued'`,
          [experiment, chunk, message],
        )
        .catch(() => {});
      log(`worker ${name}: experiment ${experiment} chunk ${chunk} failed: ${message}`);
      throw err;
    }
  };

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const stop = (err?: Error): void => {
    if (stopping) return;
    stopping = true;
    finish(err);
  };
  options.signal?.addEventListener('abort', () => stop());

  // Our own fetch loop rather than boss.work(): the next job is fetched as soon as one is done,
  // and the poll interval applies only while the queues are empty (a submitter's notification
  // cuts it short).
  const waker = new Waker();
  const loop = async (): Promise<void> => {
    for (const kind of JOB_KINDS) await queue.ensureQueue(kind);
    await queue.listen(JOBS_CHANNEL, () => waker.wake());
    while (!stopping) {
      let job: PgBoss.Job<ChunkJob> | undefined;
      let kind: JobKind | undefined;
      try {
        for (const k of FETCH_ORDER) {
          [job] = await queue.boss.fetch<ChunkJob>(QUEUE_NAME[k], { batchSize: 1 });
          if (job) {
            kind = k;
            break;
          }
        }
      } catch {
        // The watch below decides when an unreachable database ends the worker.
        await sleep(500);
        continue;
      }
      if (!job || !kind) {
        await waker.wait(500);
        continue;
      }
      lastJobAt = performance.now();
      try {
        await handle(job);
        await queue.boss.complete(QUEUE_NAME[kind], job.id).catch(() => {});
      } catch (err) {
        await queue.boss.fail(QUEUE_NAME[kind], job.id, { message: (err as Error).message }).catch(() => {});
      }
      lastJobAt = performance.now();
      if (options.maxChunks !== undefined && summary.chunks + summary.failedChunks >= options.maxChunks)
        stop();
    }
  };
  const looping = loop().catch((err: Error) => stop(err));

  // Watch the connection: a database that goes away ends the worker with a message.
  const lostAfter = (options.lostAfterSeconds ?? 30) * 1000;
  let unreachableSince: number | undefined;
  const watch = setInterval(() => {
    void (async () => {
      if (stopping) return;
      try {
        await queue.pool.query('SELECT 1');
        unreachableSince = undefined;
      } catch (err) {
        unreachableSince ??= performance.now();
        if (performance.now() - unreachableSince >= lostAfter) {
          stop(queue.describe(err, `worker ${name}`));
        }
        return;
      }
      if (
        options.idleExitSeconds !== undefined &&
        performance.now() - lastJobAt > options.idleExitSeconds * 1000
      ) {
        let waiting = 0;
        for (const kind of JOB_KINDS)
          waiting += await queue.boss.getQueueSize(QUEUE_NAME[kind]).catch(() => 1);
        if (waiting === 0) stop();
      }
    })();
  }, 1000);
  try {
    await finished;
  } finally {
    clearInterval(watch);
    await looping;
    await queue.close();
  }
  return summary;
}
