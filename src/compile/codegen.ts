/**
 * Dependency ordering and JavaScript generation. The generated program works on one
 * Float64Array of state: stocks first (slots 0..nStocks-1), then everything else. Statement
 * lists are split into functions of moderate size, because V8 stops optimising giant functions.
 */
import type { BinaryOp } from '../equations/ast.js';
import { findBuiltin } from '../equations/builtins.js';
import type { Diagnostic } from '../model/types.js';
import { type IR, irDeps, irUsesTime } from './ir.js';
import type { LoweredModel, Slot } from './lower.js';

/** Statements per generated function. */
const CHUNK = 300;
/** Models with at most this many statements per step get their Euler loop generated inline. */
const INLINE_LIMIT = 400;

export interface Program {
  /** JavaScript source of the factory; see `instantiate`. */
  source: string;
  nSlots: number;
  nStocks: number;
  /** Old slot id -> new position. */
  position: Int32Array;
  /** Positions that runs may override (constants and stocks' initial values). */
  overridable: Uint8Array;
  /** Positions fixed for the whole run. */
  constant: Uint8Array;
  nStreams: number;
  streamSeeds: (number | undefined)[];
  streamSalts: number[];
  /** Whether `eulerRun` holds the step's statements inline (small, loop-free models); else use the step functions. */
  fusedEuler: boolean;
  nHistories: number;
  nPrev: number;
}

export interface GenerateResult {
  program?: Program;
  diagnostics: Diagnostic[];
}

/** Decide which slots are constant for a run. */
function markConstants(lm: LoweredModel): void {
  const { slots } = lm;
  const state = new Int8Array(slots.length); // 0 unknown, 1 visiting, 2 done
  const isConst = (id: number): boolean => {
    const s = slots[id]!;
    if (state[id] === 2) return s.constant === true;
    if (state[id] === 1) return false; // a cycle: not constant (reported by ordering)
    state[id] = 1;
    let result: boolean;
    switch (s.role) {
      case 'stock':
      case 'hstock':
      case 'prev':
      case 'rand':
        result = false;
        break;
      case 'init':
        result = true;
        break;
      default: {
        if (!s.eq || irUsesTime(s.eq)) {
          result = false;
          break;
        }
        const deps = new Set<number>();
        irDeps(s.eq, deps);
        result = true;
        for (const d of deps) {
          if (!isConst(d)) {
            result = false;
            break;
          }
        }
      }
    }
    s.constant = result;
    state[id] = 2;
    return result;
  };
  for (let i = 0; i < slots.length; i++) isConst(i);
}

/** Topological order of `ids` given dependencies; returns the cycle when there is one. */
function order(
  ids: number[],
  depsOf: (id: number) => readonly number[],
  inSet: (id: number) => boolean,
): { order: number[]; cycle?: number[] } {
  const out: number[] = [];
  let size = 0;
  for (const id of ids) if (id >= size) size = id + 1;
  for (const id of ids) for (const d of depsOf(id)) if (d >= size) size = d + 1;
  // 0 unvisited, 1 on the current path, 2 done.
  const mark = new Uint8Array(size);
  const stackIds: number[] = [];
  const stackPos: number[] = [];
  for (const root of ids) {
    if (mark[root] === 2) continue;
    // Iterative depth-first search, so long chains cannot overflow the call stack.
    mark[root] = 1;
    stackIds.push(root);
    stackPos.push(0);
    while (stackIds.length) {
      const top = stackIds.length - 1;
      const id = stackIds[top]!;
      const deps = depsOf(id);
      const k = stackPos[top]!;
      if (k >= deps.length) {
        mark[id] = 2;
        out.push(id);
        stackIds.pop();
        stackPos.pop();
        continue;
      }
      stackPos[top] = k + 1;
      const d = deps[k]!;
      if (!inSet(d)) continue;
      const m = mark[d];
      if (m === 2) continue;
      if (m === 1) return { order: out, cycle: stackIds.slice(stackIds.indexOf(d)) };
      mark[d] = 1;
      stackIds.push(d);
      stackPos.push(0);
    }
  }
  return { order: out };
}

function slotDeps(s: Slot, forInit: boolean): number[] {
  const deps = new Set<number>();
  const e = forInit && s.initEq ? s.initEq : s.eq;
  if (e && !(s.role === 'prev' && !forInit)) irDeps(e, deps);
  return [...deps];
}

export function generate(lm: LoweredModel): GenerateResult {
  const diagnostics: Diagnostic[] = [];
  const { slots } = lm;
  markConstants(lm);

  const nameOf = (id: number) => slots[id]!.label.replace(/·.*$/, '');
  const cycleMessage = (cycle: number[]) => {
    const names: string[] = [];
    for (const id of cycle) {
      const n = nameOf(id);
      if (!names.includes(n)) names.push(n);
    }
    return names;
  };

  // Initial values: every slot, in dependency order (stocks by their initial-value equations).
  const allIds = slots.map((s) => s.id);
  const initDeps = allIds.map((id) => slotDeps(slots[id]!, true));
  const init = order(
    allIds,
    (id) => initDeps[id]!,
    () => true,
  );
  if (init.cycle) {
    const names = cycleMessage(init.cycle);
    // A cycle through auxiliaries and flows alone is an algebraic loop, in every step as at the start.
    const algebraic = init.cycle.every((id) => ['aux', 'flow', 'haux'].includes(slots[id]!.role));
    diagnostics.push({
      severity: 'error',
      code: algebraic ? 'algebraic-loop' : 'circular-initialization',
      message: `${algebraic ? 'algebraic loop (no stock on the loop)' : 'circular definition of initial values'}: ${names.join(' -> ')} -> ${names[0]}`,
      variable: names[0],
    });
    return { diagnostics };
  }

  // Each step: non-constant auxiliaries and flows; stocks, previous values and draws are sources.
  const isStepAux = (id: number) => {
    const s = slots[id]!;
    return (s.role === 'aux' || s.role === 'flow' || s.role === 'haux') && !s.constant;
  };
  const stepIds = allIds.filter(isStepAux);
  const stepDepLists = new Map<number, number[]>();
  for (const id of stepIds) stepDepLists.set(id, slotDeps(slots[id]!, false));
  const stepDeps = (id: number): readonly number[] => stepDepLists.get(id) ?? [];
  const step = order(stepIds, stepDeps, isStepAux);
  if (step.cycle) {
    const names = cycleMessage(step.cycle);
    diagnostics.push({
      severity: 'error',
      code: 'algebraic-loop',
      message: `algebraic loop (no stock on the loop): ${names.join(' -> ')} -> ${names[0]}`,
      variable: names[0],
    });
    return { diagnostics };
  }

  // Layout: stocks first.
  const position = new Int32Array(slots.length);
  const stocks = slots.filter((s) => s.role === 'stock' || s.role === 'hstock');
  const others = slots.filter((s) => !(s.role === 'stock' || s.role === 'hstock'));
  [...stocks, ...others].forEach((s, i) => (position[s.id] = i));
  const nStocks = stocks.length;
  const overridable = new Uint8Array(slots.length);
  const constant = new Uint8Array(slots.length);
  for (const s of slots) {
    if ((s.role === 'aux' || s.role === 'flow') && s.constant && s.varIndex !== undefined)
      overridable[position[s.id]!] = 1;
    if (s.role === 'stock') overridable[position[s.id]!] = 1;
    if (s.constant || s.role === 'init') constant[position[s.id]!] = 1;
  }

  const P = (id: number) => position[id]!;
  const valueStatement = (s: Slot, F: Formatter = PLAIN): string => {
    let v = emit(s.eq!, P, F);
    if (s.uniflow) v = `Math.max(0, ${v})`;
    return v;
  };

  // init(s, t, dt, X, ov): every value at the start, gathered like the step's statements below.
  const initIds = init.order.filter((id) => slots[id]!.role !== 'rand' && slots[id]!.eq);
  const initStatement = (id: number, F: Formatter) => {
    const p = F.slot(P(id));
    const v = slots[id]!.initEq ? emit(slots[id]!.initEq!, P, F) : valueStatement(slots[id]!, F);
    return overridable[P(id)] ? `s[${p}] = ov[${p}] === ov[${p}] ? ov[${p}] : ${v};` : `s[${p}] = ${v};`;
  };
  const initDepth = depthsAlong(init.order, (id) => initDeps[id]!);
  const initStmts = gatherByShape(initIds, (id) => initDepth.get(id)!, initStatement, P).flatMap(
    loopOrStatements,
  );
  // aux(s, t, dt, X): statements that differ only by numbers (the elements of an array, or the
  // same structure repeated over many scalar variables) are gathered by shape and by depth in
  // the step's dependency graph, so that no member of a gathering depends on another, and each
  // gathering whose numbers advance in arithmetic progression becomes one loop.
  const auxStatement = (id: number, F: Formatter) =>
    `s[${F.slot(P(id))}] = ${valueStatement(slots[id]!, F)};`;
  const depth = depthsAlong(step.order, stepDeps);
  const auxStmts = gatherByShape(step.order, (id) => depth.get(id)!, auxStatement, P).flatMap(
    loopOrStatements,
  );
  // rates(s, r, t, dt, X): independent of each other, gathered by shape alone.
  const rateStatement = (id: number, F: Formatter) => {
    const st = slots[id]!;
    return `r[${F.slot(P(id))}] = ${st.rate ? emit(st.rate, P, F) : '0'};`;
  };
  const rateStmts = gatherByShape(
    stocks.map((x) => x.id),
    () => 0,
    rateStatement,
    P,
  ).flatMap(loopOrStatements);
  // draw(s, X): one draw per random slot per step.
  const drawStmts = slots
    .filter((s) => s.role === 'rand')
    .map((s) => `s[${P(s.id)}] = X.rng[${s.draw!.stream}].${s.draw!.dist}();`);
  // post(s, X): remember what PREVIOUS and DELAY need, after the step's values are known.
  const prevSlots = slots.filter((s) => s.role === 'prev');
  const postStmts = [
    ...prevSlots.map((s, i) => `X.pending[${i}] = s[${P(s.source!)}];`),
    ...lm.histories.map((h, i) => `X.hist[${i}][X.step] = s[${P(h.source)}];`),
  ];
  const applyStmts = prevSlots.map((s, i) => `s[${P(s.id)}] = X.pending[${i}];`);

  const parts: string[] = ['"use strict";'];
  const fn = (name: string, params: string, stmts: string[]) => {
    if (stmts.length <= CHUNK) {
      parts.push(`function ${name}(${params}) {\n${stmts.join('\n')}\n}`);
      return;
    }
    const calls: string[] = [];
    for (let i = 0, k = 0; i < stmts.length; i += CHUNK, k++) {
      parts.push(`function ${name}_${k}(${params}) {\n${stmts.slice(i, i + CHUNK).join('\n')}\n}`);
      calls.push(`${name}_${k}(${params});`);
    }
    parts.push(`function ${name}(${params}) {\n${calls.join('\n')}\n}`);
  };
  // Values that read a Vensim ACTIVE INITIAL while initialising are computed again from its active
  // value once every initial value is known (the first reported time shows the active values).
  const again = new Set<number>();
  for (const id of init.order) {
    const sl = slots[id]!;
    if (!(sl.role === 'aux' || sl.role === 'flow' || sl.role === 'haux')) continue;
    if (sl.initEq || slotDeps(sl, false).some((d) => again.has(d))) again.add(id);
  }
  const initAgain = init.order
    .filter((id) => again.has(id))
    .map((id) => `s[${P(id)}] = ${valueStatement(slots[id]!)};`);
  fn('init', 's, t, dt, X, ov', [...initStmts, ...initAgain]);
  fn('aux', 's, t, dt, X', auxStmts);
  fn('rates', 's, r, t, dt, X', rateStmts);
  fn('draw', 's, X', drawStmts);
  fn('post', 's, X', postStmts);
  fn('applyPrevious', 's, X', applyStmts);
  const clampStmts = stocks
    .filter((s) => s.nonNegative)
    .map((s) => `if (s[${P(s.id)}] < 0) s[${P(s.id)}] = 0;`);
  fn('clamp', 's', clampStmts);
  // The whole Euler run as one function: for small models the step's statements are inlined in
  // the loop, so V8 optimises one tight loop instead of several calls per step.
  // Loops over array groups stay in their own functions: inlined into the step loop they made
  // V8's code for the whole run an order of magnitude slower.
  const inline =
    auxStmts.length + rateStmts.length <= INLINE_LIMIT &&
    ![...auxStmts, ...rateStmts].some((x) => x.startsWith('for ('));
  const body = (name: string, params: string, stmts: string[]) =>
    stmts.length === 0 ? '' : inline ? stmts.join('\n') : `${name}(${params});`;
  const update = stocks.map((x) => `s[${P(x.id)}] += dt * r[${P(x.id)}];`);
  parts.push(`function eulerRun(s, r, X, start, dt, steps, saveEvery, cols, pos) {
let row = 0;
const nOut = pos.length;
for (let k = 0; ; k++) {
const t = start + k * dt;
X.step = k;
if (k > 0) {
${body('aux', 's, t, dt, X', auxStmts)}
}
if (k % saveEvery === 0) {
for (let j = 0; j < nOut; j++) cols[j][row] = s[pos[j]];
row++;
}
if (k === steps) break;
${body('post', 's, X', postStmts)}
${body('rates', 's, r, t, dt, X', rateStmts)}
${inline ? update.join('\n') : `for (let j = 0; j < ${stocks.length}; j++) s[j] += dt * r[j];`}
${body('clamp', 's', clampStmts)}
${body('applyPrevious', 's, X', applyStmts)}
${body('draw', 's, X', drawStmts)}
}
}`);
  parts.push('return { init, aux, rates, draw, post, applyPrevious, clamp, eulerRun };');

  return {
    diagnostics,
    program: {
      source: parts.join('\n'),
      nSlots: slots.length,
      nStocks,
      position,
      overridable,
      constant,
      nStreams: lm.streams.length,
      streamSeeds: lm.streams.map((s) => s.seed),
      streamSalts: lm.streams.map((s) => s.salt ?? 0),
      fusedEuler: inline,
      nHistories: lm.histories.length,
      nPrev: prevSlots.length,
    },
  };
}

const PLAIN: Formatter = { slot: String, table: String, hist: String };

/**
 * Collects the numbers a statement uses, in order, and writes placeholders for them, so that
 * the statements of an array's elements can be compared and, when they differ only by
 * numbers that grow by a fixed step per element, written once as a loop.
 */
class Templating implements Formatter {
  readonly numbers: number[] = [];
  private mark(v: number): string {
    this.numbers.push(v);
    return `\u0001${this.numbers.length - 1}\u0001`;
  }
  slot(p: number): string {
    return this.mark(p);
  }
  table(t: number): string {
    return this.mark(t);
  }
  hist(h: number): string {
    return this.mark(h);
  }
}

const JS_OP: Partial<Record<BinaryOp, string>> = { '+': '+', '-': '-', '*': '*', '/': '/' };
const CMP_OP: Partial<Record<BinaryOp, string>> = {
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '=': '===',
  '<>': '!==',
};

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  const t = String(v);
  return v < 0 ? `(${t})` : t;
}

/** How slot positions, table and history indices are written: plain numbers, or loop templates. */
interface Formatter {
  slot(position: number): string;
  table(index: number): string;
  hist(index: number): string;
}

function emit(ir: IR, P: (id: number) => number, F: Formatter = PLAIN): string {
  const e = (x: IR) => emit(x, P, F);
  switch (ir.k) {
    case 'c':
      return num(ir.v);
    case 's':
      return `s[${F.slot(P(ir.i))}]`;
    case 'time':
      return 't';
    case 'dt':
      return 'dt';
    case 'start':
      return 'X.start';
    case 'stop':
      return 'X.stop';
    case 'neg':
      return `(-${e(ir.a)})`;
    case 'not':
      return `(${e(ir.a)} === 0 ? 1 : 0)`;
    case 'bin': {
      const op = JS_OP[ir.op];
      if (op) return `(${e(ir.a)} ${op} ${e(ir.b)})`;
      const cmp = CMP_OP[ir.op];
      if (cmp) return `(${e(ir.a)} ${cmp} ${e(ir.b)} ? 1 : 0)`;
      switch (ir.op) {
        case '^':
          return `Math.pow(${e(ir.a)}, ${e(ir.b)})`;
        case 'mod':
          return `R.mod(${e(ir.a)}, ${e(ir.b)})`;
        case 'and':
          return `(${e(ir.a)} !== 0 && ${e(ir.b)} !== 0 ? 1 : 0)`;
        case 'or':
          return `(${e(ir.a)} !== 0 || ${e(ir.b)} !== 0 ? 1 : 0)`;
        default:
          return 'NaN';
      }
    }
    case 'if':
      return `(${e(ir.c)} !== 0 ? ${e(ir.a)} : ${e(ir.b)})`;
    case 'fn': {
      const f = findBuiltin(ir.name.toLowerCase());
      return f?.emit ? f.emit(ir.args.map(e)) : 'NaN';
    }
    case 'rt':
      if (ir.name === 'sum') return `(${ir.args.map(e).join(' + ')})`;
      return `R.${ir.name}(${ir.args.map(e).join(', ')})`;
    case 'lookup':
      return `R.lookup(G[${F.table(ir.table)}], ${e(ir.x)})`;
    case 'delay':
      return `R.delayed(X.hist[${F.hist(ir.hist)}], X.step, dt, ${e(ir.delay)}, ${e(ir.init)})`;
    case 'dyn':
      return `R.at(s, ${F.slot(P(ir.base))}, ${ir.stride}, ${ir.size}, ${e(ir.idx)})`;
  }
}

interface Gathering {
  depth: number;
  /** The statement with its numbers replaced by placeholders. */
  template: string;
  /** Each statement's numbers, in placeholder order; sorted by the position assigned. */
  members: { id: number; numbers: number[] }[];
}

// eslint-disable-next-line no-control-regex -- the placeholders are written with \u0001 on purpose
const PLACEHOLDER = /\u0001(\d+)\u0001/g;

/** The statement with its own numbers put back. */
function fill(template: string, numbers: readonly number[]): string {
  return template.replace(PLACEHOLDER, (_m, k: string) => String(numbers[Number(k)]));
}

/**
 * Statements of one gathering: one loop when their numbers advance in arithmetic progression;
 * otherwise, when every m-th member (for a small m) forms such a progression, m loops (the
 * internal stages of a DELAY3 repeated over many variables, say); else plain statements.
 */
function loopOrStatements(g: Gathering): string[] {
  const plain = () => g.members.map((m) => fill(g.template, m.numbers));
  if (g.members.length < 4) return plain();
  const whole = loopOf(g.template, g.members);
  if (whole) return [whole];
  for (let m = 2; m <= 8 && g.members.length >= 4 * m; m++) {
    const loops: string[] = [];
    for (let r = 0; r < m; r++) {
      const loop = loopOf(
        g.template,
        g.members.filter((_, i) => i % m === r),
      );
      if (!loop) break;
      loops.push(loop);
    }
    if (loops.length === m) return loops;
  }
  return plain();
}

/** One loop for these statements, or undefined when their numbers are not in arithmetic progression. */
function loopOf(template: string, members: Gathering['members']): string | undefined {
  const first = members[0]!.numbers;
  const second = members[1]!.numbers;
  const steps = first.map((v, k) => second[k]! - v);
  for (let e = 2; e < members.length; e++) {
    const n = members[e]!.numbers;
    for (let k = 0; k < steps.length; k++) {
      if (n[k] !== first[k]! + e * steps[k]!) return undefined;
    }
  }
  const body = template.replace(PLACEHOLDER, (_m, k: string) => {
    const v0 = first[Number(k)]!;
    const d = steps[Number(k)]!;
    if (d === 0) return String(v0);
    return d === 1 ? `${v0} + i` : `${v0} + ${d} * i`;
  });
  return `for (let i = 0; i < ${members.length}; i++) { ${body} }`;
}

/**
 * Gather statements by depth and shape (the statement with its numbers left out), in order of
 * depth; each gathering sorted by the position it assigns. Statements of equal depth never depend
 * on each other, and every dependency points to a smaller depth, so the result is a valid order.
 * Each statement is written once, as a template with its numbers.
 */
function gatherByShape(
  ids: readonly number[],
  depthOf: (id: number) => number,
  statement: (id: number, F: Formatter) => string,
  P: (id: number) => number,
): Gathering[] {
  const byKey = new Map<string, Gathering>();
  for (const id of ids) {
    const depth = depthOf(id);
    const t = new Templating();
    const template = statement(id, t);
    const key = `${depth}\u0002${template}`;
    let g = byKey.get(key);
    if (!g) {
      g = { depth, template, members: [] };
      byKey.set(key, g);
    }
    g.members.push({ id, numbers: t.numbers });
  }
  const groups = [...byKey.values()];
  groups.sort((a, b) => a.depth - b.depth);
  for (const g of groups) g.members.sort((a, b) => P(a.id) - P(b.id));
  return groups;
}

/** Longest dependency path to each id, along an order in which dependencies come first. */
function depthsAlong(
  ordered: readonly number[],
  depsOf: (id: number) => readonly number[],
): Map<number, number> {
  const depth = new Map<number, number>();
  for (const id of ordered) {
    let d = 0;
    for (const dep of depsOf(id)) {
      const dd = depth.get(dep);
      if (dd !== undefined && dd + 1 > d) d = dd + 1;
    }
    depth.set(id, d);
  }
  return depth;
}
