/** Stateful builtins (delays, smooths, trends, INIT, PREVIOUS...) and random draws: internal slots. */
import type { Expr } from '../../equations/ast.js';
import type { BuiltinOfKind } from '../../equations/builtins.js';
import { budgetMessage } from '../../model/budgets.js';
import { valueAtStart } from '../initial-value.js';
import { type IR, c, slot } from '../ir.js';
import { type Ctx, type LowerFns, type LowerState, LowerError, PENDING, TIME_KEYS } from './types.js';

export function statefulLowering(
  st: LowerState,
): Pick<LowerFns, 'lowerStateful' | 'startContext' | 'staticOrder' | 'constantStartContext' | 'lowerRandom'> {
  const { slots, streams, histories, vars, slotVar, model, budgets, newSlot } = st;

  const lowerStateful = (name: BuiltinOfKind<'stateful'>, args: Expr[], ctx: Ctx, at: number): IR => {
    const L = (fn: string) => st.label(ctx, fn);
    switch (name) {
      case 'INIT': {
        const s = newSlot('init', L('INIT'));
        s.eq = st.lower(args[0]!, { ...ctx, initial: true });
        return slot(s.id);
      }
      case 'PREVIOUS': {
        const x = st.lower(args[0]!, { ...ctx, selfAllowed: true });
        const h = newSlot('haux', L('PREVIOUS input'));
        h.eq = x;
        const p = newSlot('prev', L('PREVIOUS'));
        p.eq = args[1] ? st.lower(args[1], ctx) : x;
        p.source = h.id;
        return slot(p.id);
      }
      case 'SMTH1':
      case 'SMTH3':
      case 'SMTHN': {
        const input = st.hiddenAux(st.lower(args[0]!, ctx), L(`${name} input`));
        const time = st.hiddenAux(st.lower(args[1]!, ctx), L(`${name} time`));
        let order = name === 'SMTH1' ? 1 : 3;
        let initArg = args[2];
        if (name === 'SMTHN') {
          order = staticOrder(args[2]!, ctx, at);
          initArg = args[3];
        }
        const init = initArg ? st.lower(initArg, ctx) : input;
        const stageTime: IR = order === 1 ? time : { k: 'bin', op: '/', a: time, b: c(order) };
        let prev = input;
        let last: IR = input;
        for (let i = 0; i < order; i++) {
          const st = newSlot('hstock', L(`${name} stage ${i + 1}`));
          st.eq = init;
          st.rate = { k: 'bin', op: '/', a: { k: 'bin', op: '-', a: prev, b: slot(st.id) }, b: stageTime };
          prev = slot(st.id);
          last = prev;
        }
        return last;
      }
      case 'DELAY1':
      case 'DELAY3':
      case 'DELAYN': {
        const input = st.hiddenAux(st.lower(args[0]!, ctx), L(`${name} input`));
        const time = st.hiddenAux(st.lower(args[1]!, ctx), L(`${name} time`));
        let order = name === 'DELAY1' ? 1 : 3;
        let initArg = args[2];
        if (name === 'DELAYN') {
          order = staticOrder(args[2]!, ctx, at);
          initArg = args[3];
        }
        const initFlow = initArg ? st.lower(initArg, ctx) : input;
        const stageTime: IR = order === 1 ? time : { k: 'bin', op: '/', a: time, b: c(order) };
        let inflow = input;
        for (let i = 0; i < order; i++) {
          const st = newSlot('hstock', L(`${name} stage ${i + 1}`));
          st.eq = { k: 'bin', op: '*', a: initFlow, b: stageTime };
          const out = newSlot('haux', L(`${name} outflow ${i + 1}`));
          out.eq = { k: 'bin', op: '/', a: slot(st.id), b: stageTime };
          st.rate = { k: 'bin', op: '-', a: inflow, b: slot(out.id) };
          inflow = slot(out.id);
        }
        return inflow;
      }
      case 'DELAY': {
        const input = st.lower(args[0]!, ctx);
        const h = newSlot('haux', L('DELAY input'));
        h.eq = input;
        const delay = st.hiddenAux(st.lower(args[1]!, ctx), L('DELAY time'));
        const init = newSlot('init', L('DELAY initial value'));
        init.eq = args[2] ? st.lower(args[2], ctx) : slot(h.id);
        histories.push({ source: h.id });
        return { k: 'delay', hist: histories.length - 1, delay, init: slot(init.id) };
      }
      case 'TREND':
      case 'FORCST': {
        const input = st.hiddenAux(st.lower(args[0]!, ctx), L(`${name} input`));
        const time = st.hiddenAux(st.lower(args[1]!, ctx), L(`${name} time`));
        const initTrend = (name === 'TREND' ? args[2] : args[3])
          ? st.lower((name === 'TREND' ? args[2] : args[3])!, ctx)
          : c(0);
        const avg = newSlot('hstock', L(`${name} average`));
        avg.eq = {
          k: 'bin',
          op: '/',
          a: input,
          b: { k: 'bin', op: '+', a: c(1), b: { k: 'bin', op: '*', a: initTrend, b: time } },
        };
        avg.rate = { k: 'bin', op: '/', a: { k: 'bin', op: '-', a: input, b: slot(avg.id) }, b: time };
        const trend: IR = {
          k: 'bin',
          op: '/',
          a: { k: 'bin', op: '-', a: input, b: slot(avg.id) },
          b: { k: 'bin', op: '*', a: slot(avg.id), b: time },
        };
        if (name === 'TREND') return trend;
        const horizon = st.lower(args[2]!, ctx);
        return {
          k: 'bin',
          op: '*',
          a: input,
          b: { k: 'bin', op: '+', a: c(1), b: { k: 'bin', op: '*', a: trend, b: horizon } },
        };
      }
      // Vensim forms (the catalogue documents each).
      case 'NPV': {
        const stream = st.hiddenAux(st.lower(args[0]!, ctx), L('NPV stream'));
        const rate = st.hiddenAux(st.lower(args[1]!, ctx), L('NPV rate'));
        const dt = TIME_KEYS.get('dt')!;
        const df = newSlot('hstock', L('NPV discount factor'));
        df.eq = c(1);
        df.rate = {
          k: 'bin',
          op: '/',
          a: { k: 'neg', a: { k: 'bin', op: '*', a: slot(df.id), b: rate } },
          b: { k: 'bin', op: '+', a: c(1), b: { k: 'bin', op: '*', a: rate, b: dt } },
        };
        const acc = newSlot('hstock', L('NPV accumulated'));
        acc.eq = st.lower(args[2]!, ctx);
        acc.rate = { k: 'bin', op: '*', a: stream, b: slot(df.id) };
        const thisStep: IR = {
          k: 'bin',
          op: '*',
          a: { k: 'bin', op: '*', a: stream, b: dt },
          b: slot(df.id),
        };
        return {
          k: 'bin',
          op: '*',
          a: { k: 'bin', op: '+', a: slot(acc.id), b: thisStep },
          b: st.lower(args[3]!, ctx),
        };
      }
      case 'DELAY_N': {
        const input = st.hiddenAux(st.lower(args[0]!, ctx), L('DELAY N input'));
        const time = st.hiddenAux(st.lower(args[1]!, ctx), L('DELAY N time'));
        let order = staticOrder(args[3]!, { ...ctx, vensimOrder: true }, at);
        // Vensim lowers the order until n x DT <= the delay time (at the start).
        const t0 = valueAtStart(time, startContext());
        if (t0 !== undefined && t0 > 0)
          order = Math.max(1, Math.min(order, Math.floor(t0 / model.simSpecs.dt + 1e-9)));
        const initFlow = st.lower(args[2]!, ctx);
        // Each stage drains at the delay time that was current when its contents entered: stage k
        // reads the delay time of k - 1 steps before.
        let stageDelay: IR = time;
        let inflow = input;
        for (let i = 0; i < order; i++) {
          if (i > 0 && time.k === 's') {
            const src = newSlot('haux', L(`DELAY N time ${i}`));
            src.eq = stageDelay;
            const p = newSlot('prev', L(`DELAY N time ${i + 1}`));
            p.eq = time;
            p.source = src.id;
            stageDelay = slot(p.id);
          }
          const stageTime: IR = { k: 'bin', op: '/', a: stageDelay, b: c(order) };
          const st = newSlot('hstock', L(`DELAY N stage ${i + 1}`));
          st.eq = { k: 'bin', op: '*', a: initFlow, b: { k: 'bin', op: '/', a: time, b: c(order) } };
          const out = newSlot('haux', L(`DELAY N outflow ${i + 1}`));
          out.eq = { k: 'bin', op: '/', a: slot(st.id), b: stageTime };
          st.rate = { k: 'bin', op: '-', a: inflow, b: slot(out.id) };
          inflow = slot(out.id);
        }
        return inflow;
      }
      case 'SMOOTH_N':
        return lowerStateful(
          'SMTHN',
          [args[0]!, args[1]!, args[3]!, args[2]!],
          { ...ctx, vensimOrder: true },
          at,
        );
      case 'ACTIVE_INITIAL': {
        const h = newSlot('haux', L('ACTIVE INITIAL'));
        h.eq = st.lower(args[0]!, ctx);
        h.initEq = st.lower(args[1]!, ctx);
        return slot(h.id);
      }
      case 'SAMPLE_IF_TRUE': {
        const p = newSlot('prev', L('SAMPLE IF TRUE'));
        p.eq = st.lower(args[2]!, ctx);
        const h = newSlot('haux', L('SAMPLE IF TRUE value'));
        h.eq = { k: 'if', c: st.lower(args[0]!, ctx), a: st.lower(args[1]!, ctx), b: slot(p.id) };
        p.source = h.id;
        return slot(h.id);
      }
      case 'DELAY_FIXED': {
        const input = st.lower(args[0]!, ctx);
        const h = newSlot('haux', L('DELAY FIXED input'));
        h.eq = input;
        // Whole steps, fixed at the start: n = ROUND(delay/DT), at least 1.
        const steps = newSlot('init', L('DELAY FIXED time'));
        steps.eq = {
          k: 'bin',
          op: '*',
          a: {
            k: 'fn',
            name: 'MAX',
            args: [
              c(1),
              {
                k: 'fn',
                name: 'ROUND',
                args: [{ k: 'bin', op: '/', a: st.lower(args[1]!, ctx), b: { k: 'dt' } }],
              },
            ],
          },
          b: { k: 'dt' },
        };
        const init = newSlot('init', L('DELAY FIXED initial value'));
        init.eq = st.lower(args[2]!, ctx);
        histories.push({ source: h.id });
        return { k: 'delay', hist: histories.length - 1, delay: slot(steps.id), init: slot(init.id) };
      }
      default: {
        // Every stateful builtin of the catalogue has a case above (checked by the compiler).
        const missing: never = name;
        throw new LowerError(`'${String(missing)}' is not implemented`, at, 'unsupported-feature');
      }
    }
  };

  const startContext = () => ({
    start: model.simSpecs.start,
    stop: model.simSpecs.stop,
    dt: model.simSpecs.dt,
    equation: (i: number) => {
      const sl = slots[i]!;
      // A variable not lowered yet (it comes later in the file): lower it now, once.
      if (sl.eq === PENDING && sl.varIndex !== undefined && sl.role !== 'stock' && !onDemand.has(i)) {
        onDemand.add(i);
        const vi = vars[sl.varIndex]!;
        const { eqn, gf } = st.elementEquation(vi, sl.element!);
        sl.eq = st.lowerValue(vi, sl.element!, eqn, gf);
      }
      return sl.eq === PENDING ? undefined : sl.eq;
    },
  });
  const onDemand = new Set<number>();

  /**
   * The order of DELAYN/SMTHN: like Vensim, the value its expression has at the start (an order
   * that changes later keeps its initial value, as the structure is built once).
   */
  const staticOrder = (e: Expr, ctx: Ctx, at: number): number => {
    const ir = st.lower(e, ctx);
    // Vensim reads the order once, at the start (`2 + STEP(1, 10)` stays 2), and truncates it.
    let v =
      st.constFold(ir) ??
      (ctx.vensimOrder ? valueAtStart(ir, startContext()) : valueAtStart(ir, constantStartContext()));
    if (ctx.vensimOrder && v !== undefined && v >= 1) v = Math.trunc(v);
    if (v === undefined || !Number.isFinite(v) || v < 1) {
      throw new LowerError(
        'the order of DELAYN/SMTHN must have an initial value of at least 1 that does not depend on stocks or delays',
        at,
        'invalid-argument',
      );
    }
    if (Math.round(v) > budgets.delayOrder) {
      throw new LowerError(
        budgetMessage('delayOrder', 'the order of this DELAYN/SMTHN', Math.round(v), budgets.delayOrder),
        e.span.start,
        'budget-exceeded',
      );
    }
    return Math.round(v);
  };

  /**
   * The context for values at the start that depend only on constants, time and pure functions
   * (XMILE's DELAYN/SMTHN order): stocks and internal stocks are not followed to their initial values.
   */
  const constantStartContext = () => ({
    start: model.simSpecs.start,
    stop: model.simSpecs.stop,
    dt: model.simSpecs.dt,
    equation: (i: number) => {
      const sl = slots[i]!;
      if (sl.eq === PENDING && slotVar[sl.id] !== undefined && sl.role !== 'stock' && sl.role !== 'hstock')
        st.lowerSlotNow(sl);
      const follow = sl.role === 'aux' || sl.role === 'flow' || sl.role === 'init' || sl.role === 'haux';
      return follow && sl.eq && sl.eq !== PENDING ? sl.eq : undefined;
    },
  });

  const lowerRandom = (name: BuiltinOfKind<'random'>, args: Expr[], ctx: Ctx, at: number): IR => {
    const spec = RANDOM_DRAWS[name];
    const arity = spec.params;
    let seed: number | undefined;
    if (args.length > arity) {
      seed = st.constFold(st.lower(args[arity]!, ctx));
      if (seed === undefined)
        throw new LowerError(`the seed of ${name} must be a constant`, at, 'invalid-argument');
    }
    // Vensim's seed 0 means: follow the run seed.
    if (seed === 0 && name.startsWith('RANDOM_')) seed = undefined;
    streams.push(seed === undefined ? {} : { seed, salt: ctx.element });
    const q = newSlot('rand', st.label(ctx, name));
    q.draw = { dist: spec.dist, stream: streams.length - 1 };
    return spec.value(
      args.slice(0, arity).map((x) => st.lower(x, ctx)),
      slot(q.id),
    );
  };

  return { lowerStateful, startContext, staticOrder, constantStartContext, lowerRandom };
}

/**
 * Each random builtin of the catalogue: how many parameters come before its optional seed, the
 * draw it reads (uniform on [0, 1) or standard normal) and its value from that draw `u`. Keyed
 * by every random builtin, so one without a definition here does not compile.
 */
const RANDOM_DRAWS: Record<
  BuiltinOfKind<'random'>,
  { params: number; dist: 'uniform' | 'normal'; value: (a: IR[], u: IR) => IR }
> = {
  RANDOM: { params: 2, dist: 'uniform', value: (a, u) => uniformIn(a[0]!, a[1]!, u) },
  RANDOM_UNIFORM: { params: 2, dist: 'uniform', value: (a, u) => uniformIn(a[0]!, a[1]!, u) },
  NORMAL: {
    params: 2,
    dist: 'normal',
    value: (a, u) => ({ k: 'bin', op: '+', a: a[0]!, b: { k: 'bin', op: '*', a: a[1]!, b: u } }),
  },
  RANDOM_NORMAL: {
    params: 4,
    dist: 'normal',
    value: (a, u) => {
      const draw: IR = { k: 'bin', op: '+', a: a[2]!, b: { k: 'bin', op: '*', a: a[3]!, b: u } };
      return { k: 'fn', name: 'MIN', args: [a[1]!, { k: 'fn', name: 'MAX', args: [a[0]!, draw] }] };
    },
  },
  LOGNORMAL: {
    params: 2,
    dist: 'normal',
    value: (a, u) => ({ k: 'rt', name: 'lognormal', args: [a[0]!, a[1]!, u] }),
  },
  EXPRND: { params: 1, dist: 'uniform', value: (a, u) => ({ k: 'rt', name: 'exprnd', args: [a[0]!, u] }) },
  POISSON: { params: 1, dist: 'uniform', value: (a, u) => ({ k: 'rt', name: 'poisson', args: [u, a[0]!] }) },
};

function uniformIn(lo: IR, hi: IR, u: IR): IR {
  return { k: 'bin', op: '+', a: lo, b: { k: 'bin', op: '*', a: { k: 'bin', op: '-', a: hi, b: lo }, b: u } };
}
