import { describe, expect, it } from 'vitest';
import { buildPlan } from './plan.js';
import { parseSpec, SpecError } from './spec.js';

/** Two inputs drawn jointly from a posterior sample of 8 draws, one independent input. */
function spec(method = 'lhs', samples = 8, extra: object[] = []) {
  const a = [1, 2, 3, 4, 5, 6, 7, 8];
  return parseSpec({
    model: 'builtin:ishigami',
    method,
    samples,
    seed: 7,
    uncertainties: [
      { name: 'a', dist: 'draws', group: 'posterior', values: a },
      { name: 'free', dist: 'uniform', low: 0, high: 1 },
      { name: 'b', dist: 'draws', group: 'posterior', values: a.map((x) => -10 * x) },
      ...extra,
    ],
    outcomes: [{ name: 'y', variable: 'y' }],
  });
}

function rows(plan: ReturnType<typeof buildPlan>) {
  const unit = new Float64Array(plan.design.dims);
  const out: number[][] = [];
  for (let r = 0; r < plan.designRows; r++) {
    plan.design.row(r, unit);
    out.push(plan.distributions.map((d, i) => d.quantile(unit[i])));
  }
  return out;
}

describe('joint draws (a posterior sample as experiment inputs)', () => {
  it('takes every input of a group from the same draw, so correlations survive', () => {
    for (const r of rows(buildPlan(spec('mc', 50)))) expect(r[2]).toBe(-10 * r[0]);
  });

  it('under LHS with as many samples as draws, uses each draw exactly once', () => {
    const used = rows(buildPlan(spec('lhs', 8))).map((r) => r[0]);
    expect([...used].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps the independent input independent of the group (its own coordinate)', () => {
    const r = rows(buildPlan(spec('lhs', 400)));
    const free = r.map((x) => x[1]);
    // Its own LHS column: one point in each of 400 strata of [0, 1).
    const strata = new Set(free.map((f) => Math.floor(f * 400)));
    expect(strata.size).toBe(400);
  });

  it('refuses groups of unequal length and methods other than mc and lhs', () => {
    expect(() => spec('lhs', 8, [{ name: 'c', dist: 'draws', group: 'posterior', values: [1, 2] }])).toThrow(
      /group 'posterior' has 8 draws in uncertainties\[0\] but 2 here/,
    );
    expect(() => spec('sobol', 8)).toThrow(SpecError);
    expect(() => spec('sobol', 8)).toThrow(/uncertainties\[0\]\.dist: joint draws work with the mc and lhs/);
  });
});
