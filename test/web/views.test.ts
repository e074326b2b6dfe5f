/**
 * The server's views of folders, against known answers: the Explore view of a results folder
 * (robustness, regret, satisficing, PRIM with base rate and significance) on the builtin linear
 * model y = x1 + 2 x2 + 0 x3, the calibration folder reader, and the case files read through
 * src/case (an unknown override refused with the CLI's message).
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, loadSpecFile } from '../../src/experiments/explore.js';
import { exploreView, ViewError } from '../../src/server/results-view.js';
import { readCaseData } from '../../src/server/case.js';
import { HttpError } from '../../src/server/http.js';
import { parseCsv, csvNumber } from '../../src/calibrate/read.js';
import { niceDomain, niceTicks, tickStep } from '../../src/chart/kit.js';

const root = mkdtempSync(join(tmpdir(), 'interlock-views-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function linearResults(): Promise<string> {
  const spec = join(root, 'linear.json');
  writeFileSync(
    spec,
    JSON.stringify({
      model: 'builtin:linear',
      seed: 11,
      samples: 400,
      method: 'lhs',
      uncertainties: [
        { name: 'x1', dist: 'uniform', low: 0, high: 1 },
        { name: 'x3', dist: 'uniform', low: 0, high: 1 },
      ],
      // The lever is a policy setting: crossed with the futures, never sampled.
      levers: [{ name: 'x2', values: [0, 1] }],
      outcomes: [{ name: 'y', variable: 'y', reduce: 'final' }],
    }),
  );
  const dir = join(root, 'linear-out');
  await explore(loadSpecFile(spec), { outDir: dir, inProcess: true });
  return dir;
}

describe('Explore view of a results folder', () => {
  it('gives regret, satisficing and PRIM their known answers on y = x1 + 2 x2', async () => {
    const dir = await linearResults();
    const v = exploreView(dir, { where: 'x1 > 0.8', policy: 'x2=0', regret: 'y', satisfice: 'y < 1' });
    expect(v.uncertainties).toEqual(['x1', 'x3']);
    expect(v.policies).toHaveLength(2);
    expect(v.source.rows).toBe(800);
    // Policy x2 = 0 is best in every future (y = x1 against x1 + 2): regret 0 and exactly 2.
    const [p0, p1] = v.robustness.policies;
    expect(p0!.outcomes.y!.regret).toEqual({ mean: 0, p90: 0, max: 0 });
    expect(p1!.outcomes.y!.regret!.mean).toBeCloseTo(2, 12);
    expect(p1!.outcomes.y!.regret!.max).toBeCloseTo(2, 12);
    // y < 1 holds in every future under x2 = 0 (x1 < 1) and in none under x2 = 1.
    expect(p0!.satisficing).toBe(1);
    expect(p1!.satisficing).toBe(0);
    // PRIM within x2 = 0: a fifth of the runs (LHS strata), a box on x1 alone, highly significant.
    const prim = v.prim!;
    if ('error' in prim) throw new Error(prim.error);
    expect(prim.runs).toBe(400);
    expect(prim.interest).toBe(80);
    expect(prim.baseRate).toBeCloseTo(0.2, 12);
    expect(prim.significant).toBe(true);
    expect(prim.restrictions.map((r) => r.name)).toEqual(['x1']);
    expect(prim.restrictions[0]!.low).toBeGreaterThan(0.75);
    expect(prim.restrictions[0]!.p).toBeLessThan(0.001);
    expect(prim.density).toBeGreaterThan(0.9);
    // Rank correlation with y, policies pooled: x1 drives it, x3 does nothing.
    const rho = Object.fromEntries(v.sensitivity!.rows.map((r) => [r.name, r.rho]));
    expect(rho.x1).toBeGreaterThan(0.4);
    expect(Math.abs(rho.x3!)).toBeLessThan(0.1);
  });

  it('reports no box when no restriction is significant, and names a bad expression', async () => {
    const dir = join(root, 'linear-out');
    // y never exceeds 1 under x2 = 0: with no run of interest no restriction can be significant.
    const none = exploreView(dir, { where: 'y > 5', policy: 'x2=0' });
    const prim = none.prim!;
    if ('error' in prim) throw new Error(prim.error);
    expect(prim.interest).toBe(0);
    expect(prim.significant).toBe(false);
    expect(() => exploreView(dir, { where: 'nope > 1' })).toThrow(ViewError);
    expect(() => exploreView(dir, { regret: 'nope' })).toThrow(/regret: no outcome 'nope'/);
  });
});

describe('case files through src/case', () => {
  it('refuses an override that names no parameter, with the file, path and the CLI message', () => {
    const dir = join(root, 'case');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'scenarios.json'),
      JSON.stringify({ tight: { description: 'x', overrides: { nope: 1 } } }),
    );
    let err: unknown;
    try {
      readCaseData(dir, { parameters: [{ name: 'capacity' }] }, root);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(422);
    expect((err as HttpError).details).toEqual([
      "case/scenarios.json: tight.overrides.nope: unknown parameter 'nope': not a constant or stock of the model",
    ]);
    // A known one is accepted and shaped by name.
    const ok = readCaseData(dir, { parameters: [{ name: 'nope' }] }, root);
    expect(ok!.scenarios).toEqual({ tight: { description: 'x', overrides: { nope: 1 } } });
  });
});

describe('calibration folder reader and the chart kit', () => {
  it('reads quoted CSV cells and the numbers output.ts writes', () => {
    expect(parseCsv('a,b\n"x, ""y""",2\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
    ]);
    expect([csvNumber('Inf'), csvNumber('-Inf'), csvNumber(''), csvNumber('1e-3')]).toEqual([
      Infinity,
      -Infinity,
      NaN,
      0.001,
    ]);
  });

  it('puts every value inside the axis: domains are whole tick steps covering the data', () => {
    // The compare report's incentive chart once stopped at 0 while its data reached +0.2.
    const [lo, hi] = niceDomain(-0.83, 0.2);
    expect(lo).toBeLessThanOrEqual(-0.83);
    expect(hi).toBeGreaterThanOrEqual(0.2);
    expect(niceTicks(lo, hi)).toContain(0);
    expect(tickStep(0, 10)).toBe(2);
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});
