/**
 * Dependency ordering and JavaScript generation. The generated program works on one
 * Float64Array of state: stocks first (slots 0..nStocks-1), then everything else. Statement
 * lists are split into functions of moderate size, because V8 stops optimising giant functions.
 */
import type { BinaryOp } from '../equations/ast.js';
import { findBuiltin } from '../equations/builtins.js';
import type { Diagnostic } from '../model/types.js';
import { DepCollector, type IR, irEverySlot, irUsesTime } from './ir.js';
import { lookupSource } from '../simulate/runtime.js';
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
  /** Whether `eulerRun` holds the step's statements inline (small, loop-free models). */
  fusedEuler: boolean;
  /**
   * Whether runs with Euler go through `eulerRun`: the inline loop above, or, for large models,
   * one fused pass per step (`fusedStep`); else the step functions are called one by one.
   */
  wholeEuler: boolean;
  /** Whether `rk2Run` and `rk4Run` hold the step's statements inline (same models as `fusedEuler`, less those reading arrays by computed index). */
  fusedRk: boolean;
  nHistories: number;
  nPrev: number;
  /** Old slot ids of the step's non-constant auxiliaries and flows, in an order valid for evaluation (other back ends read it). */
  stepOrder: Int32Array;
}

export interface GenerateResult {
  program?: Program;
  diagnostics: Diagnostic[];
}

/** Decide which slots are constant for a run. */
export function markConstants(lm: LoweredModel): void {
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
        result = irEverySlot(s.eq, isConst);
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

function slotDeps(s: Slot, forInit: boolean, collect: DepCollector): number[] {
  const e = forInit && s.initEq ? s.initEq : s.eq;
  return collect.of(e && !(s.role === 'prev' && !forInit) ? e : undefined);
}

export interface GenerateOptions {
  /** Fuse loops into passes (default true; false gives the reference the fused code is tested against). */
  fuse?: boolean;
  /**
   * Gather a statement whose equation has the shape of the previous one's without writing it
   * out (default true; false writes every statement, the reference the shortcut is tested against).
   */
  shortcut?: boolean;
}

export function generate(lm: LoweredModel, options: GenerateOptions = {}): GenerateResult {
  const fusion = options.fuse !== false;
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
  const collect = new DepCollector(slots.length);
  const initDeps = allIds.map((id) => slotDeps(slots[id]!, true, collect));
  // A step's dependencies are the initial ones but for ACTIVE INITIAL values and PREVIOUS holders.
  const stepDepsOf = (id: number): number[] => {
    const s = slots[id]!;
    return s.initEq || s.role === 'prev' ? slotDeps(s, false, collect) : initDeps[id]!;
  };
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
  const stepDepLists: (number[] | undefined)[] = new Array(slots.length);
  for (const id of stepIds) stepDepLists[id] = stepDepsOf(id);
  const NONE: readonly number[] = [];
  const stepDeps = (id: number): readonly number[] => stepDepLists[id] ?? NONE;
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
  // One lookup function per distinct table: the elements of an apply-to-all graphical function
  // share one, and a loop over them calls it directly.
  const tableIndex = new Map<string, number>();
  const tableFirst: number[] = [];
  const canonicalTable = lm.tables.map((t, i) => {
    const key = `${t.type}|${t.xs.join(',')}|${t.ys.join(',')}`;
    let u = tableIndex.get(key);
    if (u === undefined) {
      u = tableFirst.length;
      tableIndex.set(key, u);
      tableFirst.push(i);
    }
    return u;
  });
  const E = (ir: IR, F: Formatter): string => emit(ir, P, F, canonicalTable);
  const valueStatement = (s: Slot, F: Formatter = PLAIN): string => {
    let v = E(s.eq!, F);
    if (s.uniflow) v = `Math.max(0, ${v})`;
    return v;
  };

  // init(s, t, dt, X, ov): every value at the start, gathered like the step's statements below.
  const initIds = init.order.filter((id) => slots[id]!.role !== 'rand' && slots[id]!.eq);
  const initStatement = (id: number, F: Formatter) => {
    const p = F.slot(P(id));
    const v = slots[id]!.initEq ? E(slots[id]!.initEq!, F) : valueStatement(slots[id]!, F);
    return overridable[P(id)] ? `s[${p}] = ov[${p}] === ov[${p}] ? ov[${p}] : ${v};` : `s[${p}] = ${v};`;
  };
  const initShape = (id: number): StatementShape => {
    const sl = slots[id]!;
    return {
      ir: sl.initEq ?? sl.eq,
      flags: (overridable[P(id)] ? 1 : 0) | (sl.initEq ? 2 : sl.uniflow ? 4 : 0),
    };
  };
  const initDepth = depthsAlong(init.order, (id) => initDeps[id]!, slots.length);
  const shortcut = options.shortcut !== false;
  const like = (shape: (id: number) => StatementShape) =>
    shortcut ? { shape, P, tables: canonicalTable } : undefined;
  const initStmts = gatherByShape(initIds, (id) => initDepth[id]!, initStatement, P, like(initShape)).flatMap(
    (g) => loopOrStatements(g),
  );
  // aux(s, t, dt, X): statements that differ only by numbers (the elements of an array, or the
  // same structure repeated over many scalar variables) are gathered by shape and by depth in
  // the step's dependency graph, so that no member of a gathering depends on another, and each
  // gathering whose numbers advance in arithmetic progression becomes one loop; consecutive
  // loops of one length are fused into one pass where the order allows (see `fuse`).
  const auxStatement = (id: number, F: Formatter) =>
    `s[${F.slot(P(id))}] = ${valueStatement(slots[id]!, F)};`;
  const depth = depthsAlong(step.order, stepDeps, slots.length);
  const auxGroups = gatherByShape(
    step.order,
    (id) => depth[id]!,
    auxStatement,
    P,
    like((id) => ({ ir: slots[id]!.eq, flags: slots[id]!.uniflow ? 4 : 0 })),
  );
  // rates(s, r, t, dt, X): independent of each other, gathered by shape alone.
  const rateStatement = (id: number, F: Formatter) => {
    const st = slots[id]!;
    return `r[${F.slot(P(id))}] = ${st.rate ? E(st.rate, F) : '0'};`;
  };
  const rateGroups = gatherByShape(
    stocks.map((x) => x.id),
    () => 0,
    rateStatement,
    P,
    like((id) => ({ ir: slots[id]!.rate, flags: slots[id]!.rate ? 8 : 0 })),
  );
  // Stock updates (and the clamp of non-negative stocks) gathered along the rates' gatherings,
  // so that their loops line up with the rates' loops.
  const rateGroupOf = new Int32Array(slots.length);
  rateGroups.forEach((g, k) => g.members.forEach((m) => (rateGroupOf[m.id] = k)));
  const updateStatement = (id: number, F: Formatter) => {
    const p = F.slot(P(id));
    const clamp = slots[id]!.nonNegative ? ` if (s[${p}] < 0) s[${p}] = 0;` : '';
    return `s[${p}] += dt * r[${p}];${clamp}`;
  };
  const updateGroups = gatherByShape(
    stocks.map((x) => x.id),
    (id) => rateGroupOf[id]!,
    updateStatement,
    P,
    like((id) => ({ ir: undefined, flags: slots[id]!.nonNegative ? 16 : 0 })),
  );
  const preferred = commonLength([...auxGroups, ...rateGroups]);
  // Gatherings of one depth are independent, so their order is free: the loops of one length
  // are put side by side, those of the common length last, where the next depth's can join them.
  const lineUp = (gs: Gathering[]) => {
    const rank = (g: Gathering) => (preferred > 0 && g.members.length % preferred === 0 ? 1 : 0);
    gs.sort((a, b) => a.depth - b.depth || rank(a) - rank(b) || a.members.length - b.members.length);
  };
  lineUp(auxGroups);
  lineUp(rateGroups);
  const sizes = { s: slots.length, r: nStocks };
  const auxUnits = auxGroups.flatMap((g) => unitsOf(g, preferred));
  const rateUnits = rateGroups.flatMap((g) => unitsOf(g, preferred));
  const updateUnits = updateGroups.flatMap((g) => unitsOf(g, preferred));
  const passes = (units: Unit[]) => (fusion ? fuse(units, sizes) : units.map((u) => u.text));
  const auxStmts = passes(auxUnits);
  const rateStmts = passes(rateUnits);
  // draw(s, X): one draw per random slot per step.
  const randSlots = slots.filter((s) => s.role === 'rand');
  const drawStmts = randSlots.map((s) => `s[${P(s.id)}] = X.rng[${s.draw!.stream}].${s.draw!.dist}();`);
  // post(s, X): remember what PREVIOUS and DELAY need, after the step's values are known.
  const prevSlots = slots.filter((s) => s.role === 'prev');
  const postStmts = [
    ...prevSlots.map((s, i) => `X.pending[${i}] = s[${P(s.source!)}];`),
    ...lm.histories.map((h, i) => `X.hist[${i}][X.step] = s[${P(h.source)}];`),
  ];
  const applyStmts = prevSlots.map((s, i) => `s[${P(s.id)}] = X.pending[${i}];`);

  const parts: string[] = ['"use strict";'];
  for (let u = 0; u < tableFirst.length; u++)
    parts.push(lookupSource(`L${u}`, lm.tables[tableFirst[u]!]!, `G[${tableFirst[u]}]`));
  parts.push(`const GU = [${tableFirst.map((i) => `G[${i}]`).join(', ')}];`);
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
    if (sl.initEq || stepDepsOf(id).some((d) => again.has(d))) again.add(id);
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
  const clampStocks = stocks.filter((s) => s.nonNegative);
  const clampStmts = clampStocks.map((s) => `if (s[${P(s.id)}] < 0) s[${P(s.id)}] = 0;`);
  fn('clamp', 's', clampStmts);
  // The whole run as one function: for small models the step's statements are inlined in the
  // loop, so V8 optimises one tight loop instead of several calls per step.
  // Loops over array groups stay in their own functions: inlined into the step loop they made
  // V8's code for the whole run an order of magnitude slower.
  const inline =
    auxStmts.length + rateStmts.length <= INLINE_LIMIT &&
    ![...auxStmts, ...rateStmts].some((x) => x.startsWith('for ('));
  // Inline runs keep every value in a local variable (a register or a stack slot instead of a
  // bounds-checked load and store) unless an equation indexes the state by a computed position.
  const locals =
    inline &&
    !slots.some((s) => (s.eq && irHas(s.eq, 'dyn')) || (s.rate !== undefined && irHas(s.rate, 'dyn')));
  let fused = false;
  if (locals) {
    const auxOrder = auxGroups.flatMap((g) => g.members.map((m) => m.id));
    parts.push(
      ...localRuns({
        slots,
        P,
        E,
        valueStatement,
        constant,
        auxOrder,
        stocks,
        clampStocks,
        randSlots,
        prevSlots,
        histories: lm.histories,
      }),
    );
  } else {
    const body = (name: string, params: string, stmts: string[]) =>
      stmts.length === 0 ? '' : inline ? stmts.join('\n') : `${name}(${params});`;
    const update = stocks.map((x) => `s[${P(x.id)}] += dt * r[${P(x.id)}];`);
    // Large models without PREVIOUS or DELAY histories: one pass per step computes the
    // auxiliaries, the rates and the stock updates, fused where the order allows. A saved row
    // takes the stocks before the pass and everything else after it (the pass changes no other
    // value after computing it). Step 0's auxiliaries are recomputed from the initial state: the
    // same equations on the same values as the initialisation, so the same numbers.
    fused = fusion && !inline && postStmts.length === 0;
    // Internal values (no result shows them): the last step's values come from `aux` again.
    const internalAt = new Uint8Array(slots.length);
    for (const sl of slots) if (sl.role === 'haux') internalAt[P(sl.id)] = 1;
    if (fused)
      fn(
        'fusedStep',
        's, r, t, dt, X',
        fuse([...auxUnits, ...rateUnits, ...updateUnits], sizes, {
          values: true,
          rates: true,
          internal: (p) => internalAt[p] === 1,
        }),
      );
    if (fused)
      parts.push(`function eulerRun(s, r, X, start, dt, steps, saveEvery, cols, pos) {
let row = 0;
const before = [];
const after = [];
for (let j = 0; j < pos.length; j++) (pos[j] < ${nStocks} ? before : after).push(j);
for (let k = 0; ; k++) {
const t = start + k * dt;
X.step = k;
if (k === steps) {
if (k > 0) aux(s, t, dt, X);
if (k % saveEvery === 0) for (let j = 0; j < pos.length; j++) cols[j][row] = s[pos[j]];
break;
}
const saving = k % saveEvery === 0;
if (saving) for (let q = 0; q < before.length; q++) cols[before[q]][row] = s[pos[before[q]]];
fusedStep(s, r, t, dt, X);
if (saving) {
for (let q = 0; q < after.length; q++) cols[after[q]][row] = s[pos[after[q]]];
row++;
}
${body('applyPrevious', 's, X', applyStmts)}
${body('draw', 's, X', drawStmts)}
}
}`);
    else
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
    parts.push('const rk2Run = undefined;', 'const rk4Run = undefined;');
  }
  parts.push('return { init, aux, rates, draw, post, applyPrevious, clamp, eulerRun, rk2Run, rk4Run };');

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
      wholeEuler: inline || fused,
      fusedRk: locals,
      nHistories: lm.histories.length,
      nPrev: prevSlots.length,
      stepOrder: Int32Array.from(step.order),
    },
  };
}

interface LocalRunInput {
  slots: Slot[];
  P: (id: number) => number;
  E: (ir: IR, F: Formatter) => string;
  valueStatement: (s: Slot, F: Formatter) => string;
  constant: Uint8Array;
  auxOrder: number[];
  stocks: Slot[];
  clampStocks: Slot[];
  randSlots: Slot[];
  prevSlots: Slot[];
  histories: { source: number }[];
}

/**
 * `eulerRun`, `rk2Run` and `rk4Run` for a small model, written the way a hand-writer would:
 * every slot a local variable (`v<position>`), run constants read once before the loop and
 * constant subexpressions computed there (`c<n>`), each RK stage's auxiliaries inline with its
 * own `t`. Each step does the same arithmetic in the same order as the per-step functions, so
 * the results are the same to the last bit (tested). The state array is written back on the
 * rows that are saved and at the end.
 */
function localRuns(m: LocalRunInput): string[] {
  const { slots, P, E, valueStatement, constant } = m;
  const isConst = (ir: IR): boolean => isRunConstant(ir, (id) => constant[P(id)] === 1);
  const LF = new Locals(isConst);
  // Auxiliaries are constants of each step (and of each RK stage, in its own block), so V8 keeps
  // no value of theirs across iterations; only stocks, draws and previous values are carried.
  const auxPos = m.auxOrder.map((id) => P(id));
  const aux = m.auxOrder.map((id, j) => `const v${auxPos[j]} = ${valueStatement(slots[id]!, LF)};`);
  const rateExprs = m.stocks.map((st) => (st.rate ? E(st.rate, LF) : '0'));
  const stockPos = m.stocks.map((st) => P(st.id));
  const rates = (k: string) => stockPos.map((p, j) => `const ${k}${p} = ${rateExprs[j]};`);
  const draw = m.randSlots.map((s) => `v${P(s.id)} = X.rng[${s.draw!.stream}].${s.draw!.dist}();`);
  const post = [
    ...m.prevSlots.map((s, i) => `const q${i} = ${LF.ref(P(s.source!))};`),
    ...m.histories.map((h, i) => `H${i}[k] = ${LF.ref(P(h.source))};`),
  ];
  const apply = m.prevSlots.map((s, i) => `v${P(s.id)} = q${i};`);
  const clamp = m.clampStocks.map((s) => `if (v${P(s.id)} < 0) v${P(s.id)} = 0;`);
  const carried = new Set([...m.stocks, ...m.randSlots, ...m.prevSlots].map((s) => P(s.id)));
  const auxSet = new Set(auxPos);
  // Anything else read in the step (none is expected) is carried, read from the state.
  for (const p of LF.used) if (!constant[p] && !auxSet.has(p)) carried.add(p);
  const decls = [
    ...[...LF.used].filter((p) => constant[p]).map((p) => `const v${p} = s[${p}];`),
    ...[...carried].map((p) => `let v${p} = s[${p}];`),
  ];
  const writeBack = [...carried, ...auxPos].sort((a, b) => a - b).map((p) => `s[${p}] = v${p};`);
  const hist = m.histories.map((_, i) => `const H${i} = X.hist[${i}];`);
  const combine = (f: (p: number) => string) => stockPos.map((p) => `v${p} = ${f(p)};`);
  // The auxiliaries at step 0 are recomputed from the initial state: the same equations on the
  // same values as the initialisation, so the same numbers.
  const run = (
    name: string,
    integrate: string[],
  ) => `function ${name}(s, r, X, start, dt, steps, saveEvery, cols, pos) {
${decls.join('\n')}
${LF.hoisted.join('\n')}
${hist.join('\n')}
const half = dt / 2;
let row = 0;
const nOut = pos.length;
for (let k = 0; ; k++) {
const tk = start + k * dt;
const t = tk;
X.step = k;
${aux.join('\n')}
if (k % saveEvery === 0 || k === steps) {
${writeBack.join('\n')}
if (k % saveEvery === 0) {
for (let j = 0; j < nOut; j++) cols[j][row] = s[pos[j]];
row++;
}
}
if (k === steps) break;
${post.join('\n')}
${integrate.join('\n')}
${clamp.join('\n')}
${apply.join('\n')}
${draw.join('\n')}
}
}`;
  const save = stockPos.map((p) => `const y${p} = v${p};`);
  const stage = (time: string, k: string, inner: string[]) => [
    '{',
    `const t = ${time};`,
    ...aux,
    ...rates(k),
    ...inner,
    '}',
  ];
  const euler = [...rates('ka'), ...stockPos.map((p) => `v${p} += dt * ka${p};`)];
  const rk2 = [
    ...rates('ka'),
    ...save,
    ...combine((p) => `y${p} + dt * ka${p}`),
    ...stage(
      'tk + dt',
      'kb',
      combine((p) => `y${p} + (dt / 2) * (ka${p} + kb${p})`),
    ),
  ];
  const rk4 = [
    ...rates('ka'),
    ...save,
    ...combine((p) => `y${p} + half * ka${p}`),
    ...stage('tk + half', 'kb', [
      ...combine((p) => `y${p} + half * kb${p}`),
      ...stage('tk + half', 'kc', [
        ...combine((p) => `y${p} + dt * kc${p}`),
        ...stage(
          'tk + dt',
          'kd',
          combine((p) => `y${p} + (dt / 6) * (ka${p} + 2 * kb${p} + 2 * kc${p} + kd${p})`),
        ),
      ]),
    ]),
  ];
  return [run('eulerRun', euler), run('rk2Run', rk2), run('rk4Run', rk4)];
}

/** Does the expression hold a node of this kind? */
function irHas(ir: IR, kind: IR['k']): boolean {
  if (ir.k === kind) return true;
  switch (ir.k) {
    case 'neg':
    case 'not':
      return irHas(ir.a, kind);
    case 'bin':
      return irHas(ir.a, kind) || irHas(ir.b, kind);
    case 'if':
      return irHas(ir.c, kind) || irHas(ir.a, kind) || irHas(ir.b, kind);
    case 'fn':
    case 'rt':
    case 'chain':
      return ir.args.some((a) => irHas(a, kind));
    case 'lookup':
      return irHas(ir.x, kind);
    case 'delay':
      return irHas(ir.delay, kind) || irHas(ir.init, kind);
    case 'dyn':
      return irHas(ir.idx, kind);
    default:
      return false;
  }
}

/** Is the expression fixed for a run (no time, no state that changes)? (The WebAssembly back end hoists by it too.) */
export function isRunConstant(ir: IR, constantSlot: (id: number) => boolean): boolean {
  switch (ir.k) {
    case 'c':
    case 'dt':
    case 'start':
    case 'stop':
      return true;
    case 's':
      return constantSlot(ir.i);
    case 'neg':
    case 'not':
      return isRunConstant(ir.a, constantSlot);
    case 'bin':
      return isRunConstant(ir.a, constantSlot) && isRunConstant(ir.b, constantSlot);
    case 'if':
      return (
        isRunConstant(ir.c, constantSlot) &&
        isRunConstant(ir.a, constantSlot) &&
        isRunConstant(ir.b, constantSlot)
      );
    case 'fn':
    case 'rt':
      return !irUsesTime(ir) && ir.args.every((a) => isRunConstant(a, constantSlot));
    case 'chain':
      return ir.args.every((a) => isRunConstant(a, constantSlot));
    case 'lookup':
      return isRunConstant(ir.x, constantSlot);
    default:
      return false;
  }
}

const PLAIN: Formatter = { slot: String, ref: (p) => `s[${p}]`, table: String, hist: String };

/** Slots as local variables; run-constant subexpressions computed once, before the loop. */
class Locals implements Formatter {
  readonly locals = true;
  readonly used = new Set<number>();
  readonly hoisted: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly memo = new WeakMap<IR, boolean>();
  constructor(private readonly runConstant: (ir: IR) => boolean) {}
  slot(p: number): string {
    return String(p);
  }
  ref(p: number): string {
    this.used.add(p);
    return `v${p}`;
  }
  table(u: number): string {
    return String(u);
  }
  hist(h: number): string {
    return String(h);
  }
  fixed(ir: IR): boolean {
    let fixed = this.memo.get(ir);
    if (fixed === undefined) {
      fixed = this.runConstant(ir);
      this.memo.set(ir, fixed);
    }
    return fixed;
  }
  hoist(ir: IR, inner: () => string): string | undefined {
    if (ir.k === 'c' || ir.k === 's' || ir.k === 'dt' || ir.k === 'start' || ir.k === 'stop')
      return undefined;
    if (!this.fixed(ir)) return undefined;
    const text = inner();
    // Defensive: an emit template that reads the time or the context stays in the loop.
    if (/\bt\b|\bX\.(?!start\b|stop\b)/.test(text)) return text;
    let name = this.names.get(text);
    if (!name) {
      name = `c${this.names.size}`;
      this.names.set(text, name);
      this.hoisted.push(`const ${name} = ${text};`);
    }
    return name;
  }
}

/**
 * Collects the numbers a statement uses, in order, and writes placeholders for them, so that
 * the statements of an array's elements can be compared and, when they differ only by
 * numbers that grow by a fixed step per element, written once as a loop.
 */
class Templating implements Formatter {
  readonly numbers: number[] = [];
  private mark(v: number): string {
    this.numbers.push(v);
    return placeholder(this.numbers.length - 1, 0);
  }
  slot(p: number): string {
    return this.mark(p);
  }
  ref(p: number): string {
    this.numbers.push(p);
    return placeholder(this.numbers.length - 1, 1);
  }
  table(t: number): string {
    // Marked apart: a loop over different tables calls the generic lookup instead (see loopOf).
    this.numbers.push(t);
    return placeholder(this.numbers.length - 1, 2);
  }
  hist(h: number): string {
    return this.mark(h);
  }
  num(v: number): string {
    // Marked apart: a loop writes a constant that changes with the element only when it is an
    // integer (see loopOf), so that each iteration computes exactly the number written out.
    this.numbers.push(v);
    return placeholder(this.numbers.length - 1, 3);
  }
}

/**
 * The k-th placeholder of a template: a number (kind 0), a state read `s[...]` around it (1), a
 * table index (2), or a constant of the equation (3). The same few strings recur in every
 * statement, so they are made once.
 */
const PLACEHOLDERS: string[][] = [[], [], [], []];
function placeholder(k: number, kind: 0 | 1 | 2 | 3): string {
  const made = PLACEHOLDERS[kind]![k];
  if (made !== undefined) return made;
  const text =
    kind === 3
      ? `\u0002${k}\u0002`
      : kind === 2
        ? `\u0003${k}\u0003`
        : kind === 1
          ? `s[\u0001${k}\u0001]`
          : `\u0001${k}\u0001`;
  if (k < 256) PLACEHOLDERS[kind]![k] = text;
  return text;
}

/** Sums of at least this many slots are emitted as `R.sumRange` loops. */
const SUM_LOOP = 16;

/** Start and step of slot reads at evenly spaced positions, when there are enough of them. */
function slotRange(
  args: readonly IR[],
  P: (id: number) => number,
): { base: number; stride: number } | undefined {
  if (args.length < SUM_LOOP || args[0]!.k !== 's' || args[1]!.k !== 's') return undefined;
  const base = P(args[0]!.i);
  const stride = P(args[1]!.i) - base;
  if (stride === 0) return undefined;
  for (let k = 2; k < args.length; k++) {
    const a = args[k]!;
    if (a.k !== 's' || P(a.i) !== base + k * stride) return undefined;
  }
  return { base, stride };
}

/** Calls that read the state at positions computed at run time: never fused into a loop's pass. */
const INDIRECT = /R\.(at|sumRange)\(/;
/** A long sum in a plain statement, its range written out. */
const SUM_RANGE = /R\.sumRange\(s, (\d+), (-?\d+), (\d+)\)/g;

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
  /** A read of the slot at this position, as an expression. */
  ref(position: number): string;
  /** The lookup function `L<index>` of a distinct table. */
  table(index: number): string;
  hist(index: number): string;
  /** True when slots are locals, not positions of the state array `s` (no range helpers then). */
  readonly locals?: boolean;
  /** A name for `ir` computed once before the step loop, or undefined to write it in place. */
  hoist?(ir: IR, inner: () => string): string | undefined;
  /** Is `ir` fixed for a run (only asked when `hoist` is present)? */
  fixed?(ir: IR): boolean;
  /** A constant of the equation (written out by `num` when absent). */
  num?(v: number): string;
}

function emit(ir: IR, P: (id: number) => number, F: Formatter, tables: readonly number[]): string {
  if (F.hoist) {
    const h = F.hoist(ir, () => emitNode(ir, P, F, tables));
    if (h !== undefined) return h;
  }
  return emitNode(ir, P, F, tables);
}

function emitNode(ir: IR, P: (id: number) => number, F: Formatter, tables: readonly number[]): string {
  const e = (x: IR) => emit(x, P, F, tables);
  switch (ir.k) {
    case 'c':
      return F.num ? F.num(ir.v) : num(ir.v);
    case 's':
      return F.ref(P(ir.i));
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
    case 'chain': {
      // A written-out sum of evenly spaced slots is a loop, as SUM is (below).
      const range = F.locals || ir.ops.some((op) => op !== '+') ? undefined : slotRange(ir.args, P);
      if (range) return `R.sumRange(s, ${F.slot(range.base)}, ${range.stride}, ${ir.args.length})`;
      // Flat infix code: JavaScript applies `a + b - c` left to right, as the chain means. A
      // run-constant head (`a * b` of `a * b * x`) is hoisted as one value, as nested it would be.
      let head = 1;
      if (F.fixed)
        while (head < ir.args.length - 1 && F.fixed(ir.args[head]!) && F.fixed(ir.args[0]!)) head++;
      let out =
        head > 1
          ? `(${e({ k: 'chain', ops: ir.ops.slice(0, head - 1), args: ir.args.slice(0, head) })}`
          : `(${e(ir.args[0]!)}`;
      for (let i = head - 1; i < ir.ops.length; i++) out += ` ${ir.ops[i]} ${e(ir.args[i + 1]!)}`;
      return `${out})`;
    }
    case 'if':
      return `(${e(ir.c)} !== 0 ? ${e(ir.a)} : ${e(ir.b)})`;
    case 'fn': {
      const f = findBuiltin(ir.name.toLowerCase());
      return f?.emit ? f.emit(ir.args.map(e)) : 'NaN';
    }
    case 'rt':
      if (ir.name === 'sum') {
        // A long sum over evenly spaced slots (SUM of an array, a stock's many flows) is a loop
        // in the runtime: short code for V8 to compile, the same additions in the same order.
        const range = F.locals ? undefined : slotRange(ir.args, P);
        if (range) return `R.sumRange(s, ${F.slot(range.base)}, ${range.stride}, ${ir.args.length})`;
        return `(${ir.args.map(e).join(' + ')})`;
      }
      return `R.${ir.name}(${ir.args.map(e).join(', ')})`;
    case 'lookup':
      return `L${F.table(tables[ir.table]!)}(${e(ir.x)})`;
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
  /** The shape of its first member's statement (when gathered with a `Likeness`). */
  shape?: StatementShape;
}

/**
 * What a statement's template depends on besides its equation's shape: the statement's kind
 * and flags (overridable, clipped at zero...), as bits.
 */
interface StatementShape {
  ir: IR | undefined;
  flags: number;
}

/** How `gatherByShape` compares a statement with the previous one's without writing it out. */
interface Likeness {
  shape: (id: number) => StatementShape;
  P: (id: number) => number;
  tables: readonly number[];
}

/**
 * Do `a` and `b` give one template under `Templating` (see `emitNode`)? If so, `b`'s numbers
 * are appended to `out` in the order `emitNode` would mark them. Mirrors `emitNode` case by
 * case: anything written literally (operators, names, argument counts, the stride of a range)
 * must agree, and every number it marks is collected.
 */
function sameShape(a: IR, b: IR, L: Likeness, out: number[]): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'c':
      out.push((b as typeof a).v);
      return true;
    case 's':
      out.push(L.P((b as typeof a).i));
      return true;
    case 'time':
    case 'dt':
    case 'start':
    case 'stop':
      return true;
    case 'neg':
    case 'not':
      return sameShape(a.a, (b as typeof a).a, L, out);
    case 'bin': {
      const y = b as typeof a;
      return a.op === y.op && sameShape(a.a, y.a, L, out) && sameShape(a.b, y.b, L, out);
    }
    case 'chain': {
      const y = b as typeof a;
      if (a.args.length !== y.args.length) return false;
      for (let i = 0; i < a.ops.length; i++) if (a.ops[i] !== y.ops[i]) return false;
      const sumOnly = !a.ops.some((op) => op !== '+');
      return sameArgs(a.args, y.args, sumOnly, L, out);
    }
    case 'if': {
      const y = b as typeof a;
      return sameShape(a.c, y.c, L, out) && sameShape(a.a, y.a, L, out) && sameShape(a.b, y.b, L, out);
    }
    case 'fn': {
      const y = b as typeof a;
      if (a.name !== y.name || a.args.length !== y.args.length) return false;
      // Without an emitter the call is written `NaN`, its arguments not at all.
      if (!findBuiltin(a.name.toLowerCase())?.emit) return true;
      return sameArgs(a.args, y.args, false, L, out);
    }
    case 'rt': {
      const y = b as typeof a;
      if (a.name !== y.name || a.args.length !== y.args.length) return false;
      return sameArgs(a.args, y.args, a.name === 'sum', L, out);
    }
    case 'lookup': {
      const y = b as typeof a;
      out.push(L.tables[y.table]!);
      return sameShape(a.x, y.x, L, out);
    }
    case 'delay': {
      const y = b as typeof a;
      out.push(y.hist);
      return sameShape(a.delay, y.delay, L, out) && sameShape(a.init, y.init, L, out);
    }
    case 'dyn': {
      const y = b as typeof a;
      if (a.stride !== y.stride || a.size !== y.size) return false;
      out.push(L.P(y.base));
      return sameShape(a.idx, y.idx, L, out);
    }
  }
}

/**
 * A number for what `sameShape` compares (kinds, operators, names, argument counts), the
 * numbers left out: statements of one template have one hash, so only gatherings of that hash
 * need comparing.
 */
function shapeHash(ir: IR, h: number): number {
  h = (Math.imul(h, 31) + KIND_CODE[ir.k]) | 0;
  switch (ir.k) {
    case 'neg':
    case 'not':
      return shapeHash(ir.a, h);
    case 'bin':
      h = (Math.imul(h, 31) + ir.op.charCodeAt(0) + ir.op.length) | 0;
      return shapeHash(ir.b, shapeHash(ir.a, h));
    case 'if':
      return shapeHash(ir.b, shapeHash(ir.a, shapeHash(ir.c, h)));
    case 'chain':
    case 'fn':
    case 'rt': {
      h = (Math.imul(h, 31) + ir.args.length) | 0;
      if (ir.k !== 'chain') h = (Math.imul(h, 31) + ir.name.charCodeAt(0) + ir.name.length) | 0;
      // The first few arguments suffice to tell most shapes apart; a long sum is hashed by its length.
      const n = Math.min(ir.args.length, 4);
      for (let i = 0; i < n; i++) h = shapeHash(ir.args[i]!, h);
      return h;
    }
    case 'lookup':
      return shapeHash(ir.x, h);
    case 'delay':
      return shapeHash(ir.init, shapeHash(ir.delay, h));
    case 'dyn':
      h = (Math.imul(h, 31) + ir.stride) | 0;
      return shapeHash(ir.idx, (Math.imul(h, 31) + ir.size) | 0);
    default:
      return h;
  }
}

const KIND_CODE: Record<IR['k'], number> = {
  c: 1,
  s: 2,
  time: 3,
  dt: 4,
  start: 5,
  stop: 6,
  neg: 7,
  not: 8,
  bin: 9,
  chain: 10,
  if: 11,
  fn: 12,
  rt: 13,
  lookup: 14,
  delay: 15,
  dyn: 16,
};

/** The arguments of a call or chain; `ranged`: a long sum of evenly spaced slots is one range (see `slotRange`). */
function sameArgs(a: readonly IR[], b: readonly IR[], ranged: boolean, L: Likeness, out: number[]): boolean {
  if (ranged) {
    const ra = slotRange(a, L.P);
    const rb = slotRange(b, L.P);
    if ((ra === undefined) !== (rb === undefined)) return false;
    if (rb) {
      if (ra!.stride !== rb.stride) return false;
      out.push(rb.base);
      return true;
    }
  }
  for (let i = 0; i < a.length; i++) if (!sameShape(a[i]!, b[i]!, L, out)) return false;
  return true;
}

// eslint-disable-next-line no-control-regex -- the placeholders are written with \u0001 on purpose
const PLACEHOLDER = /([\u0001\u0002\u0003])(\d+)[\u0001\u0002\u0003]/g;
/** The same, split-friendly: one group, the marker and the index. */
// eslint-disable-next-line no-control-regex -- as above
const PLACEHOLDER_PART = /([\u0001\u0002\u0003]\d+)[\u0001\u0002\u0003]/;
/** A number of a statement as written: a constant of the equation (marker \u0002) as `num` writes it. */
const written = (marker: string, v: number): string => (marker === '\u0002' ? num(v) : String(v));
/** A call of a table's lookup function, its table index a placeholder. */
// eslint-disable-next-line no-control-regex -- as above
const TABLE_CALL = /L\u0003(\d+)\u0003\(/g;

/** The statement with its own numbers put back. */
function fill(template: string, numbers: readonly number[]): string {
  return template.replace(PLACEHOLDER, (_m, marker: string, k: string) =>
    written(marker, numbers[Number(k)]!),
  );
}

/**
 * `fill` for many statements of one template: the template split at its placeholders once
 * (odd parts are placeholder indices), then each statement joined from the parts.
 */
function filler(template: string): (numbers: readonly number[]) => string {
  const parts = template.split(PLACEHOLDER_PART);
  if (parts.length === 1) return () => template;
  const index = parts.map((p, i) => (i % 2 === 1 ? Number(p.slice(1)) : -1));
  const constant = parts.map((p, i) => i % 2 === 1 && p[0] === '\u0002');
  return (numbers) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const v = numbers[index[i]!]!;
      out += (constant[i] ? num(v) : String(v)) + parts[i + 1]!;
    }
    return out;
  };
}

/** Which placeholders of a template stand for constants of the equation (marker \u0002). */
function constantPlaceholders(template: string): Set<number> {
  const out = new Set<number>();
  for (const m of template.matchAll(PLACEHOLDER)) if (m[1] === '\u0002') out.add(Number(m[2]));
  return out;
}

/** A statement, or a loop with what each iteration reads and writes (for fusion). */
export interface Unit {
  text: string;
  loop?: {
    n: number;
    body: string;
    /** False when an iteration reads the state by a computed index (never fused). */
    fusable: boolean;
    access: Access[];
  };
}

/** Position `base + step * i` of array `arr` (`s` state or `r` rates), read or written at iteration i. */
export interface Access {
  arr: 's' | 'r';
  write: boolean;
  base: number;
  step: number;
}

/**
 * Statements of one gathering: one loop when their numbers advance in arithmetic progression;
 * otherwise, when every m-th member (for a small m) forms such a progression, m loops (the
 * internal stages of a DELAY3 repeated over many variables, say); else plain statements. When
 * the gathering is a multiple of `preferred` members (the model's most common loop length), the
 * split into loops of that length is tried first, so that its loops line up with the others for
 * fusion (three loops over the stages of a DELAY3 of an array, not one over all stages).
 */
function unitsOf(g: Gathering, preferred = 0): Unit[] {
  const size = g.members.length;
  if (size < 4) return g.members.map((m) => ({ text: fill(g.template, m.numbers) }));
  const plain = () => {
    const f = filler(g.template);
    return g.members.map((m) => ({ text: f(m.numbers) }));
  };
  const splits: number[] = [];
  if (preferred >= 4 && size > preferred && size % preferred === 0 && size / preferred <= 8)
    splits.push(size / preferred);
  for (let m = 1; m <= 8 && size >= 4 * m; m++) if (!splits.includes(m)) splits.push(m);
  for (const m of splits) {
    const loops: Unit[] = [];
    for (let r = 0; r < m; r++) {
      const loop = loopOf(g.template, m === 1 ? g.members : g.members.filter((_, i) => i % m === r));
      if (!loop) break;
      loops.push(loop);
    }
    if (loops.length === m) return loops;
  }
  // Members whose constants differ without a pattern: those with the same constants, apart.
  const constants = constantPlaceholders(g.template);
  if (constants.size > 0) {
    const byValues = new Map<string, Gathering['members']>();
    for (const m of g.members) {
      let key = '';
      for (const k of constants) key += `${m.numbers[k]},`;
      const list = byValues.get(key);
      if (list) list.push(m);
      else byValues.set(key, [m]);
    }
    if (byValues.size > 1)
      return [...byValues.values()].flatMap((members) => unitsOf({ ...g, members }, preferred));
  }
  return plain();
}

function loopOrStatements(g: Gathering, preferred = 0): string[] {
  return unitsOf(g, preferred).map((u) => u.text);
}

// eslint-disable-next-line no-control-regex -- placeholders, as above
const ACCESS = /\b([sr])\[\u0001(\d+)\u0001\]( \+?= (?!=))?/g;

/** A read or (with group 3) a write of a numbered slot in a plain statement. */
const PLAIN_ACCESS = /\b([sr])\[(\d+)\]( \+?= (?!=))?/g;

/** One loop for these statements, or undefined when their numbers are not in arithmetic progression. */
function loopOf(template: string, members: Gathering['members']): Unit | undefined {
  const first = members[0]!.numbers;
  const second = members[1]!.numbers;
  // Equal numbers step by 0 (NaN and infinite constants included: `NaN - NaN` is not 0).
  const same = (x: number, y: number) => x === y || (x !== x && y !== y);
  const steps = first.map((v, k) => (same(second[k]!, v) ? 0 : second[k]! - v));
  // A constant that changes with the element is computed in the loop: exactly so only for
  // integers well inside the range where doubles count exactly.
  for (const k of constantPlaceholders(template)) {
    const d = steps[k]!;
    if (d === 0) continue;
    const last = first[k]! + (members.length - 1) * d;
    const exact = (v: number) => Number.isInteger(v) && Math.abs(v) < 2 ** 31;
    if (!exact(first[k]!) || !exact(d) || !exact(last)) return undefined;
  }
  for (let e = 2; e < members.length; e++) {
    const n = members[e]!.numbers;
    for (let k = 0; k < steps.length; k++) {
      if (!same(n[k]!, steps[k] === 0 ? first[k]! : first[k]! + e * steps[k]!)) return undefined;
    }
  }
  const body = template
    .replace(TABLE_CALL, (_m, k: string) => {
      const v0 = first[Number(k)]!;
      const d = steps[Number(k)]!;
      if (d === 0) return `L${v0}(`;
      return `R.lookup(GU[${d === 1 ? `${v0} + i` : `${v0} + ${d} * i`}], `;
    })
    .replace(PLACEHOLDER, (_m, marker: string, k: string) => {
      const v0 = first[Number(k)]!;
      const d = steps[Number(k)]!;
      if (d === 0) return written(marker, v0);
      const at = d === 1 ? `${v0} + i` : `${v0} + ${d} * i`;
      // A constant stands in an expression: bracketed, as `num` brackets a negative one.
      return marker === '\u0002' ? `(${at})` : at;
    });
  const access: Access[] = [];
  for (const m of template.matchAll(ACCESS)) {
    const k = Number(m[2]);
    const at = { arr: m[1] as 's' | 'r', base: first[k]!, step: steps[k]! };
    // `x += ...` reads x as well as writing it.
    if (!m[3] || m[3].includes('+')) access.push({ ...at, write: false });
    if (m[3]) access.push({ ...at, write: true });
  }
  const n = members.length;
  return {
    text: `for (let i = 0; i < ${n}; i++) { ${body} }`,
    loop: { n, body, fusable: !INDIRECT.test(template), access },
  };
}

/** The length of the gatherings holding the most statements (0 when none could be a loop). */
function commonLength(groups: readonly Gathering[]): number {
  const count = new Map<number, number>();
  for (const g of groups) {
    const n = g.members.length;
    if (n >= 4) count.set(n, (count.get(n) ?? 0) + n);
  }
  let best = 0;
  let most = 0;
  for (const [n, c] of count) if (c > most || (c === most && n < best)) [best, most] = [n, c];
  return best;
}

/**
 * Fuse consecutive loops of equal length into one pass, where that keeps every read seeing the
 * value it saw before: a loop may join when no iteration of it reads a position that the pass
 * writes at a later iteration, and none writes a position that the pass reads at a later
 * iteration. Plain statements and loops reading by computed index end a pass.
 * @internal exported for tests
 */
export function fuse(
  units: readonly Unit[],
  sizes: { s: number; r: number },
  options: ForwardOptions = {},
): string[] {
  const out: string[] = [];
  const internal = options.internal;
  const reads = internal ? countReads(units, sizes.s) : undefined;
  /** Index texts of the pass's internal values whose every read it forwards (see `ForwardOptions.internal`). */
  const unstored = (): Set<string> => {
    const out = new Set<string>();
    if (!internal || !reads) return out;
    pass.forEach((u, k) => {
      const w = WHOLE_WRITE.exec(u.loop!.body);
      const wa = u.loop!.access.find((a) => a.write && a.arr === 's');
      if (!w || w[1] !== 's' || !wa || wa.step === 0) return;
      let forwarded = 0;
      for (let j = k + 1; j < pass.length; j++)
        for (const a of pass[j]!.loop!.access)
          if (!a.write && a.arr === 's' && a.base === wa.base && a.step === wa.step) forwarded++;
      for (let i = 0, x = wa.base; i < u.loop!.n; i++, x += wa.step)
        if (!internal(x) || reads[x] !== forwarded) return;
      out.add(w[2]!);
    });
    return out;
  };
  const writer = { s: new Int32Array(sizes.s).fill(-1), r: new Int32Array(sizes.r).fill(-1) };
  const lastRead = { s: new Int32Array(sizes.s).fill(-1), r: new Int32Array(sizes.r).fill(-1) };
  let pass: Unit[] = [];
  /** Plain statements moved before the current pass (they touch nothing it touches). */
  let before: string[] = [];
  const reset = () => {
    let touched = 0;
    for (const u of pass) touched += u.loop!.access.length * u.loop!.n;
    // A pass over much of the state: clearing the whole arrays is the cheaper.
    if (touched * 4 > sizes.s + sizes.r) {
      writer.s.fill(-1);
      writer.r.fill(-1);
      lastRead.s.fill(-1);
      lastRead.r.fill(-1);
      return;
    }
    for (const u of pass)
      for (const a of u.loop!.access)
        for (let i = 0, x = a.base; i < u.loop!.n; i++, x += a.step) {
          writer[a.arr][x] = -1;
          lastRead[a.arr][x] = -1;
        }
  };
  const flush = () => {
    out.push(...before);
    before = [];
    if (pass.length === 1) out.push(pass[0]!.text);
    else if (pass.length > 1) {
      const bodies = pass.map((u) => u.loop!.body);
      const body = options.values ? forward(bodies, options.rates === true, unstored()) : bodies.join(' ');
      out.push(`for (let i = 0; i < ${pass[0]!.loop!.n}; i++) { ${body} }`);
    }
    reset();
    pass = [];
  };
  const fits = (u: Unit): boolean => {
    for (const a of u.loop!.access)
      for (let i = 0, x = a.base; i < u.loop!.n; i++, x += a.step) {
        if (x < 0 || x >= writer[a.arr].length) return false;
        if (a.write ? lastRead[a.arr][x]! > i : writer[a.arr][x]! > i) return false;
      }
    return true;
  };
  const add = (u: Unit) => {
    for (const a of u.loop!.access)
      for (let i = 0, x = a.base; i < u.loop!.n; i++, x += a.step) {
        if (a.write) writer[a.arr][x] = i;
        else if (lastRead[a.arr][x]! < i) lastRead[a.arr][x] = i;
      }
    pass.push(u);
  };
  // A plain statement that reads nothing the pass writes and writes nothing it touches can go
  // before the pass instead of ending it.
  const movable = (u: Unit): boolean => {
    if (u.text.includes('R.at(') || pass.length === 0) return false;
    // A long sum reads its range: movable when the pass writes none of it.
    for (const m of u.text.matchAll(SUM_RANGE)) {
      const [base, stride, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
      for (let k = 0, x = base; k < n; k++, x += stride)
        if (x < 0 || x >= writer.s.length || writer.s[x] !== -1) return false;
    }
    for (const m of u.text.matchAll(PLAIN_ACCESS)) {
      const arr = writer[m[1] as 's' | 'r'];
      const x = Number(m[2]);
      if (x >= arr.length || arr[x] !== -1) return false;
      if (m[3] && lastRead[m[1] as 's' | 'r'][x] !== -1) return false;
    }
    return true;
  };
  for (const u of units) {
    if (!u.loop && movable(u)) {
      before.push(u.text);
      continue;
    }
    if (!u.loop || !u.loop.fusable) {
      flush();
      out.push(u.text);
      continue;
    }
    // One check where the loop joins the pass; after a flush, only its range is checked.
    const joins = pass.length > 0 && u.loop.n === pass[0]!.loop!.n && fits(u);
    if (pass.length && !joins) flush();
    if (!joins && !fits(u)) {
      // Out of range positions: leave the loop alone.
      out.push(u.text);
      continue;
    }
    add(u);
  }
  flush();
  return out;
}

export interface ForwardOptions {
  /** Values a pass computes are kept in locals for the statements after them in the same iteration. */
  values?: boolean;
  /**
   * Rates consumed by a stock update in the same iteration are locals only, never stored (the
   * Euler pass, where nothing else reads them).
   */
  rates?: boolean;
  /**
   * Positions of internal values (a delay's stage outputs) that no result shows: when every
   * read of one is forwarded within its pass, it is not stored either (the Euler pass).
   */
  internal?: (position: number) => boolean;
}

/**
 * How many times the units read each state position, or undefined when a read cannot be
 * located (an index computed at run time).
 */
function countReads(units: readonly Unit[], size: number): Int32Array | undefined {
  const count = new Int32Array(size);
  for (const u of units) {
    if (u.loop) {
      if (!u.loop.fusable) return undefined;
      for (const a of u.loop.access) {
        if (a.write || a.arr !== 's') continue;
        for (let i = 0, x = a.base; i < u.loop.n; i++, x += a.step) if (x >= 0 && x < size) count[x]!++;
      }
      continue;
    }
    if (u.text.includes('R.at(')) return undefined;
    for (const m of u.text.matchAll(SUM_RANGE)) {
      const [base, stride, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
      for (let k = 0, x = base; k < n; k++, x += stride) if (x >= 0 && x < size) count[x]!++;
    }
    for (const m of u.text.matchAll(PLAIN_ACCESS)) {
      const x = Number(m[2]);
      if (m[1] === 's' && (!m[3] || m[3].includes('+')) && x < size) count[x]!++;
    }
  }
  return count;
}

/** A statement writing a whole slot: `s[index] = value;` or `r[index] = value;`. */
const WHOLE_WRITE = /^([sr])\[([^\]]+)\] = (.*);$/;
/** A slot read by its index expression in a loop body. */
const INDEXED = /\b([sr])\[([^\]]+)\]/g;
/** A stock update reading its rate. */
const UPDATE_READ = /dt \* r\[([^\]]+)\]/g;

/**
 * The bodies of one fused pass with store-to-load forwarding written out: a value written by a
 * statement of the iteration is read from a local by the statements after it (V8 reloads from
 * the typed array otherwise, since another store to the array might have changed it). The
 * stores stay (the values are results), except, with `dropRates`, rates that a stock update of
 * the same iteration consumes. Each slot has one writer in a pass, so a local never goes stale;
 * the same arithmetic on the same values gives the same numbers.
 */
function forward(bodies: readonly string[], dropRates: boolean, unstored: ReadonlySet<string>): string {
  const consumed = new Set<string>();
  if (dropRates) for (const b of bodies) for (const m of b.matchAll(UPDATE_READ)) consumed.add(m[1]!);
  const local = new Map<string, string>();
  const read = (text: string) =>
    text.replace(INDEXED, (all, arr: string, idx: string) => local.get(`${arr}${idx}`) ?? all);
  const out: string[] = [];
  for (const b of bodies) {
    const w = WHOLE_WRITE.exec(b);
    if (!w) {
      out.push(read(b));
      continue;
    }
    const [, arr, idx, value] = w as unknown as [string, string, string, string];
    const name = `w${local.size}`;
    out.push(`const ${name} = ${read(value)};`);
    if (!(arr === 'r' ? consumed.has(idx) : unstored.has(idx))) out.push(`${arr}[${idx}] = ${name};`);
    local.set(`${arr}${idx}`, name);
  }
  return out.join(' ');
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
  like?: Likeness,
): Gathering[] {
  // Gatherings by depth, then by template (no key string built per statement).
  const byDepth = new Map<number, Map<string, Gathering>>();
  const groups: Gathering[] = [];
  // Statements of one gathering mostly come one after another (the elements of a variable):
  // the last gathering is tried first, which saves hashing the template.
  let last: Gathering | undefined;
  // The shortcut: gatherings by depth and shape hash; a statement shaped like one's first
  // member has its template, and only its numbers are collected (the elements of an array, or
  // repeated scalar structure, written out once).
  const byHash = new Map<number, Gathering[]>();
  const hashOf = (depth: number, shape: StatementShape) =>
    shape.ir
      ? shapeHash(shape.ir, (Math.imul(depth, 0x9e3779b1) + shape.flags) | 0)
      : depth * 64 + shape.flags;
  gathering: for (const id of ids) {
    const depth = depthOf(id);
    let shape: StatementShape | undefined;
    let hash = 0;
    if (like) {
      shape = like.shape(id);
      const b = shape.ir;
      // The last gathering first (the next element of the same variable, mostly): no hash then.
      if (last?.shape && last.depth === depth && last.shape.flags === shape.flags) {
        const numbers = [P(id)];
        const a = last.shape.ir;
        if (a === undefined ? b === undefined : b !== undefined && sameShape(a, b, like, numbers)) {
          last.members.push({ id, numbers });
          continue;
        }
      }
      hash = hashOf(depth, shape);
      for (const g of byHash.get(hash) ?? []) {
        const rep = g.shape!;
        if (g.depth !== depth || rep.flags !== shape.flags) continue;
        const numbers = [P(id)];
        const a = rep.ir;
        if (a === undefined ? b === undefined : b !== undefined && sameShape(a, b, like, numbers)) {
          g.members.push({ id, numbers });
          last = g;
          continue gathering;
        }
      }
    }
    const t = new Templating();
    const template = statement(id, t);
    let g = last !== undefined && last.depth === depth && last.template === template ? last : undefined;
    if (!g) {
      let atDepth = byDepth.get(depth);
      if (!atDepth) byDepth.set(depth, (atDepth = new Map()));
      g = atDepth.get(template);
      if (!g) {
        g = { depth, template, members: [] };
        if (shape) {
          g.shape = shape;
          const list = byHash.get(hash);
          if (list) list.push(g);
          else byHash.set(hash, [g]);
        }
        atDepth.set(template, g);
        groups.push(g);
      }
    }
    last = g;
    g.members.push({ id, numbers: t.numbers });
  }
  groups.sort((a, b) => a.depth - b.depth);
  for (const g of groups) g.members.sort((a, b) => P(a.id) - P(b.id));
  return groups;
}

/** Longest dependency path to each id (-1 for ids not in `ordered`), along an order in which dependencies come first. */
function depthsAlong(
  ordered: readonly number[],
  depsOf: (id: number) => readonly number[],
  size: number,
): Int32Array {
  const depth = new Int32Array(size).fill(-1);
  for (const id of ordered) {
    let d = 0;
    for (const dep of depsOf(id)) {
      const dd = dep < size ? depth[dep]! : -1;
      if (dd >= 0 && dd + 1 > d) d = dd + 1;
    }
    depth[id] = d;
  }
  return depth;
}
