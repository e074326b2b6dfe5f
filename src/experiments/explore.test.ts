import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, loadSpecFile } from './explore.js';
import { builtinSimulation } from './builtin.js';
import { buildPlan } from './plan.js';
import { ChunkRunner, STATUS_FAILED, STATUS_OK } from './runner.js';
import { parseSpec, SpecError } from './spec.js';
import { loadTable, readSeries, ResultsWriter } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'interlock-explore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeSpec(name: string, spec: object): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

const ishigamiInputs = ['x1', 'x2', 'x3'].map((name) => ({
  name,
  dist: 'uniform',
  low: -Math.PI,
  high: Math.PI,
}));

describe('explore', () => {
  it('gives byte-identical results with 1 and 2 workers and in-process', async () => {
    const specFile = writeSpec('ishigami.json', {
      model: 'builtin:ishigami',
      seed: 5,
      samples: 3000,
      method: 'lhs',
      uncertainties: ishigamiInputs,
      levers: [{ name: 'a', values: [7, 5] }],
      outcomes: [{ name: 'y', variable: 'y', reduce: 'final' }],
    });
    const loaded = loadSpecFile(specFile);
    const dirs = ['one', 'two', 'inproc'].map((d) => join(root, d));
    await explore(loaded, { outDir: dirs[0], jobs: 1, chunkSize: 97 });
    await explore(loaded, { outDir: dirs[1], jobs: 2, chunkSize: 64 });
    await explore(loaded, { outDir: dirs[2], inProcess: true, chunkSize: 500 });
    for (const file of ['status.u8', 'inputs.f64', 'outcomes/y.f64', 'results.csv']) {
      const a = readFileSync(join(dirs[0], file));
      expect(readFileSync(join(dirs[1], file)).equals(a)).toBe(true);
      expect(readFileSync(join(dirs[2], file)).equals(a)).toBe(true);
    }
    const { table, meta } = loadTable(dirs[1]);
    expect(meta.state).toBe('complete');
    expect(table.rows).toBe(6000);
    expect(table.policyNames).toEqual(['a=7', 'a=5']);
    // The function is evaluated correctly, and both policies see the same sampled futures.
    for (const row of [0, 1234, 2999]) {
      const [x1, x2, x3] = table.inputs.map((c) => c[row]);
      const f = (a: number): number => Math.sin(x1) + a * Math.sin(x2) ** 2 + 0.1 * x3 ** 4 * Math.sin(x1);
      expect(table.outcomes[0][row]).toBeCloseTo(f(7), 12);
      expect(table.inputs[0][row + 3000]).toBe(x1);
      expect(table.outcomes[0][row + 3000]).toBeCloseTo(f(5), 12);
    }
    expect(meta.modelHash).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.interlockVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('records failed runs without stopping the ensemble', async () => {
    const specFile = writeSpec('flaky.json', {
      model: 'builtin:ishigami-flaky',
      seed: 1,
      samples: 400,
      method: 'mc',
      uncertainties: ishigamiInputs,
      outcomes: [
        { name: 'y', variable: 'y' },
        { name: 'ys', variable: 'y', reduce: 'series' },
      ],
    });
    const dir = join(root, 'flaky');
    const result = await explore(loadSpecFile(specFile), { outDir: dir, jobs: 2, chunkSize: 50 });
    const { table, meta } = loadTable(dir);
    const series = readSeries(
      dir,
      meta,
      'ys',
      Array.from({ length: table.rows }, (_, i) => i),
    );
    let failed = 0;
    for (let i = 0; i < table.rows; i++) {
      const shouldFail = table.inputs[0][i] > 2.5;
      expect(table.status[i]).toBe(shouldFail ? STATUS_FAILED : STATUS_OK);
      if (shouldFail) {
        failed++;
        expect(Number.isNaN(table.outcomes[0][i])).toBe(true);
        expect(Number.isNaN(series[i])).toBe(true);
      } else {
        expect(series[i]).toBe(table.outcomes[0][i]);
      }
    }
    expect(failed).toBeGreaterThan(0);
    expect(result.metadata.failedRuns).toBe(failed);
    const failures = readFileSync(join(dir, 'failures.jsonl'), 'utf8').trim().split('\n');
    expect(failures).toHaveLength(failed);
    expect(JSON.parse(failures[0]).message).toMatch(/diverged/);
  });

  it('writes the results.csv its workers format, byte for byte the table the columns give', async () => {
    const specFile = writeSpec('flaky-levers.json', {
      model: 'builtin:ishigami-flaky',
      seed: 9,
      samples: 500,
      method: 'lhs',
      uncertainties: ishigamiInputs,
      levers: [{ name: 'a', values: [7, 5, 3] }],
      outcomes: [
        { name: 'y', variable: 'y' },
        { name: 'ymax', variable: 'y', reduce: 'max' },
      ],
    });
    const loaded = loadSpecFile(specFile);
    const dir = join(root, 'streamed');
    // Small chunks on two workers: they finish out of order, and the stream puts them back in order.
    await explore(loaded, { outDir: dir, jobs: 2, chunkSize: 37 });
    const streamed = readFileSync(join(dir, 'results.csv'), 'utf8');
    expect(existsSync(join(dir, 'results.csv.part'))).toBe(false);
    const { table } = loadTable(dir);
    const lines = streamed.trimEnd().split('\n');
    expect(lines[0]).toBe('run,policy,scenario,a,x1,x2,x3,status,y,ymax');
    expect(lines).toHaveLength(1 + 1500);
    const failedRow = Array.from(table.status).indexOf(STATUS_FAILED);
    expect(failedRow).toBeGreaterThanOrEqual(0);
    const policy = Math.floor(failedRow / 500);
    expect(lines[1 + failedRow]).toBe(
      `${failedRow},a=${[7, 5, 3][policy]},,${[7, 5, 3][policy]},` +
        `${table.inputs.map((c) => String(c[failedRow])).join(',')},failed,,`,
    );
    const okRow = Array.from(table.status).indexOf(STATUS_OK, 1000);
    expect(lines[1 + okRow].split(',').slice(-3)).toEqual([
      'ok',
      String(table.outcomes[0][okRow]),
      String(table.outcomes[1][okRow]),
    ]);
    // --resume on the complete folder runs nothing and writes the table from the columns.
    await explore(loaded, { outDir: dir, jobs: 1, resume: true });
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe(streamed);

    // The chunks of a run arriving in reverse order give the same file.
    const plan = buildPlan(loaded.spec, loaded.scenarios);
    const runner = new ChunkRunner(plan, builtinSimulation('ishigami-flaky'), { csv: true });
    const reversed = join(root, 'streamed-reversed');
    const writer = new ResultsWriter(reversed, plan, { modelHash: loaded.modelHash, jobs: 1 });
    const starts = Array.from({ length: Math.ceil(plan.rows / 37) }, (_, i) => i * 37).reverse();
    for (const start of starts) writer.write(runner.run(start, Math.min(plan.rows, start + 37)));
    writer.finish('complete', 0);
    expect(readFileSync(join(reversed, 'results.csv'), 'utf8')).toBe(streamed);
  });

  it('keeps series outcomes and reduces them (logistic growth, exact solution)', async () => {
    const specFile = writeSpec('logistic.json', {
      model: 'builtin:logistic',
      seed: 2,
      samples: 20,
      uncertainties: [{ name: 'r', dist: 'uniform', low: 0.1, high: 0.5 }],
      outcomes: [
        { name: 'path', variable: 'x', reduce: 'series' },
        { name: 'half', variable: 'x', reduce: 'crossing', threshold: 50 },
        { name: 'peak', variable: 'x', reduce: 'max' },
        { name: 'at10', variable: 'x', reduce: 'at', time: 10 },
      ],
    });
    const dir = join(root, 'logistic');
    await explore(loadSpecFile(specFile), { outDir: dir, jobs: 1 });
    const { table, meta } = loadTable(dir);
    expect(meta.times).toHaveLength(51);
    const series = readSeries(dir, meta, 'path', [3]);
    const r = table.inputs[0][3];
    const exact = (t: number): number => (100 * Math.exp(r * t)) / (100 + Math.exp(r * t) - 1);
    expect(series[20]).toBeCloseTo(exact(20), 10);
    // x = 50 when e^{rt} = 99: t = ln(99)/r; linear interpolation on a unit grid is close.
    expect(table.outcomes[1][3]).toBeCloseTo(Math.log(99) / r, 0);
    expect(table.outcomes[2][3]).toBeCloseTo(exact(50), 10);
    expect(table.outcomes[3][3]).toBeCloseTo(exact(10), 10);
  });

  it('stops cleanly on abort and keeps every finished run', async () => {
    const specFile = writeSpec('long.json', {
      model: 'builtin:ishigami',
      seed: 4,
      samples: 200_000,
      method: 'mc',
      uncertainties: ishigamiInputs,
      outcomes: [{ name: 'y' }],
    });
    const dir = join(root, 'aborted');
    const controller = new AbortController();
    const result = await explore(loadSpecFile(specFile), {
      outDir: dir,
      jobs: 2,
      chunkSize: 10_000,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(result.interrupted).toBe(true);
    const { table, meta } = loadTable(dir);
    expect(meta.state).toBe('interrupted');
    let ran = 0;
    for (let i = 0; i < table.rows; i++) {
      if (table.status[i] === STATUS_OK) {
        ran++;
        expect(Number.isFinite(table.outcomes[0][i])).toBe(true);
      } else {
        expect(table.status[i]).toBe(0);
      }
    }
    expect(ran).toBe(meta.completedRuns);
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(table.rows);
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8');
    expect(csv.split('\n').length - 2).toBe(table.rows);
    expect(existsSync(join(dir, 'results.csv.part'))).toBe(false);
  });

  it('ends a chunk early when asked to stop, keeping the rows that ran', () => {
    const spec = parseSpec({
      model: 'builtin:ishigami',
      samples: 50,
      method: 'mc',
      uncertainties: ishigamiInputs,
      outcomes: [{ name: 'y' }, { name: 'y2', variable: 'y', reduce: 'max' }],
    });
    const plan = buildPlan(spec);
    const runner = new ChunkRunner(plan, builtinSimulation(spec.model));
    const full = runner.run(10, 40);
    let calls = 0;
    const partial = runner.run(10, 40, () => ++calls > 7);
    expect(partial.count).toBe(7);
    expect(Array.from(partial.status)).toEqual(Array(7).fill(STATUS_OK));
    expect(Array.from(partial.inputs)).toEqual(Array.from(full.inputs.subarray(0, 7 * 3)));
    // Outcome-major scalars are repacked: outcome 1 starts at index 7.
    expect(Array.from(partial.scalars.subarray(7, 14))).toEqual(Array.from(full.scalars.subarray(30, 37)));
  });

  it('names the wrong field of a bad spec', () => {
    const bad = (spec: object): string => {
      try {
        loadSpecFile(writeSpec('bad.json', spec));
      } catch (err) {
        expect(err).toBeInstanceOf(SpecError);
        return (err as Error).message;
      }
      return 'no error';
    };
    const base = { model: 'builtin:ishigami', outcomes: [{ name: 'y' }] };
    expect(bad({ ...base, uncertainties: [{ name: 'x1', dist: 'uniform', low: 1, high: 0 }] })).toMatch(
      /uncertainties\[0\]\.high: must be greater than low/,
    );
    expect(bad({ ...base, uncertainties: [{ name: 'x1', dist: 'weibull' }] })).toMatch(
      /uncertainties\[0\]\.dist: must be one of/,
    );
    expect(bad({ ...base, method: 'halton', uncertainties: ishigamiInputs })).toMatch(
      /method: must be one of/,
    );
    expect(bad({ ...base, outcomes: [{ name: 'y', reduce: 'at' }] })).toMatch(
      /outcomes\[0\]\.time: is required/,
    );
    expect(bad({ ...base, uncertainties: ishigamiInputs, scenarios: ['x'] })).toMatch(
      /scenario file .* not found/,
    );
    expect(bad({ model: 'nowhere.xmile', outcomes: [{ name: 'y' }] })).toMatch(
      /model: cannot read model nowhere.xmile/,
    );
  });

  it('reports a spec naming an unknown model parameter', async () => {
    const specFile = writeSpec('unknown.json', {
      model: 'builtin:ishigami',
      uncertainties: [{ name: 'x9', dist: 'uniform', low: 0, high: 1 }],
      outcomes: [{ name: 'y' }],
    });
    await expect(explore(loadSpecFile(specFile), { outDir: join(root, 'unknown'), jobs: 1 })).rejects.toThrow(
      /uncertainties\[0\]\.variable: the model has no settable parameter 'x9'/,
    );
  });
});

describe('random functions in an ensemble', () => {
  const model = `<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>noise</name></header>
<sim_specs><start>0</start><stop>10</stop><dt>1</dt></sim_specs>
<model><variables>
<stock name="walk"><eqn>0</eqn><inflow>step</inflow></stock>
<flow name="step"><eqn>NORMAL(0, 1) + a + k</eqn></flow>
<aux name="a"><eqn>0</eqn></aux>
<aux name="k"><eqn>0</eqn></aux>
</variables></model>
</xmile>`;

  it('draws a different future per sample, the same one under every policy, and repeats exactly', async () => {
    writeFileSync(join(root, 'noise.xmile'), model);
    const specFile = writeSpec('noise.json', {
      model: 'noise.xmile',
      seed: 5,
      samples: 8,
      method: 'mc',
      uncertainties: [{ name: 'a', dist: 'uniform', low: 0, high: 1e-12 }],
      levers: [{ name: 'k', values: [0, 1] }],
      outcomes: [{ name: 'end', variable: 'walk', reduce: 'final' }],
    });
    const first = join(root, 'noise-1');
    const second = join(root, 'noise-2');
    await explore(loadSpecFile(specFile), { outDir: first, inProcess: true });
    await explore(loadSpecFile(specFile), { outDir: second, inProcess: true });
    const a = loadTable(first).table.outcomes[0]!;
    const b = loadTable(second).table.outcomes[0]!;
    expect(Array.from(b)).toEqual(Array.from(a));
    const policy0 = Array.from(a).slice(0, 8);
    const policy1 = Array.from(a).slice(8, 16);
    // k = 1 adds exactly 1 per step over 10 steps; the noise is the same future for both policies.
    policy1.forEach((v, i) => expect(v - policy0[i]!).toBeCloseTo(10, 9));
    expect(new Set(policy0.map((v) => v.toFixed(9))).size).toBe(8);
  });

  it('names the outcome whose variable a model file lacks (a spec error, not an internal one)', async () => {
    writeFileSync(join(root, 'noise.xmile'), model);
    const specFile = writeSpec('noise-bad-outcome.json', {
      model: 'noise.xmile',
      samples: 2,
      uncertainties: [{ name: 'a', dist: 'uniform', low: 0, high: 1 }],
      outcomes: [
        { name: 'end', variable: 'walk' },
        { name: 'lost', variable: 'no_such_stock' },
      ],
    });
    const err = await explore(loadSpecFile(specFile), { outDir: join(root, 'bad-outcome'), jobs: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).field).toBe('outcomes[1].variable');
    expect((err as Error).message).toMatch(/unknown variable\(s\): no_such_stock \(not in .*noise\.xmile\)/);
  });
});
