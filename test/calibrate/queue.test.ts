/**
 * `calibrate --queue`: likelihood batches as jobs for `interlock worker` processes on a loopback
 * PostgreSQL (INTERLOCK_TEST_PG; skipped with a message without it). The posterior must be the
 * one a local run with the same seed draws, bit for bit; a stopped calibration resumes from the
 * jobs already in the database without sending any twice; a wrong URL, a tampered manifest and a
 * database that goes away give clear messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibrate/calibrate.js';
import { loadCalibrationFile, type LoadedCalibration } from '../../src/calibrate/load.js';
import { posteriorCsv } from '../../src/calibrate/output.js';
import { exactJson, parseExactJson } from '../../src/queue/codec.js';
import { QueuedLikelihood, calibrationModelHash, parseCalibrateManifest } from '../../src/queue/calibrate.js';
import { Rng } from '../../src/experiments/rng.js';
import { QueueError } from '../../src/queue/queue.js';
import { TEST_PG_URL, execSql, freshDatabase } from '../../src/store/pg-testing.js';
import { DECAY, csv, gaussianNoise, tempFolder } from './helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Started {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function cli(args: string[], cwd: string): Started {
  const child = spawn(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Worker processes that have started listening for jobs (so they are ready to take them). */
async function listeningWorkers(url: string, seen = new Set<number>()): Promise<number> {
  // A session that has run LISTEN keeps listening, but pg_stat_activity shows only its last query:
  // once its poll runs, LISTEN is no longer visible. So count every backend ever seen listening.
  const r = await execSql(
    url,
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN interlock_jobs'",
  );
  for (const row of r[0]!.rows as { pid: number }[]) seen.add(row.pid);
  return seen.size;
}

// Exponential decay with noisy data: a posterior over two parameters, quick to run.
const noise = gaussianNoise(5);
const data = Array.from({ length: 21 }, (_, t) => ({ time: t, value: 100 * Math.exp(-t / 4) + 3 * noise() }));
const dir = tempFolder({ 'model.xmile': DECAY, 'data.csv': csv(data) });
const specFile = join(dir, 'spec.json');
writeFileSync(
  specFile,
  JSON.stringify({
    model: 'model.xmile',
    seed: 21,
    method: 'smc',
    samples: 200,
    parameters: [
      { name: 'tau', dist: 'uniform', low: 1, high: 10 },
      { name: 's0', dist: 'uniform', low: 50, high: 150 },
    ],
    data: [{ file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: 3 } }],
  }),
);
const load = (method?: 'smc' | 'optimize'): LoadedCalibration => loadCalibrationFile(specFile, { method });

describe('calibration manifests', () => {
  it('keep NaN, infinities and -0 exactly; a model that does not match its hash is refused', () => {
    const value = { a: [NaN, Infinity, -Infinity, -0, 0, 1.5, 2 ** -1074], b: { $number: 3 } };
    const back = parseExactJson(exactJson(value)) as typeof value;
    expect(back.a).toEqual(value.a);
    expect(Object.is(back.a[3], -0)).toBe(true);
    expect(back.b).toEqual({ $number: 3 });

    const loaded = load();
    const definition = loaded.definition;
    expect(definition.rows.some((r) => Number.isNaN(r.low))).toBe(true);
    const text = exactJson({
      format: 'interlock-queue-calibrate',
      version: 1,
      definition,
      modelHash: 'f'.repeat(64),
    });
    expect(() => parseCalibrateManifest('cal-x', text, 'f'.repeat(64))).toThrow(
      /manifest of calibration cal-x: the model's sha256 is [0-9a-f]{64}, but the manifest records f{64}; refusing to run it/,
    );
    expect(() => parseCalibrateManifest('cal-x', '{"format":"other"}', '')).toThrow(
      'manifest of calibration cal-x is not an interlock calibrate manifest (version 1)',
    );
  });
});

describe('calibration manifests, fuzzed', () => {
  it('damaged manifest text is refused with a QueueError, never another error', () => {
    const loaded = load();
    const hash = calibrationModelHash(loaded.definition);
    const text = exactJson({
      format: 'interlock-queue-calibrate',
      version: 1,
      definition: loaded.definition,
      modelHash: hash,
    });
    expect(parseCalibrateManifest('cal-f', text, hash).definition).toEqual(loaded.definition);
    const rng = new Rng(7, 1);
    const pick = (n: number) => Math.floor(rng.next() * n);
    const alphabet = '{}[]":,0123456789-.eE nulltrue$number';
    for (let round = 0; round < 400; round++) {
      const chars = [...text];
      for (let k = 1 + pick(4); k > 0; k--) {
        const at = pick(chars.length);
        const op = pick(3);
        if (op === 0) chars.splice(at, 1 + pick(20));
        else if (op === 1) chars.splice(at, 0, alphabet[pick(alphabet.length)]!);
        else chars[at] = alphabet[pick(alphabet.length)]!;
      }
      const damaged = round % 10 === 0 ? chars.slice(0, pick(chars.length)).join('') : chars.join('');
      try {
        parseCalibrateManifest('cal-f', damaged, hash);
      } catch (err) {
        expect(err, damaged.slice(0, 200)).toBeInstanceOf(QueueError);
      }
    }
  });
});

describe('calibrate --queue with a wrong URL', () => {
  it('says which server it cannot reach (no password) and exits 1', async () => {
    const out = join(dir, 'wrong-url');
    const r = await cli(
      ['calibrate', specFile, '--out', out, '--queue', 'postgres://nobody:hunter2@127.0.0.1:1/nothing', '-q'],
      dir,
    ).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cannot reach the queue database at postgres://nobody@127.0.0.1:1/nothing: connection refused',
    );
    expect(r.stderr).not.toContain('hunter2');
    const usage = await cli(['calibrate', specFile, '--out', out, '--chunk-size', '10'], dir).exited;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--chunk-size needs --queue');
  });
});

describe.skipIf(!TEST_PG_URL)('calibrate on a PostgreSQL queue', () => {
  it('SMC and differential evolution through two worker processes draw what a local run draws; stopped and resumed, nothing is sent twice', async () => {
    const db = await freshDatabase('interlock_calq');
    const workers = [0, 1].map(() => cli(['worker', '--queue', db.url, '--quiet'], dir));
    try {
      const seen = new Set<number>();
      await until(
        'both workers to listen for jobs',
        async () => {
          for (const w of workers)
            if (w.child.exitCode !== null)
              throw new Error(`a worker exited early: ${await w.exited.then((e) => e.stderr)}`);
          return (await listeningWorkers(db.url, seen)) >= 2 ? true : undefined;
        },
        240_000,
      );
      for (const method of ['smc', 'optimize'] as const) {
        const local = await calibrate(load(method), { jobs: 1 });
        let opened: QueuedLikelihood | undefined;
        const queued = await calibrate(load(method), {
          jobs: 1,
          evaluator: async (loaded) =>
            (opened = await QueuedLikelihood.open(loaded.definition, {
              url: db.url,
              key: loaded.spec,
              sliceSize: 25,
              pollMs: 50,
            })),
        });
        expect(queued.result.evaluations).toBe(local.result.evaluations);
        expect(posteriorCsv(queued)).toBe(posteriorCsv(local));
        expect(queued.result.map).toEqual(local.result.map);
        expect(opened!.resumedJobs).toBe(0);
        // Both workers took part.
        const r = await execSql(
          db.url,
          `SELECT count(DISTINCT worker)::int AS n FROM interlock_chunks WHERE experiment = '${opened!.id}'`,
        );
        expect((r[0]!.rows[0] as { n: number }).n).toBe(2);
      }

      // Stopped a third of the way through, then the same calibration again: it takes the
      // finished (and still queued) jobs from the database and sends only the rest.
      const local = await calibrate(load('smc'), { jobs: 1 });
      const key = { ...load('smc').spec, seed: 22 };
      const localOther = await calibrate(
        (() => {
          const l = load('smc');
          l.spec.seed = 22;
          return l;
        })(),
        { jobs: 1 },
      );
      expect(posteriorCsv(localOther)).not.toBe(posteriorCsv(local));
      const runQueued = async (signal?: AbortSignal, onPoints?: (n: number) => void) => {
        let opened: QueuedLikelihood | undefined;
        const l = load('smc');
        l.spec.seed = 22;
        const outcome = await calibrate(l, {
          jobs: 1,
          signal,
          evaluator: async (loaded) =>
            (opened = await QueuedLikelihood.open(loaded.definition, {
              url: db.url,
              key,
              sliceSize: 25,
              pollMs: 50,
              signal,
              onProgress: (points) => onPoints?.(points),
            })),
        });
        return { outcome, opened: opened! };
      };
      const controller = new AbortController();
      const total = localOther.result.evaluations;
      const first = await runQueued(controller.signal, (n) => n >= total / 3 && controller.abort());
      expect(first.outcome.result.interrupted).toBe(true);
      const second = await runQueued();
      expect(second.opened.id).toBe(first.opened.id);
      expect(second.outcome.result.interrupted).toBe(false);
      expect(posteriorCsv(second.outcome)).toBe(posteriorCsv(localOther));
      expect(second.opened.resumedJobs).toBeGreaterThan(0);
      const rows = await execSql(
        db.url,
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'done')::int AS done
         FROM interlock_chunks WHERE experiment = '${first.opened.id}'`,
      );
      const counts = rows[0]!.rows[0] as { n: number; done: number };
      expect(counts.n).toBe(first.opened.sentJobs + second.opened.sentJobs);
      expect(second.opened.resumedJobs + second.opened.sentJobs).toBe(counts.n);
      expect(counts.done).toBe(counts.n);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      for (const w of workers) await w.exited;
      await db.drop();
    }
  }, 300_000);

  it('the CLI: progress across workers, the same posterior.csv as a local run; a database that goes away stops it with a message', async () => {
    const db = await freshDatabase('interlock_calq');
    const worker = cli(['worker', '--queue', db.url, '--quiet', '--lost-after', '2'], dir);
    try {
      const localOut = join(dir, 'cli-local');
      const queuedOut = join(dir, 'cli-queued');
      const local = await cli(['calibrate', specFile, '--out', localOut, '-q', '--jobs', '1'], dir).exited;
      expect(local.code).toBe(0);
      const queued = await cli(
        ['calibrate', specFile, '--out', queuedOut, '--queue', db.url, '--chunk-size', '40'],
        dir,
      ).exited;
      expect(queued.stderr).toMatch(/calibrate: .*runs\/s.* 1 worker/);
      expect(queued.stderr).toMatch(
        /queue: calibration cal-\w+, \d+ jobs sent, 0 taken from an earlier run, 1 worker\(s\)/,
      );
      expect(queued.code).toBe(0);
      expect(readFileSync(join(queuedOut, 'posterior.csv'), 'utf8')).toBe(
        readFileSync(join(localOut, 'posterior.csv'), 'utf8'),
      );

      // Dropped in the middle of a calibration (a different seed: nothing in the database yet).
      const l = load('smc');
      l.spec.seed = 99;
      let dropping: Promise<void> | undefined;
      const err = await calibrate(l, {
        jobs: 1,
        evaluator: (loaded) =>
          QueuedLikelihood.open(loaded.definition, {
            url: db.url,
            key: loaded.spec,
            sliceSize: 25,
            onProgress: (points) => {
              if (points >= 400) dropping ??= db.drop();
            },
          }),
      }).catch((e: unknown) => e);
      await dropping;
      expect(err).toBeInstanceOf(QueueError);
      expect((err as Error).message).toMatch(
        /calibration cal-\w+, jobs \d+-\d+: lost the queue database postgres:\/\/[^:]+@127\.0\.0\.1(:\d+)?\/interlock_calq_\w+/,
      );
      const exit = await worker.exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('lost the queue database');
    } finally {
      worker.child.kill('SIGKILL');
      await db.drop();
    }
  }, 300_000);
});
