/**
 * Feedback loop detection for the workbench (Node-free). Loops are the elementary cycles of the
 * model's causal graph; each link's polarity is the sign of a small perturbation of the cause in
 * the effect's own equation, evaluated at the model's initial state (or, where the link is
 * inactive there, at the first later saved state where it is active). Flow -> stock links take
 * their sign from the structure (inflow +, outflow -). A loop is reinforcing (R) when the product
 * of its link signs is positive, balancing (B) when negative, '?' when a link's sign is unknown.
 */
import type { CompiledModel, Model } from '../engine.js';
import type { ModelGraph } from '../simulate/types.js';
import type { Variable, GraphicalFunction } from '../model/types.js';
import type { Expr } from '../equations/ast.js';
import { parsedEquation } from '../equations/parser.js';
import { canonicalName } from '../equations/names.js';
import { type Builtin, findBuiltin } from '../equations/builtins.js';
import { evalBinary, evaluateBuiltin } from '../compile/initial-value.js';
import { type LookupTable, makeTable, runtime } from '../simulate/runtime.js';

export type LinkSign = 1 | -1 | 0 | null;

export interface LoopLink {
  from: string;
  to: string;
  sign: LinkSign;
}

export interface FeedbackLoop {
  /** R1, R2, B1, ... numbered by polarity, shortest loops first ('U' for unknown polarity). */
  id: string;
  /** Variables in causal order (the link from the last goes back to the first). */
  variables: string[];
  links: LoopLink[];
  polarity: 'R' | 'B' | '?';
  /** A name given by the case (loops.json), when one matches. */
  name?: string;
}

export interface LoopOptions {
  /** Stop after this many cycles (enumeration is exponential in the worst case). */
  maxLoops?: number;
  /** Ignore cycles longer than this. */
  maxLength?: number;
}

/** Causal edges only: an equation edge into a stock is its initial value, not feedback. */
export function causalEdges(graph: ModelGraph): ModelGraph['edges'] {
  const stocks = new Set(graph.nodes.filter((n) => n.kind === 'stock').map((n) => n.name));
  return graph.edges.filter((e) => e.kind === 'flow' || !stocks.has(e.to));
}

/**
 * Elementary cycles, each found once: cycles through node i use only nodes numbered >= i and
 * start at i (a bounded variant of Tiernan's search, adequate for models of tens to hundreds
 * of variables with the caps).
 */
export function findCycles(
  graph: ModelGraph,
  options: LoopOptions = {},
): { cycles: string[][]; truncated: boolean } {
  const maxLoops = options.maxLoops ?? 500;
  const maxLength = options.maxLength ?? 24;
  const names = graph.nodes.map((n) => n.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const adj: number[][] = names.map(() => []);
  for (const e of causalEdges(graph)) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a !== undefined && b !== undefined && !adj[a]!.includes(b)) adj[a]!.push(b);
  }
  const cycles: string[][] = [];
  let truncated = false;
  let budget = 2_000_000;
  const path: number[] = [];
  const onPath = new Uint8Array(names.length);
  const search = (start: number, v: number): void => {
    if (truncated) return;
    if (--budget <= 0) {
      truncated = true;
      return;
    }
    for (const w of adj[v]!) {
      if (w < start) continue;
      if (w === start) {
        cycles.push(path.map((i) => names[i]!));
        if (cycles.length >= maxLoops) {
          truncated = true;
          return;
        }
      } else if (!onPath[w] && path.length < maxLength) {
        path.push(w);
        onPath[w] = 1;
        search(start, w);
        onPath[w] = 0;
        path.pop();
        if (truncated) return;
      }
    }
  };
  for (let s = 0; s < names.length && !truncated; s++) {
    path.push(s);
    onPath[s] = 1;
    search(s, s);
    onPath[s] = 0;
    path.pop();
  }
  return { cycles, truncated };
}

class Unknown extends Error {}

/**
 * A graphical function applied to x with the engine's own lookup (`runtime.lookup`, the function
 * the generated code's specialised lookups reproduce bit for bit); each table is built once.
 */
const tables = new WeakMap<GraphicalFunction, LookupTable>();
function lookup(gf: GraphicalFunction, x: number): number {
  let table = tables.get(gf);
  if (!table) {
    table = makeTable(gf.xpts, gf.ypts, gf.type);
    tables.set(gf, table);
  }
  return runtime.lookup(table, x);
}

type Env = (key: string) => number;

/**
 * Evaluate an equation. In structural mode every branch counts: IF gives the sum of both
 * branches and MIN/MAX the sum of their arguments, so a link that no tested state activates still
 * shows the direction in which it acts when it is active.
 */
function evaluate(e: Expr, env: Env, gfs: Map<string, GraphicalFunction>, structural = false): number {
  const ev = (x: Expr) => evaluate(x, env, gfs, structural);
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'ref':
      return env(e.key);
    case 'subscript':
      throw new Unknown('arrays are not evaluated');
    case 'unary':
      return e.op === '-' ? -ev(e.arg) : e.op === '+' ? ev(e.arg) : ev(e.arg) ? 0 : 1;
    case 'if':
      if (structural) return ev(e.then) + ev(e.else);
      return ev(e.cond) ? ev(e.then) : ev(e.else);
    case 'binary':
      // The engine's arithmetic (IEEE: a division by zero is +-Infinity or NaN, never 0).
      return evalBinary(e.op, ev(e.left), ev(e.right));
    case 'chain': {
      let acc = ev(e.args[0]!);
      for (let i = 0; i < e.ops.length; i++) acc = evalBinary(e.ops[i]!, acc, ev(e.args[i + 1]!));
      return acc;
    }
    case 'call': {
      const args = e.args;
      const gf = gfs.get(e.key);
      if (gf && args.length === 1) return lookup(gf, ev(args[0]!));
      if (e.key === 'if_then_else' && args.length === 3) {
        if (structural) return ev(args[1]!) + ev(args[2]!);
        return ev(args[0]!) ? ev(args[1]!) : ev(args[2]!);
      }
      const f = findBuiltin(e.key);
      if (!f) throw new Unknown(`function ${e.name}`);
      if (f.kind === 'lookup' && f.name === 'LOOKUP') {
        const first = args[0];
        const table = first && first.kind === 'ref' ? gfs.get(first.key) : undefined;
        if (table && args[1]) return lookup(table, ev(args[1]));
        throw new Unknown(`function ${e.name}`);
      }
      // The catalogue's polarity rule for this builtin.
      switch (f.polarity) {
        case 'follows-input':
          if (args.length) return ev(args[0]!);
          break;
        case 'branches':
          if (structural) return args.map(ev).reduce((a, b) => a + b, 0);
          return evalCall(f, args.map(ev));
        case 'evaluate':
          return evalCall(f, args.map(ev));
        case 'opaque':
          break;
      }
      throw new Unknown(`function ${e.name}`);
    }
  }
}

/** A builtin on numbers with the engine's own definition (pure builtins do not read the clock). */
function evalCall(f: Builtin, v: number[]): number {
  if (f.kind === 'constant') {
    if (f.name === 'PI') return Math.PI;
    if (f.name === 'INF') return Infinity;
    throw new Unknown(f.name);
  }
  const r = f.kind === 'pure' ? evaluateBuiltin(f, v, { t: 0, dt: 1, start: 0, stop: 0 }) : undefined;
  if (r === undefined) throw new Unknown(`function ${f.name}`);
  return r;
}

/** Per-variable evaluators of the model's root equations, keyed by canonical name. */
function equationTable(model: Model): { vars: Map<string, Variable>; exprs: Map<string, Expr | null> } {
  const vars = new Map<string, Variable>();
  const exprs = new Map<string, Expr | null>();
  for (const v of model.variables) {
    const key = canonicalName(v.name);
    vars.set(key, v);
    if (v.dimensions?.length || v.elements?.length) exprs.set(key, null);
    else if (v.eqn?.text.trim()) exprs.set(key, parsedEquation(v.eqn).expr ?? null);
    else exprs.set(key, v.gf ? { kind: 'ref', name: 'time', key: 'time', span: { start: 0, end: 0 } } : null);
  }
  return { vars, exprs };
}

/**
 * The sign of d(to)/d(from) at the given state. `values` gives every variable's value (canonical
 * key). Null when the equation cannot be evaluated here (arrays, unsupported builtins).
 * `structural`: every branch active (see evaluate) and every other input that is zero taken as
 * one, for links that are switched off in the state given (a lever at 0, a MIN never chosen).
 */
export function linkSign(
  model: Model,
  from: string,
  to: string,
  values: (key: string) => number | undefined,
  table = equationTable(model),
  structural = false,
): LinkSign {
  const toKey = canonicalName(to);
  const fromKey = canonicalName(from);
  const target = table.vars.get(toKey);
  if (!target) return null;
  if (target.kind === 'stock') {
    if (target.inflows?.some((f) => canonicalName(f) === fromKey)) return 1;
    if (target.outflows?.some((f) => canonicalName(f) === fromKey)) return -1;
    return null;
  }
  const expr = table.exprs.get(toKey);
  if (!expr) return null;
  const gfs = new Map<string, GraphicalFunction>();
  for (const g of model.graphicalFunctions) if (g.name) gfs.set(canonicalName(g.name), g);
  const raw = values(fromKey);
  if (raw === undefined || !Number.isFinite(raw)) return null;
  const base = structural && raw === 0 ? 1 : raw;
  const at = (x: number): number => {
    const env: Env = (key) => {
      if (key === fromKey) return x;
      const v = values(key);
      if (v === undefined) throw new Unknown(`no value for ${key}`);
      return structural && v === 0 ? 1 : v;
    };
    const y = evaluate(expr, env, gfs, structural);
    return target.gf ? lookup(target.gf, y) : y;
  };
  try {
    const y0 = at(base);
    // Relative step, with a floor for zero values; try both sides so a kink (MIN, MAX) at the
    // current point still shows the active direction.
    const h = Math.max(Math.abs(base) * 1e-4, 1e-6);
    const up = at(base + h) - y0;
    const down = y0 - at(base - h);
    const d = Math.abs(up) >= Math.abs(down) ? up : down;
    if (!Number.isFinite(d)) return null;
    const scale = Math.max(Math.abs(y0), 1e-12) * 1e-12;
    return Math.abs(d) <= scale ? 0 : d > 0 ? 1 : -1;
  } catch {
    return null;
  }
}

function polarityOf(links: LoopLink[]): 'R' | 'B' | '?' {
  let p = 1;
  for (const l of links) {
    if (l.sign === null || l.sign === 0) return '?';
    p *= l.sign;
  }
  return p > 0 ? 'R' : 'B';
}

/** Named loops of a case: `{ "<name>": { "variables": [...] } }` or `[{ name, variables }]`. */
/**
 * Named loops of a case (loops.json): a list of `{ id, name, path }` (or `variables` for `path`),
 * or an object from name to `{ variables }`.
 */
export type NamedLoops =
  | Record<string, { variables?: string[]; path?: string[]; description?: string }>
  | { id?: string; name: string; variables?: string[]; path?: string[] }[];

/**
 * Find the model's feedback loops with polarity. A link's sign is taken at the first of a few
 * saved states of a baseline run (initial state first) where the link is active.
 */
export function detectLoops(
  compiled: CompiledModel,
  options: LoopOptions & { named?: NamedLoops } = {},
): { loops: FeedbackLoop[]; truncated: boolean } {
  const { cycles, truncated } = findCycles(compiled.graph, options);
  // States to test links at: the initial state first, then later saved times, because a link
  // multiplied by a quantity that starts at zero (troops not yet deployed) is inactive at t0.
  const states: ((key: string) => number | undefined)[] = [];
  try {
    const spec = compiled.simSpecs;
    const results = compiled.run();
    const n = results.time.length;
    const picks = [
      ...new Set([
        0,
        Math.floor(n / 8),
        Math.floor(n / 4),
        Math.floor(n / 2),
        Math.floor((3 * n) / 4),
        n - 1,
      ]),
    ];
    for (const t of picks.filter((t) => t >= 0 && t < n)) {
      const state = new Map<string, number>();
      results.names.forEach((name, i) => state.set(canonicalName(name), results.columns[i]![t]!));
      state.set('time', results.time[t]!);
      state.set('dt', spec.dt);
      state.set('starttime', spec.start);
      state.set('stoptime', spec.stop);
      states.push((key) => state.get(key));
    }
  } catch {
    // Signs then stay unknown except for flow -> stock links.
  }
  if (!states.length) states.push(() => undefined);
  const table = equationTable(compiled.model);
  const signCache = new Map<string, LinkSign>();
  const sign = (from: string, to: string): LinkSign => {
    const k = `${from}\u0000${to}`;
    if (!signCache.has(k)) {
      let found: LinkSign = null;
      for (const values of states) {
        const sg = linkSign(compiled.model, from, to, values, table);
        if (sg === 1 || sg === -1) {
          found = sg;
          break;
        }
        if (sg === 0) found = 0;
      }
      if (found === 0) found = linkSign(compiled.model, from, to, states[0]!, table, true);
      signCache.set(k, found);
    }
    return signCache.get(k)!;
  };
  const named = normaliseNamed(options.named);
  const loops = cycles
    .map((vars) => {
      const links = vars.map((v, i) => ({
        from: v,
        to: vars[(i + 1) % vars.length]!,
        sign: sign(v, vars[(i + 1) % vars.length]!),
      }));
      const key = vars.map(canonicalName).sort().join('|');
      return { variables: vars, links, polarity: polarityOf(links), name: named.get(key) };
    })
    .sort((a, b) => a.variables.length - b.variables.length);
  const counters: Record<string, number> = { R: 0, B: 0, '?': 0 };
  return {
    loops: loops.map((l) => ({
      ...l,
      id: `${l.polarity === '?' ? 'U' : l.polarity}${++counters[l.polarity]!}`,
    })),
    truncated,
  };
}

function normaliseNamed(named: NamedLoops | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!named) return out;
  const list = Array.isArray(named)
    ? named.map((l) => ({ name: l.id ? `${l.id} ${l.name}` : l.name, variables: l.variables ?? l.path }))
    : Object.entries(named).map(([name, v]) => ({ name, variables: v?.variables ?? v?.path }));
  for (const l of list) {
    if (Array.isArray(l.variables))
      out.set(
        l.variables
          .map((v) => canonicalName(String(v)))
          .sort()
          .join('|'),
        l.name,
      );
  }
  return out;
}
