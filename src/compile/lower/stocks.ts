/**
 * Stocks and flows: each stock's net rate from its inflows and outflows, outflows limited for
 * non-negative stocks, and the flows of queues and conveyors.
 */
import type { BinaryOp } from '../../equations/ast.js';
import { canonicalName, displayName } from '../../equations/names.js';
import { type IR, c, irDeps, slot } from '../ir.js';
import { sumOf } from './arrays.js';
import { type LowerState, type Slot, type VarInfo, elementLabel } from './types.js';

/** A stock's element with the flow slots that fill and drain it. */
interface StockFlows {
  s: Slot;
  vi: VarInfo;
  ins: number[];
  outs: number[];
}

const isLeak = (fv: VarInfo | undefined): boolean => !!fv?.v.leak;

/** Flows a conveyor or queue drives (its non-leakage outflows): they need no equation. */
export function markDrivenFlows(st: LowerState): void {
  const { allVars, byKey, drivenFlows } = st;
  for (const vi of allVars) {
    if (vi.v.kind !== 'stock' || !(vi.v.conveyor || vi.v.queue)) continue;
    const outs = (vi.v.outflows ?? []).map((n) => {
      const k = canonicalName(n);
      return byKey.get(vi.scope ? `${vi.scope}.${k}` : k);
    });
    const marked = outs.some(isLeak);
    outs.forEach((fv, i) => {
      if (!fv) return;
      if (vi.v.queue || (marked ? !isLeak(fv) : i === 0) || fv.v.leak?.fraction) drivenFlows.add(fv.key);
    });
  }
}

/** Every stock's rate, then queues, conveyors and the limits of non-negative stocks' outflows. */
export function lowerStocks(st: LowerState): void {
  const { slots, histories, edges, allVars, byKey, slotVar, err, newSlot } = st;
  /**
   * Non-negative stocks (XMILE 1.0 sections 3.6.2 and 4.2): the logic sits in the outflows, taken
   * in priority order. An outflow that drains only this stock is limited to what the stock holds
   * plus what flows in during the step, less what the outflows before it take, so material is
   * conserved (a stock of 5 with two outflows of 4 passes 4 and 1) and the flow reports what
   * moved. What cannot be limited that way (a negative inflow; a flow that several stocks name as
   * their outflow, which the SDXorg suite uses) is held by a floor on the stock's net rate,
   * -stock/DT, so the stock stops at zero while those flows keep their values.
   */
  const limitOutflows = (entries: StockFlows[], drains: Map<number, number>): void => {
    const over = (a: IR, b: IR): IR => ({ k: 'bin', op: '/', a, b });
    for (const { s, vi, ins, outs } of entries) {
      const stockRate: IR = over(slot(s.id), { k: 'dt' });
      s.rate = { k: 'fn', name: 'MAX', args: [s.rate!, { k: 'neg', a: stockRate }] };
      const limited = outs.filter((o) => drains.get(o) === 1 && !limitedFlows.has(o));
      if (limited.length === 0) continue;
      const saved = limited.map((o) => ({ o, eq: slots[o]!.eq, uniflow: slots[o]!.uniflow }));
      const added: Slot[] = [];
      const positive = ins.map((g): IR => ({ k: 'fn', name: 'MAX', args: [c(0), slot(g)] }));
      let cum: IR = positive.length ? { k: 'bin', op: '+', a: stockRate, b: sumOf(positive) } : stockRate;
      for (const o of outs) {
        const fl = slots[o]!;
        const h = newSlot('haux', `${fl.label}·available`);
        h.eq = cum;
        added.push(h);
        if (limited.includes(o)) {
          const raw = newSlot('haux', `${fl.label}·unlimited`);
          raw.eq = fl.eq;
          if (fl.uniflow) raw.uniflow = true;
          added.push(raw);
          fl.eq = {
            k: 'fn',
            name: 'MIN',
            args: [slot(raw.id), { k: 'fn', name: 'MAX', args: [c(0), slot(h.id)] }],
          };
        }
        cum = { k: 'bin', op: '-', a: slot(h.id), b: slot(o) };
      }
      if (limited.some((o) => onCycle(o))) {
        // A flow the stock's availability depends on depends on one of its outflows (an inflow
        // computed from an outflow, an initial value from a flow): keep the floor only.
        for (const x of saved) {
          slots[x.o]!.eq = x.eq;
          if (x.uniflow) slots[x.o]!.uniflow = true;
        }
        for (const h of added) h.eq = c(0);
        err(
          'outflow-limiting',
          `the outflows of non-negative stock '${elementLabel(vi, s.element ?? 0)}' feed back into what it can give within one step; they are not limited, the stock is held at zero instead`,
          vi.v.loc,
          vi.display,
          'warning',
        );
        continue;
      }
      for (const o of limited) limitedFlows.add(o);
    }
  };
  const limitedFlows = new Set<number>();
  /** Does the value of slot `id` depend on itself, within a step or while initial values are computed? */
  const onCycle = (id: number): boolean => {
    for (const atStart of [false, true]) {
      const seen = new Set<number>();
      const stack = [id];
      let first = true;
      while (stack.length) {
        const x = stack.pop()!;
        if (x === id && !first) return true;
        first = false;
        if (seen.has(x)) continue;
        seen.add(x);
        const sl = slots[x]!;
        const state = sl.role === 'stock' || sl.role === 'hstock' || sl.role === 'prev';
        if ((state && !atStart) || sl.role === 'rand' || !sl.eq) continue;
        const deps = new Set<number>();
        irDeps(sl.eq, deps);
        for (const d of deps) stack.push(d);
      }
    }
    return false;
  };

  const bin = (op: BinaryOp, a: IR, b: IR): IR => ({ k: 'bin', op, a, b });
  const fnMin = (...args: IR[]): IR => ({ k: 'fn', name: 'MIN', args });
  const fnMax = (...args: IR[]): IR => ({ k: 'fn', name: 'MAX', args });

  /**
   * A queue (XMILE 1.0 section 3.7.3): first in, first out. Its first outflow takes what the
   * queue holds plus what arrives in the step (a downstream conveyor may limit it); each outflow
   * marked `<overflow/>` takes what the outflows before it could not; other outflows take nothing.
   */
  const lowerQueue = ({ s, vi, ins, outs }: StockFlows): void => {
    let available: IR = bin(
      '+',
      bin('/', slot(s.id), { k: 'dt' }),
      sumOf(ins.map((g) => fnMax(c(0), slot(g)))),
    );
    outs.forEach((o, i) => {
      const fl = slots[o]!;
      const fv = slotVar[o];
      const h = newSlot('haux', `${fl.label}·queue available`);
      h.eq = available;
      if (i === 0 || fv?.v.overflow) fl.eq = fnMax(c(0), slot(h.id));
      else fl.eq = c(0);
      available = bin('-', slot(h.id), slot(o));
    });
    if (vi.v.conveyor && s.element === 0)
      err(
        'invalid-queue',
        `'${vi.display}' is both a queue and a conveyor; it runs as a queue`,
        vi.v.loc,
        vi.display,
        'warning',
      );
  };

  /**
   * A conveyor (XMILE 1.0 sections 3.7.2, 4.2.1): what enters leaves its transit time later
   * (a pipeline of the inflow; the initial contents spread evenly, as if they had entered over
   * the last transit time). Each leakage outflow takes its fraction of the inflowing amount,
   * evenly over its zone (leak_start..leak_end of the length); the normal outflow carries the rest.
   * Capacity and inflow limit hold back the inflows, in priority order.
   */
  const lowerConveyor = ({ s, vi, ins, outs }: StockFlows): void => {
    const cv = vi.v.conveyor!;
    const e = s.element ?? 0;
    const L0 = (name: string) => `${elementLabel(vi, e)}·conveyor ${name}`;
    if (!cv.len) {
      if (e === 0)
        err(
          'missing-equation',
          `conveyor '${vi.display}' has no transit time (<len>); it runs as a plain stock`,
          vi.v.loc,
          vi.display,
        );
      return;
    }
    if (e === 0) {
      const unsupported = [
        cv.sample && '<sample>',
        cv.arrest && '<arrest>',
        cv.discrete && 'discrete',
        cv.batchIntegrity && 'batch_integrity',
        cv.exponentialLeak && 'exponential_leak',
      ].filter(Boolean);
      if (unsupported.length)
        err(
          'unsupported-feature',
          `conveyor '${vi.display}': ${unsupported.join(', ')} not simulated (a continuous conveyor with linear leakage is)`,
          vi.v.loc,
          vi.display,
          'warning',
        );
    }
    const len = st.hiddenAux(st.lowerValue(vi, e, cv.len, undefined), L0('transit time'));
    // Inflows, limited by capacity and inflow limit in priority order.
    const room: IR[] = [];
    if (cv.inLimit) room.push(st.lowerValue(vi, e, cv.inLimit, undefined));
    if (cv.capacity) {
      const cap = st.lowerValue(vi, e, cv.capacity, undefined);
      room.push(
        fnMax(
          c(0),
          bin('+', bin('/', bin('-', cap, slot(s.id)), { k: 'dt' }), sumOf(outs.map((o) => slot(o)))),
        ),
      );
    }
    let allowed: IR | undefined =
      room.length === 0 ? undefined : room.length === 1 ? room[0]! : fnMin(...room);
    for (const g of ins) {
      const fl = slots[g]!;
      fl.eq = fnMax(c(0), fl.eq ?? c(0));
      if (allowed) {
        const h = newSlot('haux', `${fl.label}·conveyor room`);
        h.eq = allowed;
        fl.eq = fnMin(fl.eq, fnMax(c(0), slot(h.id)));
        allowed = bin('-', slot(h.id), slot(g));
      }
    }
    const entering = newSlot('haux', L0('entering'));
    entering.eq = sumOf(ins.map((g) => slot(g)));
    histories.push({ source: entering.id });
    const hist = histories.length - 1;
    const initRate = newSlot('init', L0('initial rate'));
    initRate.eq = bin('/', slot(s.id), len);
    const entered = (z: number): IR =>
      z <= 0
        ? slot(entering.id)
        : { k: 'delay', hist, delay: z === 1 ? len : bin('*', c(z), len), init: slot(initRate.id) };
    const fvs = outs.map((o) => slotVar[o]);
    const marked = fvs.some(isLeak);
    let leaked: IR = c(0);
    let normal: number | undefined;
    outs.forEach((o, i) => {
      const fv = fvs[i];
      const leak = marked ? isLeak(fv) : i > 0;
      if (!leak) {
        if (normal === undefined) normal = o;
        else slots[o]!.eq = c(0);
        return;
      }
      const fl = slots[o]!;
      const fe = fl.element ?? 0;
      const fraction = fv?.v.leak?.fraction
        ? st.lowerValue(fv, fe, fv.v.leak.fraction, undefined)
        : (fl.eq ?? c(0));
      const f = st.hiddenAux(fraction, `${fl.label}·leak fraction`);
      const zs = Math.min(1, Math.max(0, fv?.v.leak?.start ?? 0));
      const ze = Math.min(1, Math.max(zs, fv?.v.leak?.end ?? 1));
      if (ze <= zs) {
        fl.eq = c(0);
        return;
      }
      const zone = newSlot('hstock', `${fl.label}·leak zone`);
      zone.eq = bin('*', slot(s.id), c(ze - zs));
      zone.rate = bin('-', entered(zs), entered(ze));
      fl.eq = bin('/', bin('*', f, slot(zone.id)), bin('*', c(ze - zs), len));
      leaked = leaked.k === 'c' && leaked.v === 0 ? f : bin('+', leaked, f);
    });
    if (normal !== undefined) slots[normal]!.eq = bin('*', bin('-', c(1), leaked), entered(1));
  };

  // Stocks: rates from inflows and outflows, element by element.
  /** How many stocks name each flow slot as an outflow. */
  const outflowOf = new Map<number, number>();
  const nonNegative: StockFlows[] = [];
  const special: StockFlows[] = [];
  for (const vi of allVars) {
    if (vi.v.kind !== 'stock') continue;
    const flowSlots = (names: string[] | undefined, e: number): number[] => {
      const out: number[] = [];
      for (const n of names ?? []) {
        const fk = canonicalName(n);
        const fv = byKey.get(vi.scope ? `${vi.scope}.${fk}` : fk);
        // Report once per stock, not once per element of an arrayed stock.
        if (!fv) {
          if (e === 0)
            err(
              'unknown-flow',
              `stock '${vi.display}' names a flow '${displayName(n)}' that does not exist`,
              vi.v.loc,
              vi.display,
            );
          continue;
        }
        // Converted Vensim models use auxiliaries as flows (the suite's zeroled_decimals does): warn, use it.
        if (fv.v.kind !== 'flow' && !fv.v.flowConcept && e === 0) {
          err(
            'not-a-flow',
            `stock '${vi.display}' names '${fv.display}' as a flow, but it is ${fv.v.kind === 'stock' ? 'a stock' : 'an auxiliary'}`,
            vi.v.loc,
            vi.display,
            'warning',
          );
        }
        if (fv.size === 1) {
          out.push(fv.base);
          continue;
        }
        if (fv.size !== vi.size) {
          if (e === 0)
            err(
              'dimension-mismatch',
              `flow '${fv.display}' has ${fv.size} elements but stock '${vi.display}' has ${vi.size}`,
              vi.v.loc,
              vi.display,
            );
          continue;
        }
        out.push(fv.base + e);
      }
      return out;
    };
    for (let e = 0; e < vi.size; e++) {
      const s = slots[vi.base + e]!;
      const ins = flowSlots(vi.v.inflows, e);
      const outs = flowSlots(vi.v.outflows, e);
      const terms: IR[] = ins.map((i) => slot(i));
      let rate: IR = terms.length ? sumOf(terms) : c(0);
      if (outs.length) rate = { k: 'bin', op: '-', a: rate, b: sumOf(outs.map((o) => slot(o))) };
      s.rate = rate;
      for (const o of outs) outflowOf.set(o, (outflowOf.get(o) ?? 0) + 1);
      if (vi.v.nonNegative) nonNegative.push({ s, vi, ins, outs });
      if (vi.v.conveyor || vi.v.queue) special.push({ s, vi, ins, outs });
    }
    if (vi.params) continue; // a macro instance's stock is not a node of the model's graph
    for (const n of [...(vi.v.inflows ?? []), ...(vi.v.outflows ?? [])]) {
      const fk = canonicalName(n);
      const fv = byKey.get(vi.scope ? `${vi.scope}.${fk}` : fk);
      edges.push({ from: fv?.display ?? displayName(n), to: vi.display, kind: 'flow' });
    }
  }

  for (const x of special) if (x.vi.v.queue) lowerQueue(x);
  for (const x of special) if (x.vi.v.conveyor && !x.vi.v.queue) lowerConveyor(x);
  limitOutflows(nonNegative, outflowOf);
}
