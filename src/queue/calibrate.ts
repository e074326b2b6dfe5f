/**
 * `calibrate --queue`: the likelihood batches of a calibration as jobs for `interlock worker`
 * processes, the queue implementation of `BatchEvaluator` (src/calibrate/pool.ts has the
 * threads one). Each batch the estimator asks for is cut into contiguous slices of points; each
 * slice is one job whose input is the points' float64 bytes and whose result is their
 * log-likelihoods. The values are put back in batch order, so the estimator sees exactly what
 * worker threads would have given it, and the same seed gives the same posterior.
 *
 * Stop and resume: the calibration's id is a hash of what decides its batches (the spec, the
 * problem definition, the slice size), and its jobs are numbered in the order the estimator asks
 * for them. Running the same command again replays the estimator; each batch that is already in
 * the database (finished, or still queued for the workers) is taken from there, checked against
 * the points asked for, and nothing is enqueued twice.
 */
import type { BatchEvaluator } from '../calibrate/pool.js';
import type { ProblemDefinition } from '../calibrate/problem.js';
import { exactJson, float64Bytes, float64FromBytes, parseExactJson } from './codec.js';
import {
  DEFAULT_SETTINGS,
  DONE_CHANNEL,
  QueueConnection,
  QueueError,
  Waker,
  reconcileChunks,
  sendJobs,
  sha256,
  type NewChunk,
  type QueueSettings,
} from './queue.js';

export const CALIBRATE_MANIFEST_FORMAT = 'interlock-queue-calibrate';

/** Everything a worker needs to evaluate any slice of the calibration. */
export interface CalibrateManifest {
  format: typeof CALIBRATE_MANIFEST_FORMAT;
  version: 1;
  definition: ProblemDefinition;
  /** sha256 of the model text, checked by every worker before it compiles anything. */
  modelHash: string;
  specFile?: string;
}

export const calibrationModelHash = (definition: ProblemDefinition): string => sha256(definition.model.text);

/** The manifest of a calibration, checked: a worker never runs a model that is not the one submitted. */
export function parseCalibrateManifest(id: string, text: string, storedHash: string): CalibrateManifest {
  let manifest: CalibrateManifest;
  try {
    manifest = parseExactJson(text) as CalibrateManifest;
  } catch {
    throw new QueueError(`manifest of calibration ${id} is not valid JSON`);
  }
  if (
    manifest?.format !== CALIBRATE_MANIFEST_FORMAT ||
    manifest.version !== 1 ||
    typeof manifest.definition?.model?.text !== 'string' ||
    !Array.isArray(manifest.definition.entries)
  ) {
    throw new QueueError(`manifest of calibration ${id} is not an interlock calibrate manifest (version 1)`);
  }
  const actual = calibrationModelHash(manifest.definition);
  if (actual !== manifest.modelHash || actual !== storedHash) {
    throw new QueueError(
      `manifest of calibration ${id}: the model's sha256 is ${actual}, but the manifest records ${manifest.modelHash === actual ? storedHash : manifest.modelHash}; refusing to run it (resubmit the calibration)`,
    );
  }
  return manifest;
}

/**
 * Points per job when not given: about 16 jobs per batch, at least 32 points each. A job costs
 * the database about 15 ms (docs/scale.md), so a job should hold at least that much model time:
 * 32 runs of the case model take about 12 ms in one thread.
 */
export function defaultSliceSize(points: number): number {
  return Math.max(32, Math.ceil(points / 16));
}

export interface QueuedCalibrationOptions {
  url: string;
  /** What decides the batches besides the definition (the loaded spec: method, priors, seed). */
  key: unknown;
  specFile?: string;
  /** Points per job (default `defaultSliceSize` of each batch). */
  sliceSize?: number;
  settings?: Partial<QueueSettings>;
  signal?: AbortSignal;
  /** Points evaluated so far (this run's and replayed ones) and how many workers delivered them. */
  onProgress?(points: number, workers: number): void;
  /** How often to look for finished jobs when no notification comes, in milliseconds. */
  pollMs?: number;
}

export class QueuedLikelihood implements BatchEvaluator {
  /** Jobs found in the database from an earlier run of the same calibration. */
  resumedJobs = 0;
  /** Jobs this run enqueued. */
  sentJobs = 0;
  readonly workers = new Set<string>();
  private nextChunk = 0;
  private points = 0;
  private readonly waker = new Waker();

  private constructor(
    private readonly queue: QueueConnection,
    readonly id: string,
    private readonly settings: QueueSettings,
    private readonly options: QueuedCalibrationOptions,
  ) {}

  /** Connect, write the manifest (once) and get ready to send batches. */
  static async open(
    definition: ProblemDefinition,
    options: QueuedCalibrationOptions,
  ): Promise<QueuedLikelihood> {
    const settings: QueueSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    const modelHash = calibrationModelHash(definition);
    const manifest: CalibrateManifest = {
      format: CALIBRATE_MANIFEST_FORMAT,
      version: 1,
      definition,
      modelHash,
      ...(options.specFile !== undefined ? { specFile: options.specFile } : {}),
    };
    // The id names the work: the same command finds its calibration (and its finished jobs) again.
    const id = `cal-${sha256(exactJson([options.key, definition, options.sliceSize ?? null])).slice(0, 20)}`;
    const queue = await QueueConnection.open(options.url, settings);
    const self = new QueuedLikelihood(queue, id, settings, options);
    try {
      await queue.ensureQueue('calibrate');
      await queue.pool.query(
        `INSERT INTO interlock_experiments (id, kind, manifest, model_hash, chunks) VALUES ($1, 'calibrate', $2, $3, 0)
         ON CONFLICT (id) DO NOTHING`,
        [id, exactJson(manifest), modelHash],
      );
      await queue.listen(DONE_CHANNEL, (payload) => {
        if (payload === id) self.waker.wake();
      });
    } catch (err) {
      await queue.close();
      throw queue.describe(err, 'submitting the calibration');
    }
    return self;
  }

  async logLikelihood(batch: readonly Float64Array[]): Promise<Float64Array> {
    const n = batch.length;
    const out = new Float64Array(n);
    if (n === 0) return out;
    const dim = batch[0]!.length;
    const size = this.options.sliceSize ?? defaultSliceSize(n);
    const slices: { chunk: number; start: number; end: number; input: Buffer }[] = [];
    for (let start = 0; start < n; start += size) {
      const end = Math.min(n, start + size);
      const points = new Float64Array((end - start) * dim);
      for (let i = start; i < end; i++) points.set(batch[i]!, (i - start) * dim);
      slices.push({ chunk: this.nextChunk++, start, end, input: float64Bytes(points) });
    }
    const first = slices[0]!.chunk;
    const last = slices[slices.length - 1]!.chunk;
    const doing = `calibration ${this.id}, jobs ${first}-${last}`;
    const pending = new Map(slices.map((s) => [s.chunk, s]));
    try {
      // A batch asked for before (a resumed calibration): take what is there, send the rest.
      const known = await this.queue.pool.query(
        `SELECT chunk, input FROM interlock_chunks WHERE experiment = $1 AND chunk BETWEEN $2 AND $3`,
        [this.id, first, last],
      );
      const have = new Set<number>();
      for (const row of known.rows as { chunk: number; input: Buffer | null }[]) {
        const slice = pending.get(row.chunk)!;
        if (!row.input || !row.input.equals(slice.input)) {
          throw new QueueError(
            `${doing}: job ${row.chunk} in the queue database holds other points than the estimator asks for now (was interlock changed since the calibration was submitted?); resubmit with another --chunk-size or delete calibration ${this.id}`,
          );
        }
        have.add(row.chunk);
      }
      this.resumedJobs += have.size;
      const missing: NewChunk[] = slices
        .filter((s) => !have.has(s.chunk))
        .map((s) => ({ chunk: s.chunk, input: s.input }));
      this.sentJobs += missing.length;
      await sendJobs(this.queue, 'calibrate', this.id, missing, this.settings, false);
    } catch (err) {
      throw this.queue.describe(err, `submitting ${doing}`);
    }
    const pollMs = this.options.pollMs ?? 250;
    let lastReconcile = performance.now();
    while (pending.size) {
      if (this.options.signal?.aborted) throw new QueueError(`${doing}: stopped`);
      let rows: {
        chunk: number;
        state: string;
        result: Buffer | null;
        worker: string | null;
        error: string | null;
      }[];
      try {
        const r = await this.queue.pool.query(
          `SELECT chunk, state, result, worker, error FROM interlock_chunks
           WHERE experiment = $1 AND chunk = ANY($2::int[]) AND state <> 'queued'`,
          [this.id, [...pending.keys()]],
        );
        rows = r.rows as typeof rows;
        if (performance.now() - lastReconcile > 1000) {
          lastReconcile = performance.now();
          await reconcileChunks(this.queue, 'calibrate', this.id, this.settings);
        }
      } catch (err) {
        throw this.queue.describe(err, `waiting for ${doing}`);
      }
      for (const row of rows) {
        const slice = pending.get(row.chunk)!;
        if (row.state === 'failed') {
          throw new QueueError(
            `${doing}: job ${row.chunk} failed: ${row.error ?? 'no message'}; the calibration stops (what the workers computed stays in the database)`,
          );
        }
        const values = float64FromBytes(row.result ?? Buffer.alloc(0));
        if (values.length !== slice.end - slice.start) {
          throw new QueueError(
            `${doing}: job ${row.chunk} returned ${values.length} values for ${slice.end - slice.start} points`,
          );
        }
        out.set(values, slice.start);
        pending.delete(row.chunk);
        this.points += values.length;
        if (row.worker) this.workers.add(row.worker);
      }
      if (rows.length) this.options.onProgress?.(this.points, this.workers.size);
      if (pending.size) await this.waker.wait(pollMs);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
