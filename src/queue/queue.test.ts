/**
 * The job queue end to end on a loopback PostgreSQL (INTERLOCK_TEST_PG; skipped with a message
 * without it): worker processes started through the CLI, one of them SIGKILLed in the middle of a
 * chunk, the submitter stopped and resumed; the gathered folder must equal a local run byte for
 * byte. Then the failures: a wrong URL, a tampered manifest, a database dropped mid-run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, loadSpecFile } from '../experiments/explore.js';
import { createSimulation } from '../experiments/model-source.js';
import { buildPlan } from '../experiments/plan.js';
import { ChunkRunner, STATUS_FAILED, STATUS_OK, type ChunkResult } from '../experiments/runner.js';
import { readMetadata } from '../experiments/store.js';
import { TEST_PG_URL, execSql, freshDatabase } from '../store/pg-testing.js';
import { ChunkDecodeError, decodeChunk, encodeChunk } from './codec.js';
import { exploreQueued } from './explore.js';
import { DEFAULT_SETTINGS, QueueConnection, QueueError } from './queue.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSX = import.meta.resolve('tsx');
const root = mkdtempSync(join(tmpdir(), 'interlock-queue-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CASE_SPEC = join(REPO, 'models/north-korea-russia/experiments/thesis.json');

/** Every file of a results folder but metadata.json (which records times and worker counts). */
function resultFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((f) => f !== 'metadata.json')
    .sort();
}

function writeSpec(name: string, samples: number): string {
  const file = join(root, name);
  writeFileSync(
    file,
    JSON.stringify({
      model: 'builtin:ishigami',
      seed: 11,
      samples,
      method: 'lhs',
      uncertainties: ['x1', 'x2', 'x3'].map((n) => ({
        name: n,
        dist: 'uniform',
        low: -Math.PI,
        high: Math.PI,
      })),
      levers: [{ name: 'a', values: [7, 5] }],
      outcomes: [{ name: 'y', variable: 'y', reduce: 'final' }],
    }),
  );
  return file;
}

interface Started {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function cli(args: string[]): Started {
  const child = spawn(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

const startWorker = (url: string, ...extra: string[]) => cli(['worker', '--queue', url, '--quiet', ...extra]);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('chunk codec', () => {
  it('round-trips a chunk exactly, NaN and failures included, and refuses damaged bytes', () => {
    const chunk: ChunkResult = {
      start: 40,
      count: 3,
      inputs: Float64Array.from([1.5, -0, NaN, 2 ** -1074, 7, 8]),
      scalars: Float64Array.from([Math.PI, NaN, -1e300]),
      series: [Float64Array.from([1, 2, 3, 4, 5, 6]), Float64Array.from([0.1, 0.2, 0.3, NaN, NaN, NaN])],
      times: Float64Array.from([0, 1]),
      status: Uint8Array.from([STATUS_OK, STATUS_FAILED, STATUS_OK]),
      failures: [{ row: 41, message: 'division by zero in "y"' }],
      modelSeconds: 0.25,
      chunkSeconds: 0.5,
    };
    const bytes = encodeChunk(chunk);
    // Odd offset: decoding must not rely on the buffer's alignment.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const back = decodeChunk(shifted.subarray(1));
    expect(back).toEqual(chunk);
    expect(Buffer.from(back.inputs.buffer).equals(Buffer.from(chunk.inputs.buffer))).toBe(true);
    expect(() => decodeChunk(bytes.subarray(0, bytes.length - 1))).toThrow(ChunkDecodeError);
    expect(() => decodeChunk(Buffer.from('garbage!garbage!'))).toThrow(ChunkDecodeError);
  });
});

describe('queue with a wrong URL', () => {
  it('a worker and a submitter say which server they cannot reach (no password), exit 1', async () => {
    const url = 'postgres://nobody:hunter2@127.0.0.1:1/nothing';
    const worker = await startWorker(url).exited;
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain(
      'cannot reach the queue database at postgres://nobody@127.0.0.1:1/nothing: connection refused',
    );
    expect(worker.stderr).not.toContain('hunter2');
    const spec = writeSpec('wrong-url.json', 10);
    const submit = await cli(['explore', spec, '--out', join(root, 'wrong-url'), '--queue', url]).exited;
    expect(submit.code).toBe(1);
    expect(submit.stderr).toContain(
      'cannot reach the queue database at postgres://nobody@127.0.0.1:1/nothing',
    );
    const usage = await cli(['worker', '--queue', 'mysql://x']).exited;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--queue expects a postgres:// URL');
  });
});

describe.skipIf(!TEST_PG_URL)('queued explore on PostgreSQL', () => {
  it('two workers, one SIGKILLed mid-chunk, a third started, the submitter stopped and resumed: same files as a local run', async () => {
    const db = await freshDatabase('interlock_queue');
    const workers: Started[] = [];
    try {
      // The case model: every policy x 300 futures, in chunks of 60 runs.
      const loaded = loadSpecFile(CASE_SPEC);
      const samples = 300;
      const runs = buildPlan(loaded.spec, loaded.scenarios, samples).rows;
      const chunks = Math.ceil(runs / 60);
      const local = join(root, 'kill-local');
      await explore(loaded, { outDir: local, inProcess: true, samples, chunkSize: 1000 });
      const settings = { chunkTimeoutSeconds: 3, retries: 2 };
      const out = join(root, 'kill-queued');
      // A backend whose client has died notices within 0.2 s even while it waits for a lock.
      await execSql(
        db.url,
        `ALTER DATABASE ${new URL(db.url).pathname.slice(1)} SET client_connection_check_interval = '200ms'`,
      );
      workers.push(startWorker(db.url), startWorker(db.url));
      const [a] = workers;

      // The first submission stops once a sixth of the runs are in; the workers go on.
      const controller = new AbortController();
      const first = await exploreQueued(loaded, {
        url: db.url,
        outDir: out,
        samples,
        chunkSize: 60,
        settings,
        signal: controller.signal,
        onProgress: (done) => done >= 300 && controller.abort(),
      });
      expect(first.interrupted).toBe(true);
      expect(readMetadata(out).state).toBe('interrupted');

      // Kill worker A while it holds a chunk, and certainly before it has stored that chunk: the
      // row is locked first (A's store waits for the lock), so the kill cannot come too late
      // however loaded the machine is.
      const locker = new pg.Client({ connectionString: db.url });
      locker.on('error', () => {});
      await locker.connect();
      const held = await until('worker A to hold a chunk', async () => {
        await locker.query('BEGIN');
        const r = await locker.query(
          `SELECT chunk, job_id FROM interlock_chunks WHERE state = 'queued' AND worker LIKE '%:${a!.child.pid}' FOR UPDATE`,
        );
        if (r.rows.length) return r.rows[0] as { chunk: number; job_id: string };
        await locker.query('ROLLBACK');
        return undefined;
      });
      a!.child.kill('SIGKILL');
      expect((await a!.exited).signal).toBe('SIGKILL');
      // Whatever A sent before it died has reached the server by now; a store of A's that waits
      // for the lock is ended (by the connection check, or here) before the lock is let go.
      await new Promise((r) => setTimeout(r, 2000));
      await locker.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
      );
      await locker.query('ROLLBACK');
      await locker.end();
      workers.push(startWorker(db.url));

      const second = await exploreQueued(loaded, {
        url: db.url,
        outDir: out,
        samples,
        chunkSize: 60,
        settings,
      });
      expect(second.id).toBe(first.id);
      // Every chunk of the plan (its policies x samples / chunk size) is found again on resume.
      expect(second.resumedChunks).toBe(chunks);
      expect(second.interrupted).toBe(false);
      expect(second.failedChunks).toEqual([]);
      const files = resultFiles(local);
      expect(files).toEqual(
        expect.arrayContaining(['status.u8', 'inputs.f64', 'results.csv', 'failures.jsonl']),
      );
      expect(resultFiles(out)).toEqual(files);
      for (const file of files) {
        expect(readFileSync(join(out, file)).equals(readFileSync(join(local, file))), file).toBe(true);
      }
      const meta = readMetadata(out);
      expect(meta.state).toBe('complete');
      expect(meta.completedRuns).toBe(runs);

      // The killed worker's chunk was handed out again after its timeout and done by another worker.
      const retried = await execSql(
        db.url,
        `SELECT c.state, c.worker, coalesce(j.retry_count, a.retry_count) AS retries
         FROM interlock_chunks c LEFT JOIN pgboss.job j ON j.id = c.job_id LEFT JOIN pgboss.archive a ON a.id = c.job_id
         WHERE c.chunk = ${held.chunk}`,
      );
      const row = retried[0]!.rows[0] as { state: string; worker: string; retries: number };
      expect(row.state).toBe('done');
      expect(row.worker).not.toMatch(new RegExp(`:${a!.child.pid}$`));
      expect(row.retries).toBeGreaterThanOrEqual(1);
      // Every chunk once, no duplicates.
      const counts = await execSql(
        db.url,
        "SELECT count(*)::int AS n FROM interlock_chunks WHERE state = 'done'",
      );
      expect((counts[0]!.rows[0] as { n: number }).n).toBe(chunks);

      for (const w of workers.slice(1)) w.child.kill('SIGTERM');
      for (const w of workers.slice(1)) expect((await w.exited).code).toBe(0);
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      await db.drop();
    }
  }, 300_000);

  it('connections opened at once on a fresh database all get ready (one creates the schemas)', async () => {
    const db = await freshDatabase('interlock_queue');
    try {
      const opened = await Promise.allSettled(
        Array.from({ length: 4 }, () => QueueConnection.open(db.url, DEFAULT_SETTINGS)),
      );
      for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
      expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ready'))).toEqual(
        new Array(4).fill('ready'),
      );
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('a chunk that commits after one with a later done number is still gathered (no hang)', async () => {
    // The done number is drawn before the chunk's store commits, so a slow commit can land below
    // the mark the submitter has reached. Played here by hand: chunk 1 done as number 2 first,
    // then chunk 0 as number 1.
    const db = await freshDatabase('interlock_queue');
    try {
      const loaded = loadSpecFile(writeSpec('late.json', 100));
      const local = join(root, 'late-local');
      await explore(loaded, { outDir: local, inProcess: true });
      const plan = buildPlan(loaded.spec, loaded.scenarios);
      const runner = new ChunkRunner(plan, createSimulation(loaded.model, plan.spec));
      const out = join(root, 'late');
      let gathered = 0;
      const running = exploreQueued(loaded, {
        url: db.url,
        outDir: out,
        chunkSize: 100,
        pollMs: 50,
        onProgress: (done) => (gathered = done),
      });
      await until('the experiment to be submitted', async () => {
        const r = await execSql(db.url, "SELECT to_regclass('interlock_chunks') IS NOT NULL AS t");
        if (!(r[0]!.rows[0] as { t: boolean }).t) return undefined;
        const n = await execSql(db.url, 'SELECT count(*)::int AS n FROM interlock_chunks');
        return (n[0]!.rows[0] as { n: number }).n === 2 ? true : undefined;
      });
      const store = async (chunk: number, seq: number) => {
        const hex = encodeChunk(runner.run(chunk * 100, chunk * 100 + 100)).toString('hex');
        await execSql(
          db.url,
          `UPDATE interlock_chunks SET state = 'done', worker = 'by-hand', done_seq = ${seq}, result = '\\x${hex}'::bytea WHERE chunk = ${chunk}`,
        );
      };
      await store(1, 2);
      await until('chunk 1 to be gathered', async () => (gathered === 100 ? true : undefined));
      await store(0, 1);
      const result = await running;
      expect(result.interrupted).toBe(false);
      for (const file of resultFiles(local)) {
        expect(readFileSync(join(out, file)).equals(readFileSync(join(local, file))), file).toBe(true);
      }
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('a manifest whose model hash does not match: every chunk recorded failed with the reason, nothing run', async () => {
    const db = await freshDatabase('interlock_queue');
    let worker: Started | undefined;
    try {
      const loaded = loadSpecFile(writeSpec('tampered.json', 300));
      const out = join(root, 'tampered');
      const running = exploreQueued(loaded, {
        url: db.url,
        outDir: out,
        chunkSize: 100,
        settings: { chunkTimeoutSeconds: 5, retries: 1 },
      });
      await until('the experiment to be submitted', async () => {
        const r = await execSql(db.url, "SELECT to_regclass('interlock_chunks') IS NOT NULL AS t");
        if (!(r[0]!.rows[0] as { t: boolean }).t) return undefined;
        const n = await execSql(db.url, 'SELECT count(*)::int AS n FROM interlock_chunks');
        return (n[0]!.rows[0] as { n: number }).n === 6 ? true : undefined;
      });
      const bad = '0'.repeat(64);
      await execSql(
        db.url,
        `UPDATE interlock_experiments SET manifest = replace(manifest, '"modelHash":"${loaded.modelHash}"', '"modelHash":"${bad}"')`,
      );
      worker = startWorker(db.url);
      const result = await running;
      expect(result.failedChunks.map((f) => f.chunk)).toEqual([0, 1, 2, 3, 4, 5]);
      for (const f of result.failedChunks) {
        expect(f.error).toBe(
          `manifest of experiment ${result.id}: the model's sha256 is ${loaded.modelHash}, but the manifest records ${bad}; refusing to run it (resubmit the experiment) (after 2 attempts)`,
        );
      }
      const status = readFileSync(join(out, 'status.u8'));
      expect([...status]).toEqual(new Array(600).fill(STATUS_FAILED));
      const failures = readFileSync(join(out, 'failures.jsonl'), 'utf8').trim().split('\n');
      expect(failures).toHaveLength(600);
      expect(JSON.parse(failures[150]!)).toEqual({
        row: 150,
        message: `chunk 1 (rows 100-199) failed: ${result.failedChunks[1]!.error}`,
      });
      expect(readMetadata(out).failedRuns).toBe(600);
    } finally {
      worker?.child.kill('SIGTERM');
      if (worker) await worker.exited;
      await db.drop();
    }
  }, 60_000);

  it('a database that goes away mid-run: the submitter keeps what it gathered and says how to resume; the worker exits 1', async () => {
    const db = await freshDatabase('interlock_queue');
    const worker = startWorker(db.url, '--lost-after', '2');
    try {
      const loaded = loadSpecFile(writeSpec('gone.json', 20_000));
      const out = join(root, 'gone');
      let dropping: Promise<void> | undefined;
      const err = await exploreQueued(loaded, {
        url: db.url,
        outDir: out,
        chunkSize: 500,
        onProgress: (done) => {
          if (done >= 2000) dropping ??= db.drop();
        },
      }).catch((e: unknown) => e);
      await dropping;
      expect(err).toBeInstanceOf(QueueError);
      const message = (err as Error).message;
      expect(message).toMatch(
        /lost the queue database postgres:\/\/[^:]+@127\.0\.0\.1(:\d+)?\/interlock_queue_\w+/,
      );
      expect(message).toMatch(
        /nothing is lost: \d+ of 80 chunks are in .*; run the same command again to resume/,
      );
      const kept = Number(/nothing is lost: (\d+) of/.exec(message)![1]);
      const meta = readMetadata(out);
      expect(meta.state).toBe('interrupted');
      expect(meta.completedRuns).toBe(kept * 500);
      const status = readFileSync(join(out, 'status.u8'));
      expect(status.filter((s) => s === STATUS_OK).length).toBe(kept * 500);
      const exit = await worker.exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('lost the queue database');
    } finally {
      worker.child.kill('SIGKILL');
      await db.drop();
    }
  }, 90_000);
});
