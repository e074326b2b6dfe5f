import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, loadSpecFile } from './explore.js';
import { morrisDesign, saltelliDesign } from './samplers.js';
import {
  analyseSensitivity,
  morrisIndices,
  sensitivityJson,
  sobolIndices,
  type SobolResult,
} from './sensitivity.js';
import { loadTable } from './store.js';

const ISHIGAMI = { S1: [0.313905, 0.442411, 0], ST: [0.557589, 0.442411, 0.243684], S13: 0.243684 };
const G_A = [0, 1, 4.5, 9, 99, 99, 99, 99];
const G = {
  S1: [0.716192, 0.179048, 0.023676, 0.007162, 0.0000716, 0.0000716, 0.0000716, 0.0000716],
  ST: [0.787144, 0.242198, 0.034317, 0.01046, 0.000105, 0.000105, 0.000105, 0.000105],
  S12: 0.059683,
};

function ishigami(u: Float64Array): number {
  const [x1, x2, x3] = Array.from(u, (v) => -Math.PI + 2 * Math.PI * v);
  return Math.sin(x1) + 7 * Math.sin(x2) ** 2 + 0.1 * x3 ** 4 * Math.sin(x1);
}
function gFunction(u: Float64Array): number {
  let g = 1;
  for (let i = 0; i < G_A.length; i++) g *= (Math.abs(4 * u[i] - 2) + G_A[i]) / (1 + G_A[i]);
  return g;
}

function evaluate(base: number, dims: number, seed: number, f: (u: Float64Array) => number): Float64Array {
  const design = saltelliDesign(base, dims, seed, true);
  const row = new Float64Array(dims);
  const y = new Float64Array(design.rows);
  for (let i = 0; i < design.rows; i++) {
    design.row(i, row);
    y[i] = f(row);
  }
  return y;
}

function maxError(r: SobolResult, S1: number[], ST: number[]): number {
  let e = 0;
  S1.forEach((s, j) => (e = Math.max(e, Math.abs(r.S1[j] - s), Math.abs(r.ST[j] - ST[j]))));
  return e;
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `x${i + 1}`);

describe("Sobol' indices", () => {
  for (const seed of [1, 2, 3]) {
    it(`recovers the Ishigami indices (seed ${seed}): error < 0.03 at N=2^10, < 0.01 at 2^12`, () => {
      const small = sobolIndices(evaluate(2 ** 10, 3, seed, ishigami), names(3), true, { seed });
      expect(maxError(small, ISHIGAMI.S1, ISHIGAMI.ST)).toBeLessThan(0.03);
      const large = sobolIndices(evaluate(2 ** 12, 3, seed, ishigami), names(3), true, { seed });
      expect(maxError(large, ISHIGAMI.S1, ISHIGAMI.ST)).toBeLessThan(0.01);
      expect(large.S2[0][2]).toBeCloseTo(ISHIGAMI.S13, 1);
      expect(Math.abs(large.S2[0][1])).toBeLessThan(0.05);
      // Bootstrap intervals are sensible: positive and of the order of the estimator's error.
      for (const c of [...large.S1_conf, ...large.ST_conf]) expect(c > 0 && c < 0.1).toBe(true);
    });
  }

  it('recovers the Sobol G-function indices: error < 0.03 at N=2^10, < 0.01 at 2^12', () => {
    const small = sobolIndices(evaluate(2 ** 10, 8, 4, gFunction), names(8), true);
    expect(maxError(small, G.S1, G.ST)).toBeLessThan(0.03);
    const large = sobolIndices(evaluate(2 ** 12, 8, 4, gFunction), names(8), true);
    expect(maxError(large, G.S1, G.ST)).toBeLessThan(0.01);
    expect(large.S2[0][1]).toBeCloseTo(G.S12, 1);
  });

  it('drops whole base blocks whose runs failed and still estimates from the rest', () => {
    const y = evaluate(2 ** 12, 3, 9, ishigami);
    // Fail ~10% of rows at random positions (independent of the inputs, so no bias).
    const failed = (row: number): boolean => (row * 2654435761) % 97 < 1;
    const r = sobolIndices(y, names(3), true, {}, (row) => !failed(row));
    expect(r.droppedBaseSamples).toBeGreaterThan(0);
    expect(r.baseSamples + r.droppedBaseSamples).toBe(2 ** 12);
    expect(maxError(r, ISHIGAMI.S1, ISHIGAMI.ST)).toBeLessThan(0.03);
  });
});

describe('Morris elementary effects', () => {
  it('gives mu* = |coefficient| and sigma = 0 on a linear function', () => {
    const design = morrisDesign(30, 3, 2, 4);
    const row = new Float64Array(3);
    const inputs = [0, 1, 2].map(() => new Float64Array(design.rows));
    const y = new Float64Array(design.rows);
    for (let i = 0; i < design.rows; i++) {
      design.row(i, row);
      row.forEach((v, d) => (inputs[d][i] = v));
      y[i] = row[0] - 2 * row[1];
    }
    const r = morrisIndices(inputs, y, names(3), 4);
    expect(r.muStar[0]).toBeCloseTo(1, 10);
    expect(r.muStar[1]).toBeCloseTo(2, 10);
    expect(r.mu[1]).toBeCloseTo(-2, 10);
    expect(r.muStar[2]).toBeCloseTo(0, 10);
    expect(r.sigma[0]).toBeCloseTo(0, 10);
    expect(r.effects).toEqual([30, 30, 30]);
  });

  it('ranks Ishigami inputs by mu* with x3 interacting (sigma > 0)', () => {
    const design = morrisDesign(200, 3, 5, 4);
    const row = new Float64Array(3);
    const inputs = [0, 1, 2].map(() => new Float64Array(design.rows));
    const y = new Float64Array(design.rows);
    for (let i = 0; i < design.rows; i++) {
      design.row(i, row);
      row.forEach((v, d) => (inputs[d][i] = v));
      y[i] = ishigami(row);
    }
    const r = morrisIndices(inputs, y, names(3), 4);
    expect(r.sigma[2]).toBeGreaterThan(0.5);
    expect(r.muStar.every((m) => m > 0)).toBe(true);
  });
});

describe('sensitivity over experiment results', () => {
  const root = mkdtempSync(join(tmpdir(), 'interlock-sa-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs a Sobol experiment through the worker pool and reports SALib-style JSON', async () => {
    const specFile = join(root, 'spec.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        model: 'builtin:ishigami',
        seed: 42,
        samples: 1024,
        method: 'sobol',
        uncertainties: ['x1', 'x2', 'x3'].map((name) => ({
          name,
          dist: 'uniform',
          low: -Math.PI,
          high: Math.PI,
        })),
        outcomes: [{ name: 'y' }],
      }),
    );
    const dir = join(root, 'out');
    await explore(loadSpecFile(specFile), { outDir: dir, jobs: 2 });
    const { table } = loadTable(dir);
    expect(table.rows).toBe(1024 * 8);
    const json = sensitivityJson(analyseSensitivity(table), 0);
    const y = json.y as Record<string, { S1: number; ST: number; S1_conf: number; ST_conf: number }>;
    ['x1', 'x2', 'x3'].forEach((x, j) => {
      expect(Math.abs(y[x].S1 - ISHIGAMI.S1[j])).toBeLessThan(0.03);
      expect(Math.abs(y[x].ST - ISHIGAMI.ST[j])).toBeLessThan(0.03);
      expect(y[x].S1_conf).toBeGreaterThan(0);
    });
  });
});
