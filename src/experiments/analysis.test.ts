import { describe, expect, it } from 'vitest';
import { discover } from './discover.js';
import { compileExpression, ExpressionError } from './expr.js';
import { binomialSurvival, peelThreshold, prim } from './prim.js';
import { Rng } from './rng.js';
import { analyseRobustness, percentile } from './robustness.js';
import { STATUS_FAILED, STATUS_OK } from './runner.js';
import type { ExperimentTable } from './table.js';

describe('expressions', () => {
  const cols: Record<string, number[]> = { a: [1, 5, 10], b: [3, 3, 0] };
  const resolve = (name: string) => (cols[name] ? (row: number) => cols[name][row] : undefined);
  const run = (src: string): number[] => {
    const e = compileExpression(src, resolve, () => Object.keys(cols));
    return [0, 1, 2].map((r) => e.evaluate(r));
  };

  it('evaluates comparisons, logic, arithmetic and precedence', () => {
    expect(run('a > 2 and b >= 3')).toEqual([0, 1, 0]);
    expect(run('a < 2 or b == 0')).toEqual([1, 0, 1]);
    expect(run('not (a > 2)')).toEqual([1, 0, 0]);
    expect(run('a + b * 2 > 10')).toEqual([0, 1, 0]);
    expect(run('-a + 1')).toEqual([0, -4, -9]);
    expect(run('a / 2 = 5 || a != a')).toEqual([0, 0, 1]);
    expect(run('1e1 <= a && !(b > 1)')).toEqual([0, 0, 1]);
  });

  it('rejects unknown names and bad syntax with a position, never evaluating code', () => {
    expect(() => run('c > 1')).toThrow(/unknown name 'c' \(known: a, b\) at position 1/);
    expect(() => run('a > ')).toThrow(ExpressionError);
    expect(() => run('a > 1)')).toThrow(/unexpected '\)'/);
    expect(() => run('process.exit(1)')).toThrow(/unknown name 'process'|unexpected character/);
    expect(() => run('a ; b')).toThrow(/unexpected character ';'/);
  });
});

describe('PRIM', () => {
  it("peels with EMA's quantile anchors", () => {
    const range = Float64Array.from({ length: 10 }, (_, i) => i);
    expect(peelThreshold(range, 0.1, 'high')).toBe(8.5);
    expect(peelThreshold(range, 0.1, 'low')).toBe(0.5);
    expect(peelThreshold([1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9], 0.1, 'low')).toBe(1.5);
    expect(peelThreshold([2, 2, 2], 0.1, 'low')).toBeUndefined();
  });

  it('computes binomial tail probabilities', () => {
    expect(binomialSurvival(3, 3, 0.5)).toBeCloseTo(0.125, 12);
    expect(binomialSurvival(2, 4, 0.5)).toBeCloseTo(11 / 16, 12);
    expect(binomialSurvival(0, 10, 0.3)).toBe(1);
  });

  it('recovers a planted box on synthetic data', () => {
    const rng = new Rng(17);
    const n = 3000;
    // Ten noise inputs besides x1 and x2: chance restrictions must be dropped (quasi-p > 0.05).
    const names = Array.from({ length: 12 }, (_, i) => `x${i + 1}`);
    const columns = names.map(() => Float64Array.from({ length: n }, () => rng.next()));
    // Runs of interest: x1 in [0.2, 0.6] and x2 > 0.5, with 5% label noise.
    const y = Uint8Array.from({ length: n }, (_, i) => {
      const inBox = columns[0][i] >= 0.2 && columns[0][i] <= 0.6 && columns[1][i] > 0.5;
      return (rng.next() < 0.05 ? !inBox : inBox) ? 1 : 0;
    });
    const result = prim({
      names: ['x1', 'x2', 'x3', 'x4'],
      columns,
      categorical: [false, false, false, false],
      y,
    });
    const box = result.boxes[result.chosen];
    expect(Object.keys(box.limits).sort()).toEqual(['x1', 'x2']);
    expect(box.limits.x1[0]).toBeCloseTo(0.2, 1);
    expect(box.limits.x1[1]).toBeCloseTo(0.6, 1);
    expect(box.limits.x2[0]).toBeCloseTo(0.5, 1);
    expect(box.density).toBeGreaterThan(0.85);
    expect(box.coverage).toBeGreaterThan(0.8);
    // Both restrictions matter a great deal.
    expect(result.quasiP.x1).toBeLessThan(1e-6);
    expect(result.quasiP.x2).toBeLessThan(1e-6);
    // The trade-off curve starts from the whole data and density rises along the peel.
    expect(result.boxes[0].coverage).toBe(1);
    expect(result.boxes[0].mass).toBe(1);
    expect(result.boxes.at(-1)!.density).toBeGreaterThan(result.boxes[0].density);
  });

  it('peels categorical inputs by dropping categories', () => {
    const rng = new Rng(3);
    const n = 2000;
    const cat = Float64Array.from({ length: n }, () => rng.int(4));
    const x = Float64Array.from({ length: n }, () => rng.next());
    const y = Uint8Array.from({ length: n }, (_, i) => (cat[i] === 2 && x[i] < 0.5 ? 1 : 0));
    const result = prim({ names: ['c', 'x'], columns: [cat, x], categorical: [true, false], y });
    const box = result.boxes[result.chosen];
    expect(box.categories.c).toEqual([2]);
    expect(box.limits.x[1]).toBeCloseTo(0.5, 1);
    expect(box.density).toBeGreaterThan(0.95);
  });
});

function syntheticTable(): ExperimentTable {
  // Two policies over the same 5 futures; outcome cost (minimize), policy B better in futures 3-4.
  const a = [1, 2, 3, 10, 10];
  const b = [2, 3, 4, 5, 6];
  const status = new Uint8Array(10).fill(STATUS_OK);
  status[9] = STATUS_FAILED; // policy B fails in future 4
  const cost = Float64Array.from([...a, ...b]);
  cost[9] = NaN;
  return {
    rows: 10,
    designRows: 5,
    method: 'lhs',
    secondOrder: false,
    inputNames: ['u'],
    inputs: [Float64Array.from([0.1, 0.3, 0.5, 0.7, 0.9, 0.1, 0.3, 0.5, 0.7, 0.9])],
    inputDiscrete: [false],
    policyNames: ['A', 'B'],
    policyLevers: [{ lever: 0 }, { lever: 1 }],
    policyScenarios: [undefined, undefined],
    status,
    outcomeNames: ['cost'],
    outcomeKinds: ['minimize'],
    outcomes: [cost],
  };
}

describe('robustness', () => {
  it('computes percentiles, regret against the best policy per future, and satisficing', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([0, 10], 0.9)).toBe(9);
    const table = syntheticTable();
    const satisfice = compileExpression('cost < 5', (n) =>
      n === 'cost' ? (r) => table.outcomes[0][r] : undefined,
    );
    const [A, B] = analyseRobustness(table, { satisfice: satisfice.evaluate });
    expect(A.runs).toBe(5);
    expect(B.failed).toBe(1);
    expect(A.outcomes.cost.p50).toBe(3);
    expect(B.outcomes.cost.mean).toBe(3.5);
    // Futures 0-3 are complete: best = [1, 2, 3, 5]; A's regrets [0,0,0,5], B's [1,1,1,0].
    expect(A.outcomes.cost.regret).toEqual({ mean: 1.25, p90: percentile([0, 0, 0, 5], 0.9), max: 5 });
    expect(B.outcomes.cost.regret?.mean).toBe(0.75);
    expect(B.outcomes.cost.regret?.max).toBe(1);
    expect(A.satisficing).toBe(3 / 5);
    expect(B.satisficing).toBe(3 / 4);
  });

  it('discovers over a table with levers, naming them in the box', () => {
    const rng = new Rng(8);
    const S = 1500;
    const u = Float64Array.from({ length: S }, () => rng.next());
    const inputs = [Float64Array.from([...u, ...u])];
    // Bad outcome when u > 0.7 under lever 0 only.
    const bad = Float64Array.from({ length: 2 * S }, (_, r) => (r < S && u[r] > 0.7 ? 1 : 0));
    const table: ExperimentTable = {
      ...syntheticTable(),
      rows: 2 * S,
      designRows: S,
      inputs,
      status: new Uint8Array(2 * S).fill(STATUS_OK),
      outcomeNames: ['bad'],
      outcomeKinds: ['info'],
      outcomes: [bad],
    };
    const result = discover(table, 'bad > 0.5');
    const box = result.boxes[result.chosen];
    expect(box.categories.lever).toEqual([0]);
    expect(box.limits.u[0]).toBeCloseTo(0.7, 1);
    expect(box.density).toBeGreaterThan(0.98);
    expect(box.coverage).toBeGreaterThan(0.9);
  });

  it('finds a second planted box in the runs the first one leaves (covering)', () => {
    const rng = new Rng(21);
    const S = 4000;
    const inputs = [0, 1, 2, 3].map(() => Float64Array.from({ length: S }, () => rng.next()));
    const [x1, x2, x3] = inputs;
    const bad = Float64Array.from({ length: S }, (_, r) =>
      (x1[r] < 0.3 && x2[r] < 0.3) || (x1[r] > 0.7 && x3[r] > 0.6) ? 1 : 0,
    );
    const table: ExperimentTable = {
      ...syntheticTable(),
      rows: S,
      designRows: S,
      inputNames: ['x1', 'x2', 'x3', 'x4'],
      inputs,
      policyNames: ['only'],
      policyLevers: [{}],
      policyScenarios: [undefined],
      status: new Uint8Array(S).fill(STATUS_OK),
      outcomeNames: ['bad'],
      outcomeKinds: ['info'],
      outcomes: [bad],
    };
    const result = discover(table, 'bad == 1', { boxes: 3 });
    expect(result.found.length).toBeGreaterThanOrEqual(2);
    const restricted = result.found.slice(0, 2).map((f) => Object.keys(f.box.limits).sort().join(','));
    expect(restricted.sort()).toEqual(['x1,x2', 'x1,x3']);
    for (const f of result.found.slice(0, 2)) expect(f.box.density).toBeGreaterThan(0.9);
    // The second pass ran without the first box's runs.
    expect(result.found[1].runs).toBeLessThan(S);
  });
});
