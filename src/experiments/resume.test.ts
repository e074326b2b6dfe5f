/**
 * Results folders are never overwritten by accident, an interrupted or killed experiment resumes
 * to files byte-identical to an uninterrupted run, and runs with non-finite outputs are flagged.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetError } from '../model/budgets.js';
import { explore, loadSpecFile, OutDirError } from './explore.js';
import { createSimulation } from './model-source.js';
import { buildPlan } from './plan.js';
import { ChunkRunner, STATUS_NONFINITE, STATUS_OK, STATUS_PENDING } from './runner.js';
import { ResultsWriter, loadTable, pendingRanges, readMetadata } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'interlock-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeSpec(name: string, spec: object): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

const inputs = ['x1', 'x2', 'x3'].map((name) => ({ name, dist: 'uniform', low: -Math.PI, high: Math.PI }));
const FILES = ['status.u8', 'inputs.f64', 'outcomes/y.f64', 'series/ys.f64', 'failures.jsonl', 'results.csv'];

const flakySpec = () =>
  loadSpecFile(
    writeSpec('flaky.json', {
      model: 'builtin:ishigami-flaky',
      seed: 3,
      samples: 600,
      method: 'lhs',
      uncertainties: inputs,
      levers: [{ name: 'a', values: [7, 5] }],
      outcomes: [
        { name: 'y', variable: 'y' },
        { name: 'ys', variable: 'y', reduce: 'series' },
      ],
    }),
  );

function expectSameFiles(a: string, b: string): void {
  for (const f of FILES) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
}

describe('explore --out', () => {
  const whole = join(root, 'whole');

  it('refuses a folder that already holds results, unless --resume or --force', async () => {
    const loaded = flakySpec();
    await explore(loaded, { outDir: whole, inProcess: true, chunkSize: 100 });
    const before = readFileSync(join(whole, 'status.u8'));
    const err = await explore(loaded, { outDir: whole, inProcess: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutDirError);
    expect((err as Error).message).toContain(
      'already holds experiment results (1,200 of 1,200 runs, complete)',
    );
    expect((err as Error).message).toContain('--resume finishes them, --force replaces them');
    expect(readFileSync(join(whole, 'status.u8')).equals(before)).toBe(true);

    // A folder of other files is refused even with --force: explore deletes only its own files.
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    for (const flags of [{}, { force: true }]) {
      const e = await explore(loaded, { outDir: other, inProcess: true, ...flags }).catch((x: unknown) => x);
      expect((e as Error).message).toContain('holds no experiment results');
    }
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('mine');

    const forced = join(root, 'forced');
    await explore(loaded, { outDir: forced, inProcess: true, samples: 10 });
    await explore(loaded, { outDir: forced, inProcess: true, chunkSize: 100, force: true });
    expectSameFiles(whole, forced);
  });

  it('resumes after an interruption to files identical to an uninterrupted run', async () => {
    const loaded = flakySpec();
    const dir = join(root, 'interrupted');
    const controller = new AbortController();
    const first = await explore(loaded, {
      outDir: dir,
      jobs: 2,
      chunkSize: 37,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 300) controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    const meta = readMetadata(dir);
    expect(meta.state).toBe('interrupted');
    expect(meta.completedRuns).toBeLessThan(1200);
    expect(pendingRanges(dir, 1200).length).toBeGreaterThan(0);
    const second = await explore(loaded, { outDir: dir, jobs: 1, chunkSize: 50, resume: true });
    expect(second.interrupted).toBe(false);
    expect(second.metadata.state).toBe('complete');
    expect(second.metadata.completedRuns).toBe(1200);
    expectSameFiles(whole, dir);
  });

  it('resumes a folder left as a kill would leave it (rows missing anywhere, state "running")', async () => {
    const loaded = flakySpec();
    const dir = join(root, 'killed');
    await explore(loaded, { outDir: dir, inProcess: true, chunkSize: 64 });
    // Unwritten status bytes are zeros: clear three scattered ranges, and a torn last failure line.
    const status = readFileSync(join(dir, 'status.u8'));
    for (const [s, e] of [
      [0, 5],
      [400, 460],
      [1190, 1200],
    ])
      status.fill(STATUS_PENDING, s, e);
    writeFileSync(join(dir, 'status.u8'), status);
    writeFileSync(
      join(dir, 'failures.jsonl'),
      readFileSync(join(dir, 'failures.jsonl'), 'utf8') + '{"row": 4',
    );
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    writeFileSync(
      join(dir, 'metadata.json'),
      JSON.stringify({ ...meta, state: 'running', completedRuns: 0 }),
    );
    expect(pendingRanges(dir, 1200)).toEqual([
      [0, 5],
      [400, 460],
      [1190, 1200],
    ]);
    let ran = 0;
    const r = await explore(loaded, {
      outDir: dir,
      inProcess: true,
      resume: true,
      onProgress: (done) => (ran = done),
    });
    expect(r.modelSeconds).toBeGreaterThan(0);
    expect(ran).toBe(1200);
    expectSameFiles(whole, dir);
    expect(readMetadata(dir).state).toBe('complete');
  });

  it('resumes a folder killed before its first finish: series rows written then are kept', async () => {
    // A kill after some chunks are on disk but before the writer ever finished: what is on disk
    // is exactly what write() left (a killed process loses no written bytes, only what it had
    // not written yet). The resumed run must keep those rows' series, not start the file anew.
    const loaded = flakySpec();
    const dir = join(root, 'killed-early');
    const plan = buildPlan(loaded.spec, loaded.scenarios);
    const runner = new ChunkRunner(plan, createSimulation(loaded.model, plan.spec));
    const killed = new ResultsWriter(dir, plan, {
      modelHash: loaded.modelHash,
      specFile: loaded.specFile,
      jobs: 1,
    });
    killed.write(runner.run(0, 500));
    killed.write(runner.run(700, 800));
    // The folder says what its series hold as soon as any series row is on disk.
    expect(readMetadata(dir).times).toHaveLength(runner.savedTimes);
    expect(pendingRanges(dir, 1200)).toEqual([
      [500, 700],
      [800, 1200],
    ]);
    let ran = 0;
    await explore(loaded, { outDir: dir, inProcess: true, resume: true, onProgress: (done) => (ran = done) });
    expect(ran).toBe(1200);
    expectSameFiles(whole, dir);
    expect(readMetadata(dir).state).toBe('complete');

    // The same kill in a folder whose metadata.json has no times (as interlock wrote them before
    // it recorded the times early): the series rows on disk are still kept.
    const old = join(root, 'killed-early-old');
    const writer = new ResultsWriter(old, plan, {
      modelHash: loaded.modelHash,
      specFile: loaded.specFile,
      jobs: 1,
    });
    writer.write(runner.run(0, 500));
    const meta = JSON.parse(readFileSync(join(old, 'metadata.json'), 'utf8'));
    delete meta.times;
    writeFileSync(join(old, 'metadata.json'), JSON.stringify(meta));
    await explore(loaded, { outDir: old, inProcess: true, resume: true });
    expectSameFiles(whole, old);
  });

  it('refuses to resume with a different spec', async () => {
    const loaded = flakySpec();
    const e = await explore(
      { ...loaded, spec: { ...loaded.spec, seed: 4 } },
      { outDir: whole, inProcess: true, resume: true },
    ).catch((x: unknown) => x);
    expect((e as Error).message).toContain('holds results of a different spec');
    const none = await explore(loaded, { outDir: join(root, 'nothing'), resume: true }).catch(
      (x: unknown) => x,
    );
    expect((none as Error).message).toContain('nothing to resume');
  });
});

describe('experiment budgets', () => {
  const spec = (samples: number) =>
    loadSpecFile(
      writeSpec(`big-${samples}.json`, {
        model: 'builtin:ishigami',
        samples,
        method: 'lhs',
        uncertainties: inputs,
        outcomes: [{ name: 'y', variable: 'y' }],
      }),
    );

  it('10^9 samples are refused before the design is built', async () => {
    const started = performance.now();
    const dir = join(root, 'huge');
    const e = await explore(spec(1e9), { outDir: dir, inProcess: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BudgetError);
    expect((e as BudgetError).budget).toBe('runs');
    expect((e as Error).message).toContain('1,000,000,000');
    expect((e as Error).message).toContain('--budget runs=N');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(existsSync(dir)).toBe(false);
  });

  it('more workers than cores are refused unless the workers budget is raised', async () => {
    const e = await explore(spec(10), { outDir: join(root, 'j'), jobs: 1000 }).catch((x: unknown) => x);
    expect((e as BudgetError).budget).toBe('workers');
    expect((e as Error).message).toContain('--budget workers=N');
    const ok = await explore(spec(10), {
      outDir: join(root, 'j3'),
      jobs: 3,
      chunkSize: 4,
      budgets: { workers: 3 },
    });
    expect(ok.metadata.completedRuns).toBe(10);
  });
});

describe('non-finite outputs', () => {
  it('a run whose outputs overflow is flagged non-finite, not ok', async () => {
    const model = join(root, 'overflow.xmile');
    writeFileSync(
      model,
      `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>overflow</name></header>
<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
<model><variables><aux name="x"><eqn>0</eqn></aux><aux name="y"><eqn>x * 10</eqn></aux></variables></model>
</xmile>`,
    );
    const loaded = loadSpecFile(
      writeSpec('overflow.json', {
        model: 'overflow.xmile',
        samples: 200,
        method: 'mc',
        uncertainties: [{ name: 'x', dist: 'uniform', low: -1e308, high: 1e308 }],
        outcomes: [{ name: 'y', variable: 'y' }],
      }),
    );
    const dir = join(root, 'overflow');
    const r = await explore(loaded, { outDir: dir, inProcess: true });
    const { table } = loadTable(dir);
    // Independently: 10 x overflows exactly when |x| > MAX_VALUE / 10.
    let expected = 0;
    for (let i = 0; i < 200; i++) {
      const overflow = !Number.isFinite(table.inputs[0]![i]! * 10);
      if (overflow) expected++;
      expect(table.status[i]).toBe(overflow ? STATUS_NONFINITE : STATUS_OK);
    }
    expect(expected).toBeGreaterThan(150);
    expect(r.metadata.nonFiniteRuns).toBe(expected);
    expect(r.metadata.failedRuns).toBe(0);
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toContain(',nonfinite,');
  });
});
