/**
 * `explore --queue`: an experiment as one job per chunk of rows. The submitter writes the
 * manifest, enqueues the chunks that have no job yet, gathers finished chunks into the usual
 * results folder as they arrive (written at their row offsets, so the files are byte-identical
 * to a local run) and reconciles chunks pg-boss gave up on. Stopping it loses nothing: the jobs
 * stay queued, workers keep going, and the same command resumes (the experiment's id is a hash
 * of its manifest).
 */
import { defaultChunkSize, type LoadedSpec } from '../experiments/explore.js';
import { buildPlan, type ExperimentPlan } from '../experiments/plan.js';
import type { ModelSource } from '../experiments/model-source.js';
import { STATUS_FAILED, type ChunkResult } from '../experiments/runner.js';
import type { ExperimentSpec, ScenarioDefinition } from '../experiments/spec.js';
import { ResultsWriter, type ResultsMetadata } from '../experiments/store.js';
import { decodeChunk } from './codec.js';
import {
  DEFAULT_SETTINGS,
  QueueConnection,
  QueueError,
  reconcileChunks,
  sendJobs,
  sha256,
  type QueueSettings,
} from './queue.js';

export const MANIFEST_FORMAT = 'interlock-queue-explore';

/** Everything a worker needs to run any chunk of the experiment. */
export interface ExploreManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  spec: ExperimentSpec;
  scenarios: [string, ScenarioDefinition][];
  samples?: number;
  model: ModelSource;
  /** sha256 of the model text (or of the builtin name), checked by every worker before it runs. */
  modelHash: string;
  specFile: string;
  modelFile?: string;
  rows: number;
  chunkSize: number;
  chunks: number;
}

export function modelHashOf(model: ModelSource): string {
  if (model.kind === 'image')
    throw new Error('a queue manifest carries the model text, not a compiled image');
  return sha256(model.kind === 'builtin' ? model.name : model.text);
}

export function chunkRange(manifest: ExploreManifest, chunk: number): [number, number] {
  const start = chunk * manifest.chunkSize;
  return [start, Math.min(manifest.rows, start + manifest.chunkSize)];
}

export function buildManifest(
  loaded: LoadedSpec,
  plan: ExperimentPlan,
  options: { samples?: number; chunkSize?: number },
) {
  const chunkSize = options.chunkSize ?? defaultChunkSize(plan.rows, 16);
  const manifest: ExploreManifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    spec: loaded.spec,
    scenarios: [...loaded.scenarios],
    ...(options.samples !== undefined ? { samples: options.samples } : {}),
    model: loaded.model,
    modelHash: loaded.modelHash,
    specFile: loaded.specFile,
    ...(loaded.modelFile !== undefined ? { modelFile: loaded.modelFile } : {}),
    rows: plan.rows,
    chunkSize,
    chunks: Math.ceil(plan.rows / chunkSize),
  };
  // The id names the work, not the submission: the same command finds its experiment again.
  const id = sha256(
    JSON.stringify([
      manifest.spec,
      manifest.scenarios,
      manifest.samples ?? null,
      manifest.modelHash,
      chunkSize,
    ]),
  ).slice(0, 20);
  return { id, manifest };
}

export interface QueuedExploreOptions {
  url: string;
  outDir: string;
  samples?: number;
  chunkSize?: number;
  settings?: Partial<QueueSettings>;
  signal?: AbortSignal;
  /** Rows gathered so far, of all rows; `workers` is how many distinct workers have delivered. */
  onProgress?(done: number, total: number, workers: number): void;
  /** How often to look for finished chunks, in milliseconds. */
  pollMs?: number;
}

export interface QueuedExploreResult {
  id: string;
  metadata: ResultsMetadata;
  interrupted: boolean;
  failedChunks: { chunk: number; error: string }[];
  wallSeconds: number;
  /** Chunks that already had a job when this submission started (a resumed experiment). */
  resumedChunks: number;
}

interface DoneRow {
  chunk: number;
  result: Buffer;
  worker: string;
  done_seq: string;
}

/** Rows of a chunk the queue gave up on: failed runs with the chunk's error, so the rest goes on. */
function failedChunkResult(plan: ExperimentPlan, start: number, end: number, message: string): ChunkResult {
  const count = end - start;
  return {
    start,
    count,
    inputs: new Float64Array(count * plan.inputNames.length).fill(NaN),
    scalars: new Float64Array(count * plan.spec.outcomes.length).fill(NaN),
    series: [],
    times: new Float64Array(0),
    status: new Uint8Array(count).fill(STATUS_FAILED),
    failures: Array.from({ length: count }, (_, k) => ({ row: start + k, message })),
    modelSeconds: 0,
    chunkSeconds: 0,
  };
}

export async function exploreQueued(
  loaded: LoadedSpec,
  options: QueuedExploreOptions,
): Promise<QueuedExploreResult> {
  const settings: QueueSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const plan = buildPlan(loaded.spec, loaded.scenarios, options.samples);
  const { id, manifest } = buildManifest(loaded, plan, options);
  const queue = await QueueConnection.open(options.url, settings);
  const started = performance.now();
  let writer: ResultsWriter | undefined;
  try {
    let resumedChunks = 0;
    try {
      resumedChunks = await enqueue(queue, id, manifest, settings);
    } catch (err) {
      throw queue.describe(err, 'submitting the experiment');
    }
    writer = new ResultsWriter(options.outDir, plan, {
      specFile: loaded.specFile,
      modelFile: loaded.modelFile,
      modelHash: loaded.modelHash,
      jobs: 0,
    });
    const gathered = new Set<number>();
    const failedChunks: { chunk: number; error: string }[] = [];
    const workers = new Set<string>();
    let rowsDone = 0;
    let lastSeq = 0;
    let lastCount = 0;
    /** Chunks seen in state done (gathered, or gathered as failed before a late worker finished). */
    const seenDone = new Set<number>();
    let lastReconcile = 0;
    const pollMs = options.pollMs ?? 300;
    while (gathered.size < manifest.chunks) {
      if (options.signal?.aborted) break;
      try {
        const take = (rows: DoneRow[]): void => {
          for (const row of rows) {
            lastSeq = Math.max(lastSeq, Number(row.done_seq));
            seenDone.add(row.chunk);
            if (gathered.has(row.chunk)) continue;
            const result = decodeChunk(row.result);
            const [start, end] = chunkRange(manifest, row.chunk);
            if (result.start !== start || result.count !== end - start) {
              throw new QueueError(
                `chunk ${row.chunk} of experiment ${id} holds rows ${result.start}+${result.count}, expected ${start}-${end}`,
              );
            }
            writer!.write(result);
            gathered.add(row.chunk);
            rowsDone += result.count;
            workers.add(row.worker);
          }
        };
        const done = await queue.pool.query(
          `SELECT chunk, result, worker, done_seq FROM interlock_chunks
           WHERE experiment = $1 AND state = 'done' AND done_seq > $2 ORDER BY done_seq LIMIT 200`,
          [id, lastSeq],
        );
        take(done.rows as DoneRow[]);
        // done_seq is drawn before its chunk commits: a chunk can commit after one with a later
        // number was already seen, below the mark. Counting the done chunks finds such a chunk.
        if (!done.rows.length && performance.now() - lastCount > 1000) {
          lastCount = performance.now();
          const counted = await queue.pool.query(
            "SELECT count(*)::int AS n FROM interlock_chunks WHERE experiment = $1 AND state = 'done'",
            [id],
          );
          if ((counted.rows[0] as { n: number }).n > seenDone.size) {
            const late = await queue.pool.query(
              `SELECT chunk, result, worker, done_seq FROM interlock_chunks
               WHERE experiment = $1 AND state = 'done' AND done_seq <= $2 AND NOT (chunk = ANY($3::int[]))`,
              [id, lastSeq, [...seenDone]],
            );
            take(late.rows as DoneRow[]);
            if (late.rows.length) options.onProgress?.(rowsDone, manifest.rows, workers.size);
          }
        }
        if (done.rows.length) options.onProgress?.(rowsDone, manifest.rows, workers.size);
        if (performance.now() - lastReconcile > 1000) {
          lastReconcile = performance.now();
          for (const f of await reconcileChunks(queue, 'explore', id, settings)) {
            if (gathered.has(f.chunk)) continue;
            const [start, end] = chunkRange(manifest, f.chunk);
            writer.write(
              failedChunkResult(
                plan,
                start,
                end,
                `chunk ${f.chunk} (rows ${start}-${end - 1}) failed: ${f.error}`,
              ),
            );
            gathered.add(f.chunk);
            failedChunks.push(f);
            rowsDone += end - start;
            options.onProgress?.(rowsDone, manifest.rows, workers.size);
          }
        }
      } catch (err) {
        const e = queue.describe(err, `gathering experiment ${id}`);
        writer.metadata.jobs = workers.size;
        writer.finish('interrupted', (performance.now() - started) / 1000);
        writer = undefined;
        throw new QueueError(
          `${e.message}\nnothing is lost: ${gathered.size} of ${manifest.chunks} chunks are in ${options.outDir}, finished chunks stay in the database; run the same command again to resume`,
        );
      }
      if (gathered.size >= manifest.chunks) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    const interrupted = gathered.size < manifest.chunks;
    const wallSeconds = (performance.now() - started) / 1000;
    writer.metadata.jobs = workers.size;
    writer.finish(interrupted ? 'interrupted' : 'complete', wallSeconds);
    const metadata = writer.metadata;
    writer = undefined;
    return {
      id,
      metadata,
      interrupted,
      failedChunks: failedChunks.sort((a, b) => a.chunk - b.chunk),
      wallSeconds,
      resumedChunks,
    };
  } finally {
    if (writer) writer.finish('failed', (performance.now() - started) / 1000);
    await queue.close();
  }
}

/** Write the manifest (once) and a job for every chunk that has none; returns how many had one. */
async function enqueue(
  queue: QueueConnection,
  id: string,
  manifest: ExploreManifest,
  settings: QueueSettings,
): Promise<number> {
  await queue.ensureQueue('explore');
  const text = JSON.stringify(manifest);
  await queue.pool.query(
    `INSERT INTO interlock_experiments (id, kind, manifest, model_hash, chunks) VALUES ($1, 'explore', $2, $3, $4)
     ON CONFLICT (id) DO NOTHING`,
    [id, text, manifest.modelHash, manifest.chunks],
  );
  const existing = await queue.pool.query('SELECT chunk FROM interlock_chunks WHERE experiment = $1', [id]);
  const have = new Set((existing.rows as { chunk: number }[]).map((r) => r.chunk));
  const missing = Array.from({ length: manifest.chunks }, (_, c) => c).filter((c) => !have.has(c));
  await sendJobs(
    queue,
    'explore',
    id,
    missing.map((chunk) => ({ chunk })),
    settings,
    false,
  );
  return have.size;
}
