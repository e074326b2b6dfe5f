/**
 * Values some variables of a model have at the start of a run, computed by the engine's own
 * evaluator (`valueAtStart` over the lowered equations) before the model is compiled. The Vensim
 * reader uses it for its control variables (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER are
 * equations there, and may use other variables, functions and Time).
 */
import { walk } from '../equations/ast.js';
import { canonicalName } from '../equations/names.js';
import { parsedEquation } from '../equations/parser.js';
import type { Model, Variable } from '../model/types.js';
import { markConstants } from './codegen.js';
import { valueAtStart } from './initial-value.js';
import { lowerModel } from './lower.js';

export interface StartValue {
  /** The value at the start; undefined where it is not known before running (random draws, delays). */
  value?: number;
  /** True when the value changes during the run (it reads time, a stock, a delay or a draw). */
  varies: boolean;
}

/**
 * Start values of the named scalar variables of `model`, at time `at.start`. Only the variables
 * the named ones read (transitively) are lowered; a stock among them counts for its initial value.
 * A name the model lacks, or whose equations do not lower, maps to `{ varies: false }` without a value.
 */
export function startValues(
  model: Model,
  names: string[],
  at: { start: number; stop: number; dt: number },
  /** The model's variable of a canonical key, when the caller has them by key already. */
  find?: (key: string) => Variable | undefined,
): Map<string, StartValue> {
  let byKey: Map<string, Variable> | undefined;
  const variable =
    find ??
    ((key: string) => {
      if (!byKey) {
        byKey = new Map();
        for (const v of model.variables) byKey.set(canonicalName(v.name), v);
      }
      return byKey.get(key);
    });
  const keep = new Map<string, Variable>();
  const queue = names.map(canonicalName);
  while (queue.length) {
    const key = queue.pop()!;
    if (keep.has(key)) continue;
    const v = variable(key);
    if (!v) continue;
    // A stock's start value is its initial value: its flows are not needed (it still varies).
    keep.set(key, v.kind === 'stock' ? { ...v, inflows: [], outflows: [] } : v);
    const eqns = [v.eqn, v.initEqn, ...(v.elements ?? []).map((d) => d.eqn), ...(v.elementEquations ?? [])];
    for (const eqn of eqns) {
      const expr = eqn && parsedEquation(eqn).expr;
      if (!expr) continue;
      walk(expr, (x) => {
        if (x.kind === 'ref' || x.kind === 'subscript' || x.kind === 'call') queue.push(x.key);
      });
    }
  }
  const out = new Map<string, StartValue>();
  for (const n of names) out.set(canonicalName(n), { varies: false });
  if (!keep.size) return out;
  const mini: Model = {
    ...model,
    simSpecs: { start: at.start, stop: at.stop, dt: at.dt, method: 'euler' },
    variables: [...keep.values()],
    modules: [],
    subModels: [],
    view: undefined,
  };
  const lm = lowerModel(mini);
  markConstants(lm);
  const cx = {
    start: at.start,
    stop: at.stop,
    dt: at.dt,
    equation: (i: number) => lm.slots[i]?.initEq ?? lm.slots[i]?.eq,
  };
  for (const vi of lm.vars) {
    if (!out.has(vi.key) || vi.size !== 1) continue;
    const sl = lm.slots[vi.base]!;
    const ir = sl.initEq ?? sl.eq;
    out.set(vi.key, {
      value: ir ? valueAtStart(ir, cx) : undefined,
      varies: sl.constant !== true,
    });
  }
  return out;
}
