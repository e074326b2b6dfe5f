/**
 * Built-in test functions with known answers, usable as `"model": "builtin:<name>"` in a spec.
 * They validate the whole pipeline (sampling, runner, storage, analysis) against analytic
 * sensitivity indices, independently of any XMILE model. Each behaves like an engine Simulation.
 */
import type { Results, Simulation } from '../engine.js';
import { canonicalName } from '../equations/names.js';

interface FunctionModel {
  parameters: Record<string, number>;
  /** Series names -> values over `times`. */
  outputs: string[];
  times: number[];
  evaluate(p: Float64Array, out: Float64Array[], times: Float64Array): void;
}

const ishigami: FunctionModel = {
  parameters: { x1: 0, x2: 0, x3: 0, a: 7, b: 0.1 },
  outputs: ['y'],
  times: [0],
  evaluate(p, out) {
    const [x1, x2, x3, a, b] = p;
    out[0][0] = Math.sin(x1) + a * Math.sin(x2) ** 2 + b * x3 ** 4 * Math.sin(x1);
  },
};

/** Sobol' G-function with SALib's default a = [0, 1, 4.5, 9, 99, 99, 99, 99]. */
const sobolG: FunctionModel = {
  parameters: { x1: 0.5, x2: 0.5, x3: 0.5, x4: 0.5, x5: 0.5, x6: 0.5, x7: 0.5, x8: 0.5 },
  outputs: ['y'],
  times: [0],
  evaluate(p, out) {
    const a = [0, 1, 4.5, 9, 99, 99, 99, 99];
    let g = 1;
    for (let i = 0; i < 8; i++) g *= (Math.abs(4 * p[i] - 2) + a[i]) / (1 + a[i]);
    out[0][0] = g;
  },
};

/** Logistic growth x' = r x (1 - x/K), x(0) = x0, exact solution saved at t = 0..50: a series model. */
const logistic: FunctionModel = {
  parameters: { r: 0.2, K: 100, x0: 1 },
  outputs: ['x'],
  times: Array.from({ length: 51 }, (_, i) => i),
  evaluate(p, out, times) {
    const [r, K, x0] = p;
    for (let i = 0; i < times.length; i++) {
      const e = Math.exp(r * times[i]);
      out[0][i] = (K * x0 * e) / (K + x0 * (e - 1));
    }
  },
};

/** y = x1 + 2 x2 + 0 x3: Morris mu* is exactly 1, 2, 0 (elementary effects in unit steps) for U(0,1) inputs. */
const linear: FunctionModel = {
  parameters: { x1: 0, x2: 0, x3: 0 },
  outputs: ['y'],
  times: [0],
  evaluate(p, out) {
    out[0][0] = p[0] + 2 * p[1] + 0 * p[2];
  },
};

/** Ishigami that fails (throws) whenever x1 > 2.5: exercises failed-run handling. */
const ishigamiFlaky: FunctionModel = {
  ...ishigami,
  evaluate(p, out, times) {
    if (p[0] > 2.5) throw new Error(`diverged (x1 = ${p[0].toFixed(3)})`);
    ishigami.evaluate(p, out, times);
  },
};

const FUNCTIONS: Record<string, FunctionModel> = {
  ishigami,
  'sobol-g': sobolG,
  logistic,
  linear,
  'ishigami-flaky': ishigamiFlaky,
};

export const BUILTIN_MODELS = Object.keys(FUNCTIONS);

export function isBuiltinModel(model: string): boolean {
  return model.startsWith('builtin:');
}

const canonical = canonicalName;

class FunctionSimulation implements Simulation {
  private readonly names: string[];
  private readonly defaults: Float64Array;
  private readonly values: Float64Array;
  private readonly outputs: Float64Array[];
  readonly time: Float64Array;

  constructor(private readonly fn: FunctionModel) {
    this.names = Object.keys(fn.parameters);
    this.defaults = Float64Array.from(Object.values(fn.parameters));
    this.values = Float64Array.from(this.defaults);
    this.time = Float64Array.from(fn.times);
    this.outputs = fn.outputs.map(() => new Float64Array(fn.times.length));
  }
  parameterIndex(name: string): number {
    const i = this.names.findIndex((n) => canonical(n) === canonical(name));
    if (i < 0) throw new Error(`unknown parameter '${name}' (this model has ${this.names.join(', ')})`);
    return i;
  }
  set(index: number, value: number): void {
    this.values[index] = value;
  }
  /** Built-in test functions are deterministic: the seed has nothing to change. */
  setSeed(_seed: number): void {}

  clearOverrides(): void {
    this.values.set(this.defaults);
  }
  run(): void {
    for (const o of this.outputs) o.fill(NaN);
    this.fn.evaluate(this.values, this.outputs, this.time);
  }
  series(name: string): Float64Array {
    const i = this.fn.outputs.findIndex((n) => canonical(n) === canonical(name));
    if (i < 0) throw new Error(`unknown variable '${name}' (this model has ${this.fn.outputs.join(', ')})`);
    return this.outputs[i];
  }
  results(): Results {
    const names = [...this.fn.outputs];
    const columns = this.outputs.map((o) => Float64Array.from(o));
    return {
      names,
      time: Float64Array.from(this.time),
      columns,
      column: (name) => columns[names.findIndex((n) => canonical(n) === canonical(name))],
    };
  }
}

/** A Simulation for `builtin:<name>`; throws with the list of known names otherwise. */
export function builtinSimulation(model: string): Simulation {
  const name = model.replace(/^builtin:/, '');
  const fn = FUNCTIONS[name];
  if (!fn) throw new Error(`unknown built-in model '${name}' (known: ${BUILTIN_MODELS.join(', ')})`);
  return new FunctionSimulation(fn);
}
