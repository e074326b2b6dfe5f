/**
 * Vensim .mdl -> Model (the same model the XMILE reader makes). Records are parsed by
 * parser.ts; this file resolves subscript ranges into dimension families, gathers each
 * variable's definitions (apply-to-all, per element, `:EXCEPT:`, number lists), turns INTEG
 * into stocks with their inflows and outflows, lookups into graphical functions, and writes
 * each right-hand side as an engine equation (names quoted, Vensim functions named by their
 * catalogue entries, see functions.ts). Every problem is a diagnostic at FILE:LINE:COL.
 */
import { type StartValue, startValues } from '../compile/start-values.js';
import { canonicalName } from '../equations/names.js';
import { LineMap } from '../model/text.js';
import { PROFILE_TYPES } from '../simulate/allocation.js';
import type {
  Diagnostic,
  Dimension,
  ElementDefinition,
  Equation,
  GraphicalFunction,
  IntegrationMethod,
  MacroDefinition,
  Model,
  ModelView,
  SourceLocation,
  Variable,
} from '../model/types.js';
import { type DataSource, ExternalError, readConstants, readSeries } from './external.js';
import { VENSIM_FUNCTIONS, functionKey } from './functions.js';
import { VensimSyntaxError } from './lexer.js';
import {
  type Definition,
  type Lhs,
  type Sub,
  type Table,
  type VExpr,
  parseDefinition,
  parseExpression,
} from './parser.js';
import { type RawRecord, splitFile } from './records.js';

/** Keys of Vensim's control variables. */
const CONTROLS = new Set(['initial_time', 'final_time', 'time_step', 'saveper']);

/** Vensim's :NA: value, -2^109 (a finite sentinel, so `x = :NA:` tests work). */
export const VENSIM_NA = -6.490371073168535e32;

export interface VensimReadResult {
  model?: Model;
  diagnostics: Diagnostic[];
}

/** Does this text look like a Vensim model (rather than XML)? */
export function looksLikeVensim(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return false;
  return head.startsWith('{UTF-8}') || /~[\s\S]*\|/.test(head.slice(0, 20000));
}

interface Range {
  name: string;
  key: string;
  elements: string[];
  /** Element keys. */
  keys: string[];
  start: number;
  family?: Range;
  mapsTo: { dim: string; elements?: string[] }[];
}

interface VarDef {
  def: Extract<Definition, { kind: 'eq' | 'lookup' | 'data' }>;
  rec: RawRecord;
}

/** Offset of the first character of text[start, end) that is not white space (as `trim` sees it). */
function firstNonBlank(text: string, start: number, end: number): number {
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c < 128 || !/\s/.test(text[i]!)) break;
  }
  return i;
}

const quote = (name: string) =>
  name.indexOf('\\') < 0 && name.indexOf('"') < 0
    ? `"${name}"`
    : `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const num = (v: number) => (v < 0 ? `(0 - ${String(-v)})` : String(v));

export function readVensim(text: string, file?: string, data?: DataSource): VensimReadResult {
  return new VensimReader(text, file, data).read();
}

class VensimReader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly lines: LineMap;
  private readonly ranges = new Map<string, Range>();
  private readonly elementFamilies = new Map<string, Range[]>();
  private readonly defs = new Map<string, VarDef[]>();
  private readonly varOrder: string[] = [];
  private readonly variables = new Map<string, Variable>();
  /** Variable key -> family dims (for `!` and number lists). */
  private readonly varDims = new Map<string, Range[]>();
  private readonly lookups = new Set<string>();
  private extra: Variable[] = [];

  constructor(
    private readonly text: string,
    private readonly file?: string,
    private readonly data?: DataSource,
  ) {
    this.lines = new LineMap(text);
  }

  private loc(offset: number): SourceLocation {
    const { line, column } = this.lines.position(offset);
    return { file: this.file, line, column };
  }

  private error(
    code: string,
    message: string,
    offset: number,
    variable?: string,
    severity: 'error' | 'warning' = 'error',
  ) {
    const l = this.loc(offset);
    this.diagnostics.push({
      severity,
      code,
      message,
      file: this.file,
      line: l.line,
      column: l.column,
      variable,
    });
  }

  read(): VensimReadResult {
    let split;
    try {
      split = splitFile(this.text);
    } catch (e) {
      if (e instanceof VensimSyntaxError) {
        this.error('syntax-error', e.message, e.offset);
        return { diagnostics: this.diagnostics };
      }
      throw e;
    }
    const macroRecords = new Map<number, { rec: RawRecord; def: Definition }[]>();
    const ranged: { def: Extract<Definition, { kind: 'subrange' }> }[] = [];
    const equivalences: Extract<Definition, { kind: 'equivalence' }>[] = [];
    for (const rec of split.records) {
      const first = firstNonBlank(this.text, rec.eqStart, rec.eqEnd);
      if (first === rec.eqEnd) continue;
      if (this.text.charCodeAt(first) === 42) continue; // a group (`*****`)
      let def: Definition;
      try {
        def = parseDefinition(this.text, rec.eqStart, rec.eqEnd);
      } catch (e) {
        if (e instanceof VensimSyntaxError) {
          this.error('syntax-error', `syntax error: ${e.message}`, e.offset);
          continue;
        }
        throw e;
      }
      if (rec.macro !== undefined) {
        const list = macroRecords.get(rec.macro) ?? [];
        list.push({ rec, def });
        macroRecords.set(rec.macro, list);
        continue;
      }
      switch (def.kind) {
        case 'subrange':
          ranged.push({ def });
          break;
        case 'equivalence':
          equivalences.push(def);
          break;
        case 'ignored':
          break;
        default: {
          const key = canonicalName(def.lhs.name);
          let list = this.defs.get(key);
          if (!list) {
            list = [];
            this.defs.set(key, list);
            this.varOrder.push(key);
          }
          list.push({ def, rec });
          this.noteLookup(key, def);
        }
      }
    }
    this.buildRanges(ranged, equivalences);
    const macros = this.buildMacros(split.macros, macroRecords);
    if (this.inlined.size) this.inlineMacros();
    for (const key of this.varOrder) this.resolveDims(key);
    for (const key of this.varOrder) this.buildVariable(key);
    for (const key of this.flowKeys) {
      const fv = this.variables.get(key);
      if (fv && fv.kind === 'aux') fv.kind = 'flow';
    }
    const dimensions: Dimension[] = [...this.ranges.values()].map((r) => ({
      name: r.name,
      elements: r.elements,
      loc: this.loc(r.start),
    }));
    const variables = [
      ...this.varOrder.map((k) => this.variables.get(k)).filter((v): v is Variable => !!v),
      ...this.extra,
    ];
    const model: Model = {
      file: this.file,
      header: { product: 'Vensim' },
      simSpecs: { start: 0, stop: 0, dt: 1, method: 'euler' },
      dimensions,
      variables,
      graphicalFunctions: [],
      modules: [],
      subModels: [],
      macros,
      units: [],
    };
    model.simSpecs = this.simSpecs(split.settings, model);
    if (split.sketch) model.view = this.view(split.sketch.text, variables);
    return { model, diagnostics: this.diagnostics };
  }

  // ---- subscripts ----

  private buildRanges(
    ranged: { def: Extract<Definition, { kind: 'subrange' }> }[],
    equivalences: Extract<Definition, { kind: 'equivalence' }>[],
  ) {
    const pending = new Map<string, Extract<Definition, { kind: 'subrange' }>>();
    for (const { def } of ranged) pending.set(canonicalName(def.name), def);
    const resolving = new Set<string>();
    const resolve = (key: string): Range | undefined => {
      const done = this.ranges.get(key);
      if (done) return done;
      const def = pending.get(key);
      if (!def) return undefined;
      if (resolving.has(key)) {
        this.error('subscript-cycle', `subscript range '${def.name}' is defined through itself`, def.start);
        return undefined;
      }
      resolving.add(key);
      const elements: string[] = [];
      if (def.get) {
        this.error(
          'unsupported-feature',
          `subscript range '${def.name}' read from a file (GET ... SUBSCRIPT) is not supported yet`,
          def.start,
        );
      }
      for (const el of def.elements) {
        if ('from' in el) {
          const a = /^(.*?)(\d+)$/.exec(el.from);
          const b = /^(.*?)(\d+)$/.exec(el.to);
          if (
            !a ||
            !b ||
            a[1] !== b[1] ||
            Number(b[2]) < Number(a[2]) ||
            Number(b[2]) - Number(a[2]) > 100000
          ) {
            this.error(
              'bad-subscript-range',
              `'(${el.from}-${el.to})' is not a numbered range like (a1-a9)`,
              def.start,
            );
            continue;
          }
          for (let n = Number(a[2]); n <= Number(b[2]); n++) elements.push(`${a[1]}${n}`);
        } else {
          const sub = canonicalName(el.name) !== key ? resolve(canonicalName(el.name)) : undefined;
          if (sub) elements.push(...sub.elements);
          else elements.push(el.name);
        }
      }
      const r: Range = {
        name: def.name,
        key,
        elements,
        keys: elements.map((e) => canonicalName(e)),
        start: def.start,
        mapsTo: def.mapsTo,
      };
      this.ranges.set(key, r);
      resolving.delete(key);
      return r;
    };
    for (const key of pending.keys()) resolve(key);
    for (const eq of equivalences) {
      const other = this.ranges.get(canonicalName(eq.other));
      if (!other) {
        this.error(
          'unknown-dimension',
          `'${eq.name} <-> ${eq.other}': no subscript range '${eq.other}'`,
          eq.start,
        );
        continue;
      }
      this.ranges.set(canonicalName(eq.name), {
        ...other,
        name: eq.name,
        key: canonicalName(eq.name),
        start: eq.start,
        mapsTo: [],
        family: undefined,
      });
    }
    // Families: a range's family is the largest range holding all of its elements (the earliest on ties).
    const all = [...this.ranges.values()];
    for (const r of all) {
      let best = r;
      for (const o of all) {
        // The largest range holding all of r's elements; among equals, the one defined first.
        if (o === r || o.elements.length < best.elements.length) continue;
        if (o.elements.length === best.elements.length && all.indexOf(o) >= all.indexOf(best)) continue;
        const set = new Set(o.keys);
        if (r.keys.every((k) => set.has(k))) best = o;
      }
      r.family = best;
    }
    // An equivalent range is a family of its own (a square matrix over A and its copy).
    for (const eq of equivalences) {
      const r = this.ranges.get(canonicalName(eq.name));
      if (r) r.family = r;
    }
    for (const r of all) {
      if (r.family !== r) continue;
      r.keys.forEach((k) => {
        const list = this.elementFamilies.get(k) ?? [];
        list.push(r);
        this.elementFamilies.set(k, list);
      });
    }
  }

  /** Families of each subscript position of a variable, from all its definitions. */
  private resolveDims(key: string) {
    const defs = this.defs.get(key)!;
    const n = defs[0]!.def.lhs.subs.length;
    const dims: Range[] = [];
    for (const d of defs) {
      if (d.def.lhs.subs.length !== n) {
        this.error(
          'dimension-mismatch',
          `'${d.def.lhs.name}' is defined with ${d.def.lhs.subs.length} subscripts here but ${n} elsewhere`,
          d.def.lhs.start,
          d.def.lhs.name,
        );
        return;
      }
    }
    for (let p = 0; p < n; p++) {
      let cands: Range[] | undefined;
      for (const d of defs) {
        const s = d.def.lhs.subs[p]!;
        const r = this.ranges.get(canonicalName(s.name));
        const here = r ? [r.family!] : (this.elementFamilies.get(canonicalName(s.name)) ?? []);
        if (here.length === 0) {
          this.error(
            'unknown-dimension',
            `'${s.name}' is neither a subscript range nor an element of one`,
            s.start,
            d.def.lhs.name,
          );
          return;
        }
        const prev: Range[] | undefined = cands;
        cands = prev ? here.filter((x) => prev.includes(x)) : here;
      }
      if (!cands || cands.length === 0) {
        this.error(
          'dimension-mismatch',
          `the definitions of '${defs[0]!.def.lhs.name}' use unrelated subscripts at position ${p + 1}`,
          defs[0]!.def.lhs.start,
          defs[0]!.def.lhs.name,
        );
        return;
      }
      // Prefer a family not already used by an earlier position (a matrix over A and its copy).
      let pick = cands.find((c) => !dims.includes(c));
      if (!pick) {
        // The family is taken by an earlier position (`m[dimA, subA]`, subA within dimA): this
        // position runs over the range the definitions name, when they all name the same one.
        const named = new Set(defs.map((d) => canonicalName(d.def.lhs.subs[p]!.name)));
        const only = named.size === 1 ? this.ranges.get([...named][0]!) : undefined;
        pick = only && !dims.includes(only) ? only : cands[0]!;
      }
      dims.push(pick);
    }
    this.varDims.set(key, dims);
  }

  /** Element index tuples (into the variable's family dims) a left-hand side covers. */
  private tuples(lhs: Lhs, dims: Range[]): number[][] {
    const choose = (s: Sub, d: Range): number[] => {
      const r = this.ranges.get(canonicalName(s.name));
      const keys = r ? r.keys : [canonicalName(s.name)];
      const out: number[] = [];
      for (const k of keys) {
        const i = d.keys.indexOf(k);
        if (i >= 0) out.push(i);
      }
      return out;
    };
    let acc: number[][] = [[]];
    lhs.subs.forEach((s, p) => {
      const next: number[][] = [];
      const ch = choose(s, dims[p]!);
      for (const a of acc) for (const i of ch) next.push([...a, i]);
      acc = next;
    });
    if (lhs.except.length) {
      const excluded = new Set<string>();
      for (const ex of lhs.except) {
        let ex2: number[][] = [[]];
        ex.forEach((s, p) => {
          const next: number[][] = [];
          for (const a of ex2) for (const i of choose(s, dims[p] ?? dims[0]!)) next.push([...a, i]);
          ex2 = next;
        });
        for (const t of ex2) excluded.add(t.join(','));
      }
      acc = acc.filter((t) => !excluded.has(t.join(',')));
    }
    return acc;
  }

  // ---- variables ----

  private buildVariable(key: string) {
    const defs = this.defs.get(key)!;
    const dims = this.varDims.get(key);
    if (!dims) return;
    const first = defs[0]!;
    const name = first.def.lhs.name;
    const v: Variable = { kind: 'aux', name, loc: this.loc(first.def.lhs.start) };
    // Set only when there are units, never deleted: with the delete, lowering a Vensim model took
    // 1.2x to 1.4x the time of the same model read from XMILE (bench/vensim.ts; V8 property access
    // on objects that lost a property), without it the same time.
    const units = first.rec.units ? first.rec.units.replace(/\s*\[[^\]]*\]\s*$/, '').trim() : '';
    if (units) v.units = units;
    if (first.rec.doc) v.doc = first.rec.doc;
    if (dims.length) v.dimensions = dims.map((d) => d.name);
    const size = dims.reduce((n, d) => n * d.elements.length, 1);
    const strides = dims.map((_, i) => dims.slice(i + 1).reduce((n, d) => n * d.elements.length, 1));
    const isStock = defs.some((d) => d.def.kind === 'eq' && isCall(d.def.rhs, 'INTEG'));
    if (isStock && !defs.every((d) => d.def.kind === 'eq' && isCall(d.def.rhs, 'INTEG'))) {
      this.error(
        'mixed-definition',
        `'${name}' is a level (INTEG) in one definition and not in another`,
        first.def.lhs.start,
        name,
      );
      return;
    }
    // Per-element assembly.
    const covered = new Map<
      number,
      { eqn?: Equation; gf?: GraphicalFunction; rate?: Equation; at: number }
    >();
    let whole: { eqn?: Equation; gf?: GraphicalFunction; rate?: VExpr; rateEq?: Equation } | undefined;
    const fullCover = (lhs: Lhs) =>
      lhs.except.length === 0 && lhs.subs.every((s, p) => canonicalName(s.name) === dims[p]!.key);
    for (const { def } of defs) {
      this.lhs = def.lhs;
      const tuples = dims.length ? this.tuples(def.lhs, dims) : [[]];
      const at = def.lhs.start;
      let eqn: Equation | undefined;
      let gf: GraphicalFunction | undefined;
      let rate: Equation | undefined;
      let perElement: Equation[] | undefined;
      let perElementGf: GraphicalFunction[] | undefined;
      let perRate: Equation[] | undefined;
      try {
        const get = this.getCall(def);
        if (get) {
          const r = this.external(get, def.lhs, dims, tuples, name, def.lhs.dataKeyword);
          if (!r) return;
          if (r.values) perElement = r.values.map((x) => ({ text: num(x), loc: this.loc(get.start) }));
          else perElementGf = r.gfs;
        } else if (def.kind === 'data') {
          this.error(
            'unsupported-feature',
            `'${name}' is a data variable without an equation (its values come from a .vdf run), which is not supported`,
            at,
            name,
          );
          return;
        } else if (def.kind === 'lookup') {
          if (!def.table) {
            this.error(
              'syntax-error',
              `the lookup '${name}' is neither a table of points nor GET ... LOOKUPS(...)`,
              def.rhsStart,
              name,
            );
            return;
          }
          gf = this.gf(def.table, def.rhsStart, name);
        } else {
          const rhs = isCall(def.rhs, 'TABBED ARRAY')
            ? (def.rhs as Extract<VExpr, { kind: 'call' }>).args[0]!
            : def.rhs;
          if (rhs.kind === 'list') {
            const values = rhs.rows.flat();
            if (values.length !== tuples.length && values.length !== 1) {
              this.error(
                'dimension-mismatch',
                `'${name}' lists ${values.length} numbers for ${tuples.length} elements`,
                def.rhsStart,
                name,
              );
              return;
            }
            perElement = tuples.map((_, i) => ({
              text: num(values[values.length === 1 ? 0 : i]!),
              loc: this.loc(def.rhsStart),
            }));
          } else if (isCall(rhs, 'INTEG')) {
            const args = (rhs as Extract<VExpr, { kind: 'call' }>).args;
            if (args.length !== 2) {
              this.error(
                'argument-count',
                `INTEG takes 2 arguments (rate, initial value), got ${args.length}`,
                rhs.start,
                name,
              );
              return;
            }
            eqn = { text: this.print(args[1]!, key), loc: this.loc(args[1]!.start) };
            rate = { text: this.print(args[0]!, key), loc: this.loc(args[0]!.start) };
            if (dims.length) {
              perElement = this.printEach(args[1]!, key, def.lhs, dims, tuples, fullCover(def.lhs));
              perRate = this.printEach(args[0]!, key, def.lhs, dims, tuples, fullCover(def.lhs));
            }
            if (fullCover(def.lhs) && defs.length === 1 && !perElement && !perRate)
              whole = { eqn, rate: args[0], rateEq: rate };
          } else if (
            rhs.kind === 'call' &&
            ['WITH LOOKUP', 'LOOKUP'].includes(functionKey(rhs.name)) &&
            rhs.args[1]?.kind === 'table'
          ) {
            gf = this.gf(rhs.args[1].table, rhs.args[1].start, name);
            eqn = { text: this.print(rhs.args[0]!, key), loc: this.loc(rhs.args[0]!.start) };
            if (dims.length)
              perElement = this.printEach(rhs.args[0]!, key, def.lhs, dims, tuples, fullCover(def.lhs));
          } else {
            eqn = { text: this.print(rhs, key), loc: this.loc(def.rhsStart) };
            if (dims.length) perElement = this.printEach(rhs, key, def.lhs, dims, tuples, fullCover(def.lhs));
          }
        }
      } catch (e) {
        if (e instanceof PrintError) {
          this.error(e.code, `${e.message} (in the equation of '${name}')`, e.offset, name);
          return;
        }
        throw e;
      }
      if (!perElement && !perElementGf && fullCover(def.lhs) && defs.length === 1 && !isStock) {
        if (eqn) v.eqn = eqn;
        if (gf) v.gf = gf;
        whole = whole ?? { eqn, gf };
      }
      tuples.forEach((t, i) => {
        const idx = t.reduce((s, x, p) => s + x * strides[p]!, 0);
        if (covered.has(idx)) {
          this.error(
            'duplicate-definition',
            `element [${t.map((x, p) => dims[p]!.elements[x]).join(',')}] of '${name}' is defined twice`,
            at,
            name,
          );
          return;
        }
        covered.set(idx, {
          eqn: perElement ? perElement[i] : eqn,
          gf: perElementGf ? perElementGf[i] : gf,
          rate: perRate ? perRate[i] : rate,
          at,
        });
      });
    }
    if (isStock) {
      v.kind = 'stock';
      const flows = whole?.rate ? this.flowTerms(whole.rate, defs[0]!.def.lhs) : undefined;
      if (whole && flows) {
        v.eqn = whole.eqn;
        v.inflows = flows.inflows.map((k) => this.defs.get(k)![0]!.def.lhs.name);
        v.outflows = flows.outflows.map((k) => this.defs.get(k)![0]!.def.lhs.name);
        for (const k of [...flows.inflows, ...flows.outflows]) this.flowKeys.add(k);
      } else {
        // The rate is not a sum of flows: a net-flow variable carries it.
        let flowName = `${name} net flow`;
        while (this.defs.has(canonicalName(flowName))) flowName += ' ';
        const flow: Variable = { kind: 'flow', name: flowName, loc: v.loc };
        if (dims.length) flow.dimensions = v.dimensions;
        if (whole) {
          v.eqn = whole.eqn;
          flow.eqn = whole.rateEq;
        } else {
          v.elements = [];
          flow.elements = [];
          for (const [idx, c] of [...covered].sort((a, b) => a[0] - b[0])) {
            const subscript = dims.map(
              (d, p) => d.elements[Math.floor(idx / strides[p]!) % d.elements.length]!,
            );
            v.elements.push({ subscript, eqn: c.eqn, loc: this.loc(c.at) });
            flow.elements.push({ subscript, eqn: c.rate, loc: this.loc(c.at) });
          }
          for (let idx = 0; idx < size; idx++) {
            if (covered.has(idx)) continue;
            const subscript = dims.map(
              (d, p) => d.elements[Math.floor(idx / strides[p]!) % d.elements.length]!,
            );
            v.elements.push({ subscript, eqn: { text: '0' } });
            flow.elements.push({ subscript, eqn: { text: '0' } });
          }
        }
        v.inflows = [flowName];
        this.extra.push(flow);
      }
    } else if (!v.eqn && !v.gf && dims.length === 0) {
      const only = covered.get(0);
      if (only?.eqn) v.eqn = only.eqn;
      if (only?.gf) v.gf = only.gf;
    } else if (!v.eqn && !v.gf) {
      const elements: ElementDefinition[] = [];
      for (const [idx, c] of [...covered].sort((a, b) => a[0] - b[0])) {
        const subscript = dims.map((d, p) => d.elements[Math.floor(idx / strides[p]!) % d.elements.length]!);
        elements.push({ subscript, eqn: c.eqn, gf: c.gf, loc: this.loc(c.at) });
      }
      if (covered.size < size) {
        // Elements no equation defines do not exist in Vensim; they read as :NA: here.
        const na: Equation = { text: num(VENSIM_NA) };
        for (let idx = 0; idx < size; idx++) {
          if (covered.has(idx)) continue;
          const subscript = dims.map(
            (d, p) => d.elements[Math.floor(idx / strides[p]!) % d.elements.length]!,
          );
          elements.push({ subscript, eqn: na });
        }
      }
      v.elements = elements;
    }
    this.variables.set(key, v);
  }

  private readonly flowKeys = new Set<string>();

  /** Keeps the variables that are lookups: a table of points, or GET ... LOOKUPS. */
  private noteLookup(key: string, def: VarDef['def']) {
    if (
      def.kind === 'lookup' ||
      (def.kind === 'eq' && /LOOKUPS$/.test(functionKey(this.getCall(def)?.name ?? '')))
    )
      this.lookups.add(key);
  }

  /** The GET XLS/DIRECT call that is a definition's whole right-hand side, if it is one. */
  private getCall(def: VarDef['def']): Extract<VExpr, { kind: 'call' }> | undefined {
    const e = def.kind === 'eq' ? def.rhs : def.kind === 'lookup' ? def.call : undefined;
    // Only a name that starts with G can be GET ...: most calls are turned away before the key.
    if (e?.kind !== 'call' || (e.name.charCodeAt(0) | 32) !== 103) return undefined;
    const fk = functionKey(e.name);
    if (fk.startsWith('GET ') && /^GET (XLS|DIRECT) (CONSTANTS|DATA|LOOKUPS)$/.test(fk)) return e;
    return undefined;
  }

  /** Values (constants) or graphical functions (data, lookups) read from a file, one per tuple. */
  private external(
    call: Extract<VExpr, { kind: 'call' }>,
    lhs: Lhs,
    dims: Range[],
    tuples: number[][],
    name: string,
    keyword: string | undefined,
  ): { values?: number[]; gfs?: GraphicalFunction[] } | undefined {
    const fk = functionKey(call.name);
    const kind = /CONSTANTS$/.test(fk) ? 'constants' : /DATA$/.test(fk) ? 'data' : 'lookups';
    const want = kind === 'constants' ? 3 : 4;
    const fail = (msg: string, at = call.start) => {
      this.error('external-data', `${fk} in the equation of '${name}': ${msg}`, at, name);
      return undefined;
    };
    if (call.args.length !== want) return fail(`takes ${want} arguments, got ${call.args.length}`);
    const args: string[] = [];
    for (const a of call.args) {
      if (a.kind !== 'str') return fail("arguments must be quoted text like 'file.xlsx'", a.start);
      args.push(a.text);
    }
    if (!this.data)
      return fail(`the model's data file '${args[0]}' can be read only when the model is read from a file`);
    const sheet = this.data.sheet(args[0]!, args[1]!);
    if (typeof sheet === 'string') return fail(sheet, call.args[0]!.start);
    // The free positions (ranges, not single elements) of the left-hand side lay out the cells.
    const free = lhs.subs
      .map((sub, p) => ({ p, r: this.ranges.get(canonicalName(sub.name)) }))
      .filter((x) => x.r !== undefined)
      .map((x) => this.tuples({ ...lhs, subs: [lhs.subs[x.p]!], except: [] }, [dims[x.p]!]).length);
    try {
      if (kind === 'constants') {
        const cols = free.length ? free[free.length - 1]! : 1;
        const rows = Math.max(1, tuples.length / cols);
        const flat = readConstants(sheet, args[2]!, rows, cols);
        return { values: tuples.map((_, i) => flat[i]!) };
      }
      const series = readSeries(sheet, args[2]!, args[3]!, tuples.length);
      const gfs = series.map((pts) => {
        let xs = pts.xs;
        let type: GraphicalFunction['type'] = 'continuous';
        if (keyword === 'HOLD BACKWARD') type = 'discrete';
        else if (keyword === 'LOOK FORWARD') {
          // The next point's value from just after each point: a backward-held table, shifted.
          type = 'discrete';
          const nx = [xs[0]!];
          for (let i = 1; i < xs.length; i++) nx.push(xs[i - 1]! + 1e-9 * Math.max(1, Math.abs(xs[i - 1]!)));
          xs = nx;
        }
        return { type, xpts: xs, ypts: pts.ys, loc: this.loc(call.start) } as GraphicalFunction;
      });
      return { gfs };
    } catch (e) {
      if (e instanceof ExternalError)
        return fail(`${e.message} (file '${args[0]}', sheet '${args[1]}')`, call.args[2]!.start);
      throw e;
    }
  }

  /**
   * Inflows and outflows of a level whose rate is a sum of plain references to non-level
   * variables (with no subscripts or the level's own), each at most once; else undefined.
   */
  private flowTerms(rate: VExpr, lhs: Lhs): { inflows: string[]; outflows: string[] } | undefined {
    const inflows: string[] = [];
    const outflows: string[] = [];
    const ok = (e: VExpr, sign: number): boolean => {
      if (e.kind === 'unary' && (e.op === '-' || e.op === '+')) return ok(e.arg, e.op === '-' ? -sign : sign);
      if (e.kind === 'binary' && (e.op === '+' || e.op === '-'))
        return ok(e.left, sign) && ok(e.right, e.op === '-' ? -sign : sign);
      if (e.kind !== 'ref') return false;
      const k = canonicalName(e.name);
      const defs = this.defs.get(k);
      if (!defs || defs.some((d) => d.def.kind !== 'eq' || isCall(d.def.rhs, 'INTEG'))) return false;
      if (defs.length !== 1 || defs[0]!.def.lhs.except.length) return false;
      const same =
        e.subs.length === 0
          ? defs[0]!.def.lhs.subs.length === 0
          : e.subs.length === lhs.subs.length &&
            e.subs.every((s, i) => !s.bang && canonicalName(s.name) === canonicalName(lhs.subs[i]!.name));
      if (!same) return false;
      const fd = this.varDims.get(k);
      const sd = this.varDims.get(canonicalName(lhs.name));
      if (fd && sd && fd.length && (fd.length !== sd.length || fd.some((d, i) => d !== sd[i]))) return false;
      if (inflows.includes(k) || outflows.includes(k)) return false;
      (sign > 0 ? inflows : outflows).push(k);
      return true;
    };
    return ok(rate, 1) ? { inflows, outflows } : undefined;
  }

  private gf(t: Table, at: number, name: string): GraphicalFunction {
    if (t.xs.length === 0) throw new PrintError(`lookup '${name}' has no points`, at, 'bad-lookup');
    if (t.xs.some((x) => !Number.isFinite(x)) || t.ys.some((y) => !Number.isFinite(y)))
      throw new PrintError(`lookup '${name}' has a point that is not a finite number`, at, 'bad-lookup');
    for (let i = 1; i < t.xs.length; i++) {
      if (!(t.xs[i]! >= t.xs[i - 1]!)) {
        // Vensim reads the points in x order: sort them, and say so.
        this.error(
          'lookup-order',
          `lookup '${name}': x values do not ascend (${t.xs[i - 1]} then ${t.xs[i]}); the points are used in x order`,
          at,
          name,
          'warning',
        );
        const order = t.xs.map((_, k) => k).sort((a, b) => t.xs[a]! - t.xs[b]!);
        return {
          type: 'continuous',
          xpts: order.map((k) => t.xs[k]!),
          ypts: order.map((k) => t.ys[k]!),
          loc: this.loc(at),
        };
      }
    }
    return { type: 'continuous', xpts: t.xs, ypts: t.ys, loc: this.loc(at) };
  }

  // ---- equations as engine text ----

  private print(e: VExpr, self: string): string {
    const p = (x: VExpr) => this.print(x, self);
    switch (e.kind) {
      case 'num':
        return num(e.value);
      case 'na':
        return num(VENSIM_NA);
      case 'str':
        throw new PrintError(
          `a string ('${e.text}') is used where a number is needed`,
          e.start,
          'invalid-argument',
        );
      case 'list':
        throw new PrintError('a number list must be the whole equation', e.start, 'syntax-error');
      case 'table':
        throw new PrintError('a lookup table here is not supported', e.start, 'unsupported-feature');
      case 'unary': {
        const a = e.arg.kind === 'binary' ? `(${p(e.arg)})` : p(e.arg);
        return e.op === 'not' ? `(NOT ${a})` : `(${e.op}${a})`;
      }
      case 'binary': {
        // An operation inside another is parenthesised (so Vensim's precedence is kept whatever
        // the engine's); one that is the whole equation or an argument is not, which spares the
        // compiler two tokens per equation and argument.
        const op = e.op === 'and' ? 'AND' : e.op === 'or' ? 'OR' : e.op;
        const l = e.left.kind === 'binary' ? `(${p(e.left)})` : p(e.left);
        const r = e.right.kind === 'binary' ? `(${p(e.right)})` : p(e.right);
        return `${l} ${op} ${r}`;
      }
      case 'ref':
        return this.ref(e.name, e.subs, e.start);
      case 'call':
        return this.call(e, self);
    }
  }

  /**
   * A partial definition (over a subrange, or single elements) printed once per element, its
   * ranges replaced by the element each stands for there: the LHS's own ranges by the element
   * being defined, ranges mapped to them (`->`) by the element in the same position. Undefined
   * when the expression uses no range (one text serves every element).
   */
  private printEach(
    e: VExpr,
    self: string,
    lhs: Lhs,
    dims: Range[],
    tuples: number[][],
    whole: boolean,
  ): Equation[] | undefined {
    let uses = false;
    // A whole-range definition needs it only for ranges the compiler cannot match by itself:
    // ranges not on the left-hand side (mapped, or another family) and subranges used as numbers.
    const own = new Set(lhs.subs.map((s) => canonicalName(s.name)));
    const needs = (k: string, asValue: boolean) => {
      const r = this.ranges.get(k);
      if (!r) return false;
      if (!whole) return true;
      return asValue ? r.family !== r : !own.has(k);
    };
    const visit = (x: VExpr): void => {
      if (x.kind === 'ref' || x.kind === 'call') {
        if (x.subs.some((s) => !s.bang && needs(canonicalName(s.name), false))) uses = true;
        if (
          x.kind === 'ref' &&
          x.subs.length === 0 &&
          !this.defs.has(canonicalName(x.name)) &&
          needs(canonicalName(x.name), true)
        )
          uses = true;
        if (x.kind === 'call') x.args.forEach(visit);
      } else if (x.kind === 'unary') visit(x.arg);
      else if (x.kind === 'binary') {
        visit(x.left);
        visit(x.right);
      }
    };
    visit(e);
    if (!uses) return undefined;
    const out: Equation[] = [];
    try {
      for (const t of tuples) {
        const subst = new Map<string, string>();
        lhs.subs.forEach((s, p) => {
          const r = this.ranges.get(canonicalName(s.name));
          if (!r) return;
          const el = dims[p]!.elements[t[p]!]!;
          const ek = canonicalName(el);
          subst.set(r.key, el);
          subst.set(dims[p]!.key, el);
          const i = r.keys.indexOf(ek);
          for (const m of this.ranges.values()) {
            if (m.mapsTo.some((x) => canonicalName(x.dim) === r.key) && i < m.elements.length)
              subst.set(m.key, m.elements[i]!);
          }
          for (const x of r.mapsTo) {
            const target = x.elements ?? this.ranges.get(canonicalName(x.dim))?.elements;
            if (target && i < target.length) subst.set(canonicalName(x.dim), target[i]!);
          }
        });
        this.subst = subst;
        out.push({ text: this.print(e, self), loc: this.loc(e.start) });
      }
    } finally {
      this.subst = undefined;
    }
    return out;
  }

  /**
   * ALLOCATE AVAILABLE's profile types where the model gives them as numbers: a type the runtime
   * does not model (5, constant elasticity; 10 and above, integer allocation) is refused at the
   * call; types computed during the run are warned about once (such a type gives NaN).
   */
  private checkProfileTypes(pp: Extract<VExpr, { kind: 'ref' }>, first: number, at: number) {
    const key = canonicalName(pp.name);
    const dims = this.varDims.get(key);
    if (!dims?.length) return;
    let computed = false;
    for (const { def } of this.defs.get(key) ?? []) {
      if (def.kind !== 'eq') {
        computed = true;
        continue;
      }
      const rhs = isCall(def.rhs, 'TABBED ARRAY')
        ? (def.rhs as Extract<VExpr, { kind: 'call' }>).args[0]!
        : def.rhs;
      const values =
        rhs.kind === 'list'
          ? rhs.rows.flat()
          : rhs.kind === 'num'
            ? [rhs.value]
            : rhs.kind === 'unary' && rhs.op === '-' && rhs.arg.kind === 'num'
              ? [-rhs.arg.value]
              : undefined;
      this.tuples(def.lhs, dims).forEach((t, i) => {
        if (t[t.length - 1] !== first - 1) return;
        const type = values?.[values.length === 1 ? 0 : i];
        if (type === undefined) {
          computed = true;
          return;
        }
        if (!(type in PROFILE_TYPES))
          throw new PrintError(
            `ALLOCATE AVAILABLE: '${pp.name}' gives priority profile type ${type} (${
              type === 5 ? 'constant elasticity' : type >= 10 ? 'integer allocation' : 'no such type'
            }), which is not modelled; the modelled types are ${Object.entries(PROFILE_TYPES)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
            at,
            'unsupported-feature',
          );
      });
    }
    const warned = `ALLOCATE AVAILABLE ${key}`;
    if (computed && !this.warned.has(warned)) {
      this.warned.add(warned);
      this.error(
        'unsupported-feature',
        `ALLOCATE AVAILABLE: the profile types of '${pp.name}' are computed during the run; a type other than ${Object.keys(PROFILE_TYPES).join(', ')} gives NaN`,
        at,
        this.lhs?.name,
        'warning',
      );
    }
  }

  private subst: Map<string, string> | undefined;
  /** Warnings already given, so an equation written once per element warns once. */
  private readonly warned = new Set<string>();
  /** The left-hand side whose equation is being written (VECTOR functions run along its last subscript). */
  private lhs: Lhs | undefined;

  private ref(name: string, subs: Sub[], at: number): string {
    const key = canonicalName(name);
    const sub = this.subst;
    if (sub && subs.length === 0 && !this.defs.has(key) && sub.has(key)) {
      // A range used as a number: the element's position in its family.
      const r = this.ranges.get(key)!;
      return String(r.family!.keys.indexOf(canonicalName(sub.get(key)!)) + 1);
    }

    if (!this.defs.has(key)) {
      if (key === 'time') return 'TIME';
      // An element used as a number: its position in its family (`dimA = B`).
      const fam = subs.length === 0 && !this.ranges.has(key) ? this.elementFamilies.get(key)?.[0] : undefined;
      if (fam) return String(fam.keys.indexOf(key) + 1);
      if (this.ranges.has(key) && subs.length === 0) return quote(this.ranges.get(key)!.name);
      // Unknown names are left for the compiler, which reports them at this place.
      if (subs.length === 0) return quote(name);
    }
    if (subs.length === 0) return quote(name);
    const dims = this.varDims.get(key);
    const parts = subs.map((s, i) => {
      if (!s.bang) return quote(sub?.get(canonicalName(s.name)) ?? s.name);
      const r = this.ranges.get(canonicalName(s.name));
      if (!r) throw new PrintError(`'${s.name}!' names no subscript range`, s.start, 'unknown-dimension');
      // Summed over: the whole position when the range holds the same elements as it.
      const d = dims?.[i];
      const same =
        d && (d === r || (d.keys.length === r.keys.length && r.keys.every((k) => d.keys.includes(k))));
      if (same) return '*';
      if (d && sub?.has(r.key)) {
        // The range is also the one the left-hand side is defined over, so its name alone would
        // stand for the element being defined: write its elements as a run of the variable's.
        const at = r.keys.map((k) => d.keys.indexOf(k));
        if (at.some((p, j) => p < 0 || (j > 0 && p !== at[j - 1]! + 1)))
          throw new PrintError(
            `'${s.name}!' is defined over here and is not a run of consecutive elements of '${d.name}'`,
            s.start,
            'unsupported-feature',
          );
        return `${quote(r.elements[0]!)}:${quote(r.elements[r.elements.length - 1]!)}`;
      }
      return quote(r.name);
    });
    void at;
    return `${quote(name)}[${parts.join(', ')}]`;
  }

  private call(e: Extract<VExpr, { kind: 'call' }>, self: string): string {
    const p = (x: VExpr) => this.print(x, self);
    const fk = functionKey(e.name);
    const key = canonicalName(e.name);
    if (this.lookups.has(key) || (this.defs.has(key) && !VENSIM_FUNCTIONS[fk])) {
      if (e.args.length !== 1)
        throw new PrintError(
          `lookup '${e.name}' takes 1 argument, got ${e.args.length}`,
          e.start,
          'argument-count',
        );
      return `LOOKUP(${this.ref(e.name, e.subs, e.start)}, ${p(e.args[0]!)})`;
    }
    const arity = (n: number, m = n) => {
      if (e.args.length < n || e.args.length > m)
        throw new PrintError(
          `${fk} takes ${n === m ? n : `${n} to ${m}`} argument(s), got ${e.args.length}`,
          e.start,
          'argument-count',
        );
    };
    switch (fk) {
      case 'IF THEN ELSE':
        arity(3);
        return `(IF ${p(e.args[0]!)} THEN ${p(e.args[1]!)} ELSE ${p(e.args[2]!)})`;
      case 'INTEG':
        throw new PrintError('INTEG must be the whole right-hand side of a level', e.start, 'syntax-error');
      case 'WITH LOOKUP':
        throw new PrintError('WITH LOOKUP must be the whole right-hand side', e.start, 'unsupported-feature');
      case 'ELMCOUNT': {
        arity(1);
        const a = e.args[0]!;
        const r = a.kind === 'ref' ? this.ranges.get(canonicalName(a.name)) : undefined;
        if (!r)
          throw new PrintError('ELMCOUNT takes the name of a subscript range', a.start, 'invalid-argument');
        return String(r.elements.length);
      }
      case 'TABBED ARRAY':
        throw new PrintError('TABBED ARRAY must be the whole right-hand side', e.start, 'syntax-error');
    }
    if (fk.startsWith('GET ') && /^GET (XLS|DIRECT|VDF|DATA)/.test(fk))
      throw new PrintError(`${fk} (external data) is not supported yet`, e.start, 'unsupported-feature');
    const f = VENSIM_FUNCTIONS[fk];
    if (!f) {
      // A macro or an unknown function: the compiler reports it here if it is neither.
      return `${quote(e.name)}(${e.args.map(p).join(', ')})`;
    }
    arity(f.min, f.max);
    if (fk === 'INVERT MATRIX') {
      // Over the last two subscripts: the whole matrix, and the row and column being defined.
      const m = e.args[0]!;
      const subs = this.lhs?.subs ?? [];
      if (m.kind !== 'ref' || m.subs.length < 2 || subs.length < 2)
        throw new PrintError(
          'INVERT MATRIX takes a matrix (two subscripts or more) and defines one',
          e.start,
          'invalid-argument',
        );
      const k = m.subs.length;
      const whole: VExpr = { ...m, subs: m.subs.map((x, i) => (i >= k - 2 ? { ...x, bang: true } : x)) };
      const pos = (s: Sub): VExpr => ({ kind: 'ref', name: s.name, subs: [], start: e.start });
      const args = [whole, e.args[1]!, pos(subs[subs.length - 2]!), pos(subs[subs.length - 1]!)];
      return `${f.builtin}(${args.map(p).join(', ')})`;
    }
    if (fk === 'VECTOR SORT ORDER' || fk === 'VECTOR RANK' || fk === 'VECTOR REORDER') {
      // Along the last subscript: the whole of it as the vector, and for SORT ORDER and RANK the
      // position being defined (the left-hand side's last subscript, as a number).
      const v = e.args[0]!;
      const last = this.lhs?.subs[this.lhs.subs.length - 1];
      if (v.kind !== 'ref' || v.subs.length === 0 || !last)
        throw new PrintError(
          `${fk} takes a subscripted variable and defines a subscripted one`,
          e.start,
          'invalid-argument',
        );
      const whole: VExpr = {
        ...v,
        subs: v.subs.map((s, i) => (i === v.subs.length - 1 ? { ...s, bang: true } : s)),
      };
      const args =
        fk === 'VECTOR REORDER'
          ? [whole, e.args[1]!]
          : [whole, e.args[1]!, { kind: 'ref', name: last.name, subs: [], start: e.start } as VExpr];
      return `${f.builtin}(${args.map(p).join(', ')})`;
    }
    if (fk === 'VECTOR ELM MAP') {
      // v[e] names the start: the element `offset` places after it along that subscript.
      const v = e.args[0]!;
      if (v.kind !== 'ref' || v.subs.length === 0)
        throw new PrintError(
          'VECTOR ELM MAP takes a subscripted variable first',
          e.start,
          'invalid-argument',
        );
      const at = v.subs.length - 1;
      const s0 = v.subs[at]!;
      const d = this.varDims.get(canonicalName(v.name))?.[at];
      if (!d) throw new PrintError(`'${v.name}' is not subscripted here`, s0.start, 'invalid-argument');
      const whole: VExpr = {
        ...v,
        subs: v.subs.map((s, i) => (i === at ? { name: d.name, bang: true, start: s.start } : s)),
      };
      // The start as a 1-based position along the variable's own subscript.
      const sk = canonicalName(s0.name);
      const elementAt = d.keys.indexOf(sk);
      let start: string;
      if (elementAt >= 0) start = String(elementAt + 1);
      else if (this.ranges.has(sk)) {
        const r = this.ranges.get(sk)!;
        const bound = this.subst?.get(sk);
        if (r.keys.every((k) => d.keys.includes(k)) && r.keys.length === d.keys.length && !bound)
          start = quote(r.name);
        else if (bound) start = String(d.keys.indexOf(canonicalName(bound)) + 1);
        else
          throw new PrintError(
            `VECTOR ELM MAP: '${s0.name}' must be an element of '${d.name}' or the range the equation is defined over`,
            s0.start,
            'invalid-argument',
          );
      } else throw new PrintError(`'${s0.name}' is no element of '${d.name}'`, s0.start, 'unknown-dimension');
      return `${f.builtin}(${p(whole)}, ${start}, ${p(e.args[1]!)})`;
    }
    if (fk === 'ALLOCATE AVAILABLE' || fk === 'ALLOCATE BY PRIORITY') {
      // Requesters along the request's last subscript: the whole request, the priorities (for
      // ALLOCATE AVAILABLE the profile of each requester, its last subscript naming the first
      // profile element), and the position of the requester being defined.
      const req = e.args[0]!;
      const pp = e.args[1]!;
      if (req.kind !== 'ref' || req.subs.length === 0 || pp.kind !== 'ref' || pp.subs.length === 0)
        throw new PrintError(
          `${fk} takes subscripted requests and priorities (the requesters along the last subscript)`,
          e.start,
          'invalid-argument',
        );
      const who = req.subs[req.subs.length - 1]!;
      const whoKey = canonicalName(who.name);
      const bang = (s: Sub): Sub => ({ ...s, bang: true });
      const wholeReq: VExpr = {
        ...req,
        subs: req.subs.map((s, i) => (i === req.subs.length - 1 ? bang(s) : s)),
      };
      const profiled = fk === 'ALLOCATE AVAILABLE';
      let first = 1;
      const ppSubs = pp.subs.map((s, i) => {
        if (profiled && i === pp.subs.length - 1) {
          const d = this.varDims.get(canonicalName(pp.name))?.[i];
          const at = d ? d.keys.indexOf(canonicalName(s.name)) : -1;
          if (!d || at < 0)
            throw new PrintError(
              `${fk}: the priority profile's last subscript must name its first element (ptype)`,
              s.start,
              'invalid-argument',
            );
          first = at + 1;
          return { name: d.name, bang: true, start: s.start };
        }
        return canonicalName(s.name) === whoKey ? bang(s) : s;
      });
      if (!ppSubs.some((s, i) => s.bang && (!profiled || i < ppSubs.length - 1)))
        throw new PrintError(
          `${fk}: the priorities must be subscripted by the requests' last subscript '${who.name}'`,
          pp.start,
          'invalid-argument',
        );
      const wholePp: VExpr = { ...pp, subs: ppSubs };
      const lhsSub = this.lhs?.subs.find((s) => canonicalName(s.name) === whoKey);
      if (!lhsSub)
        throw new PrintError(
          `${fk} defines one allocation per requester: the left-hand side must be subscripted by '${who.name}'`,
          e.start,
          'invalid-argument',
        );
      if (profiled) this.checkProfileTypes(pp, first, e.start);
      const pos: VExpr = { kind: 'ref', name: lhsSub.name, subs: [], start: e.start };
      const args = profiled
        ? [wholeReq, wholePp, e.args[2]!, pos, { kind: 'num', value: first, start: e.start } as VExpr]
        : [wholeReq, wholePp, e.args[3]!, e.args[4]!, pos];
      return `${f.builtin}(${args.map(p).join(', ')})`;
    }
    if (fk === 'GET TIME VALUE') {
      const m = e.args[2]!;
      const r = e.args[0]!;
      // Calendar measures count from a date, and a .mdl holds no base date; the computer clock
      // would make runs differ from one another. Given as numbers, both are refused here.
      if ((m.kind === 'num' && m.value !== 0) || (r.kind === 'num' && r.value === 2))
        throw new PrintError(
          m.kind === 'num' && m.value !== 0
            ? `GET TIME VALUE measure ${m.value} is a calendar measure, which needs the date the model's time starts at (a .mdl holds none); only measure 0 (model time) is modelled`
            : 'GET TIME VALUE relative to the computer clock (relto 2) is not modelled (runs would not repeat); use 0 (current time) or 1 (initial time)',
          m.kind === 'num' && m.value !== 0 ? m.start : r.start,
          'unsupported-feature',
        );
      const warned = `GET TIME VALUE ${this.lhs?.name ?? ''}`;
      if ((m.kind !== 'num' || r.kind !== 'num') && !this.warned.has(warned)) {
        this.warned.add(warned);
        this.error(
          'unsupported-feature',
          'GET TIME VALUE with a computed measure or reference: only measure 0 (model time) relative to the current or initial time is modelled; calendar measures and the computer clock give NaN',
          m.kind !== 'num' ? m.start : r.start,
          this.lhs?.name,
          'warning',
        );
      }
    }
    if (f.builtin.startsWith('LOOKUP_')) {
      const t = e.args[0]!;
      if (t.kind !== 'ref')
        throw new PrintError(`${fk} takes the name of a lookup first`, t.start, 'invalid-argument');
      return `${f.builtin}(${this.ref(t.name, t.subs, t.start)}, ${p(e.args[1]!)})`;
    }
    return `${f.builtin}(${e.args.map(p).join(', ')})`;
  }

  // ---- control ----

  /**
   * The run's times from the control variables, which are equations in Vensim: each is taken at
   * its value at the start, computed by the engine's evaluator over the model read so far
   * (compile/start-values.ts); INITIAL TIME first (at time 0), then the others from it.
   */
  private simSpecs(settings: string[], model: Model): Model['simSpecs'] {
    const varying: string[] = [];
    const find = (key: string) =>
      this.variables.get(key) ?? this.extra.find((v) => canonicalName(v.name) === key);
    // A control given as a number (or as another control given as one, SAVEPER = TIME STEP), as
    // most are, needs no lowering; the others go through the engine's start-value evaluator.
    const plain = (key: string, depth = 0): number | undefined => {
      const defs = this.defs.get(key);
      const d = defs?.length === 1 ? defs[0]!.def : undefined;
      if (d?.kind !== 'eq' || d.lhs.subs.length) return undefined;
      const e = d.rhs;
      if (e.kind === 'num') return e.value;
      if (e.kind === 'unary' && e.op === '-' && e.arg.kind === 'num') return -e.arg.value;
      if (e.kind === 'ref' && !e.subs.length && depth < 4) {
        const k = canonicalName(e.name);
        return CONTROLS.has(k) ? plain(k, depth + 1) : undefined;
      }
      return undefined;
    };
    const at = (names: string[], start: number) => {
      const known = new Map<string, StartValue>();
      for (const n of names) {
        const key = canonicalName(n);
        const value = plain(key);
        if (value === undefined) return startValues(model, names, { start, stop: start, dt: 1 }, find);
        known.set(key, { value, varies: false });
      }
      return known;
    };
    const get = (values: Map<string, StartValue>, name: string, dflt: number): number => {
      const key = canonicalName(name);
      const d = this.defs.get(key)?.[0];
      if (!d) {
        this.error(
          'missing-control',
          `the model does not define ${name}; ${dflt} is used`,
          0,
          undefined,
          'warning',
        );
        return dflt;
      }
      const r = values.get(key);
      if (r?.value === undefined || !Number.isFinite(r.value) || r.value === VENSIM_NA) {
        this.error(
          'dynamic-control',
          `${name} has no value before the run starts; ${dflt} is used`,
          d.def.lhs.start,
          name,
          'warning',
        );
        return dflt;
      }
      // A control that changes during the run sets the run as it goes (compile decides whether
      // it can; INITIAL TIME counts only at the start, as in Vensim).
      if (r.varies && name !== 'INITIAL TIME') varying.push(name);
      return r.value;
    };
    const start = get(at(['INITIAL TIME'], 0), 'INITIAL TIME', 0);
    const rest = at(['FINAL TIME', 'TIME STEP', 'SAVEPER'], start);
    const stop = get(rest, 'FINAL TIME', 100);
    const dt = get(rest, 'TIME STEP', 1);
    const saveKey = canonicalName('SAVEPER');
    const saveStep = this.defs.has(saveKey) ? get(rest, 'SAVEPER', dt) : dt;
    let method: IntegrationMethod = 'euler';
    for (const s of settings) {
      const m = /^15:(-?\d+),(-?\d+),(-?\d+),(-?\d+)/.exec(s);
      if (m) {
        const code = Number(m[4]);
        method = code === 1 || code === 5 ? 'rk4' : code === 3 || code === 4 ? 'rk2' : 'euler';
      }
    }
    const tu = this.defs
      .get(canonicalName('TIME STEP'))?.[0]
      ?.rec.units.replace(/\s*\[[^\]]*\]\s*$/, '')
      .trim();
    const specs: Model['simSpecs'] = { start, stop, dt, saveStep, method };
    if (varying.length) {
      const name = (n: string) => this.defs.get(canonicalName(n))![0]!.def.lhs.name;
      specs.dynamic = {};
      if (varying.includes('FINAL TIME')) specs.dynamic.stop = name('FINAL TIME');
      if (varying.includes('TIME STEP')) specs.dynamic.dt = name('TIME STEP');
      if (varying.includes('SAVEPER')) specs.dynamic.saveStep = name('SAVEPER');
    }
    if (tu) specs.timeUnits = tu;
    if (!(dt > 0)) {
      this.error(
        'bad-time-step',
        `TIME STEP must be above 0 (it is ${dt})`,
        this.defs.get(canonicalName('TIME STEP'))?.[0]?.def.lhs.start ?? 0,
      );
      specs.dt = 1;
    }
    return specs;
  }

  // ---- macros ----

  private buildMacros(
    raw: { headStart: number; headEnd: number; start: number }[],
    records: Map<number, { rec: RawRecord; def: Definition }[]>,
  ): MacroDefinition[] {
    const out: MacroDefinition[] = [];
    raw.forEach((m, i) => {
      let head: VExpr;
      try {
        head = parseExpression(this.text, m.headStart, m.headEnd);
      } catch (e) {
        if (e instanceof VensimSyntaxError) {
          this.error('syntax-error', `macro header: ${e.message}`, e.offset);
          return;
        }
        throw e;
      }
      if (head.kind !== 'call' || head.args.some((a) => a.kind !== 'ref')) {
        this.error('syntax-error', 'a macro header is NAME(input, ...)', m.headStart);
        return;
      }
      const params = head.args.map((a) => (a as { name: string }).name);
      const body = records.get(i) ?? [];
      const result = body.find(
        (b) => b.def.kind === 'eq' && canonicalName(b.def.lhs.name) === canonicalName(head.name),
      );
      const others = body.filter((b) => b !== result);
      const macro: MacroDefinition = {
        name: head.name,
        parameters: params,
        variables: [],
        loc: this.loc(m.start),
      };
      if (!result || result.def.kind !== 'eq') {
        this.error('bad-macro', `macro '${head.name}' does not define its result '${head.name}'`, m.start);
        return;
      }
      // Only macros whose body is one expression over the inputs are supported (no own variables or levels).
      if (others.length || isCall(result.def.rhs, 'INTEG')) {
        // A macro with its own variables or levels is written out at each call (inlineMacros).
        const body: VarDef[] = [];
        for (const b of [result, ...others]) {
          if (b.def.kind !== 'eq' || b.def.lhs.subs.length) {
            this.error(
              'unsupported-feature',
              `macro '${head.name}': only unsubscripted equations are supported in a macro with its own variables`,
              b.rec.eqStart,
            );
            return;
          }
          body.push({ def: b.def, rec: b.rec });
        }
        this.inlined.set(canonicalName(head.name), { name: head.name, params, body });
        return;
      }
      try {
        macro.eqn = { text: this.printMacro(result.def.rhs), loc: this.loc(result.def.rhsStart) };
      } catch (e) {
        if (e instanceof PrintError) {
          this.error(e.code, `${e.message} (in macro '${head.name}')`, e.offset);
          return;
        }
        throw e;
      }
      out.push(macro);
    });
    return out;
  }

  /** Macros with their own variables, by key: written out as variables at each call. */
  private readonly inlined = new Map<string, { name: string; params: string[]; body: VarDef[] }>();

  /**
   * Each call of a macro with its own variables becomes a copy of the macro's variables (levels
   * included), named `CALLER.MACRO<n>.VARIABLE`, with its inputs replaced by the call's arguments
   * and `Name$` by the model's variable; the call itself reads the copy's result.
   */
  private inlineMacros() {
    const counter = new Map<string, number>();
    let budget = 10000;
    const expand = (e: VExpr, caller: string, depth: number): VExpr => {
      const rec = (x: VExpr) => expand(x, caller, depth);
      switch (e.kind) {
        case 'unary':
          return { ...e, arg: rec(e.arg) };
        case 'binary':
          return { ...e, left: rec(e.left), right: rec(e.right) };
        case 'call': {
          const args = e.args.map(rec);
          const m = this.inlined.get(canonicalName(e.name));
          if (!m) return { ...e, args };
          if (depth > 20 || --budget < 0)
            throw new PrintError(
              `macro '${m.name}' expands too deeply (recursion?)`,
              e.start,
              'unsupported-feature',
            );
          if (args.length !== m.params.length)
            throw new PrintError(
              `macro ${m.name} takes ${m.params.length} argument(s), got ${args.length}`,
              e.start,
              'argument-count',
            );
          const n = (counter.get(caller) ?? 0) + 1;
          counter.set(caller, n);
          const prefix = `${caller}.${m.name}${n}.`;
          const locals = new Map(m.body.map((b) => [canonicalName(b.def.lhs.name), prefix + b.def.lhs.name]));
          const params = new Map(m.params.map((p, i) => [canonicalName(p), args[i]!]));
          const rename = (x: VExpr): VExpr => {
            switch (x.kind) {
              case 'ref': {
                const k = canonicalName(x.name);
                if (x.subs.length === 0 && params.has(k)) return params.get(k)!;
                if (locals.has(k)) return { ...x, name: locals.get(k)! };
                return { ...x, name: x.name.replace(/\$$/, '') };
              }
              case 'call':
                return { ...x, name: locals.get(canonicalName(x.name)) ?? x.name, args: x.args.map(rename) };
              case 'unary':
                return { ...x, arg: rename(x.arg) };
              case 'binary':
                return { ...x, left: rename(x.left), right: rename(x.right) };
              default:
                return x;
            }
          };
          for (const b of m.body) {
            const d = b.def as Extract<Definition, { kind: 'eq' }>;
            const newName = prefix + d.lhs.name;
            const rhs = expand(rename(d.rhs), newName, depth + 1);
            const key = canonicalName(newName);
            const def = { ...d, lhs: { ...d.lhs, name: newName }, rhs };
            this.defs.set(key, [{ def, rec: b.rec }]);
            this.varOrder.push(key);
            this.noteLookup(key, def);
          }
          return { kind: 'ref', name: prefix + m.name, subs: [], start: e.start };
        }
        default:
          return e;
      }
    };
    for (const key of [...this.varOrder]) {
      for (const d of this.defs.get(key)!) {
        if (d.def.kind !== 'eq') continue;
        try {
          d.def = { ...d.def, rhs: expand(d.def.rhs, d.def.lhs.name, 0) };
        } catch (e) {
          if (e instanceof PrintError) this.error(e.code, e.message, e.offset, d.def.lhs.name);
          else throw e;
        }
      }
    }
  }

  private printMacro(e: VExpr): string {
    // Inside a macro, `Name$` refers to the model's variable.
    const strip = (x: VExpr): VExpr => {
      switch (x.kind) {
        case 'ref':
          return { ...x, name: x.name.replace(/\$$/, '') };
        case 'call':
          return { ...x, args: x.args.map(strip) };
        case 'unary':
          return { ...x, arg: strip(x.arg) };
        case 'binary':
          return { ...x, left: strip(x.left), right: strip(x.right) };
        default:
          return x;
      }
    };
    return this.print(strip(isCall(e, 'INTEG') ? e : e), '');
  }

  // ---- sketch ----

  private view(sketch: string, variables: Variable[]): ModelView {
    const kinds = new Map(variables.map((v) => [canonicalName(v.name), v.kind]));
    const view: ModelView = { elements: [], connectors: [] };
    const names = new Map<string, string>();
    let viewNo = 0;
    // Lines found with indexOf, and only those of the kinds read are sliced out: a sketch is
    // mostly lines of other kinds (arrows' points, valves, comments, fonts).
    const nl = sketch.indexOf('\n') >= 0 || sketch.indexOf('\r') < 0 ? '\n' : '\r';
    for (let i = 0, e: number; i < sketch.length; i = e + 1) {
      e = sketch.indexOf(nl, i);
      if (e < 0) e = sketch.length;
      const c = sketch.charCodeAt(i);
      if (c === 42) {
        viewNo++;
        continue;
      }
      // Only variables (type 10) and arrows (type 1) are read, and only their first fields.
      if (c !== 49 || (!sketch.startsWith('10,', i) && !sketch.startsWith('1,', i))) continue;
      const line = sketch.slice(i, sketch.charCodeAt(e - 1) === 13 ? e - 1 : e);
      const f = leadingFields(line, 9);
      if (f[0] === '10' && f.length >= 7) {
        let name = f[2]!;
        if (name.startsWith('"')) {
          // A quoted name may hold commas: rejoin up to the closing quote.
          let k = 2;
          while (!/[^\\]"$/.test(name) && k + 1 < f.length) name += ',' + f[++k]!;
          f.splice(3, k - 2);
          name = name.slice(1, -1).replace(/\\"/g, '"');
        }
        const kind = kinds.get(canonicalName(name));
        names.set(`${viewNo}:${f[1]}`, name);
        if (!kind) continue;
        const x = Number(f[3]);
        const y = Number(f[4]);
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const ghost = (Number(f[8]) & 1) === 0 && f[8] !== undefined;
        view.elements.push({
          kind: ghost ? 'alias' : kind,
          name,
          x,
          y,
          width: 2 * (Number(f[5]) || 40),
          height: 2 * (Number(f[6]) || 20),
        });
      } else if (f[0] === '1' && f.length >= 4) {
        const from = names.get(`${viewNo}:${f[2]}`);
        const to = names.get(`${viewNo}:${f[3]}`);
        if (from && to) view.connectors.push({ from, to });
      }
    }
    return view;
  }
}

/**
 * The first `n` comma-separated fields of a sketch line (fewer when the line has fewer), without
 * splitting the rest; a field that opens a quoted name runs to its closing quote, commas included,
 * and is then followed by the fields after it.
 */
function leadingFields(line: string, n: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (out.length < n && i <= line.length) {
    let j = line.indexOf(',', i);
    if (line.charCodeAt(i) === 34) {
      // A quoted name: its end is the first quote not escaped by a backslash.
      let q = i + 1;
      for (;;) {
        q = line.indexOf('"', q);
        if (q < 0 || line.charCodeAt(q - 1) !== 92) break;
        q++;
      }
      if (q > 0) j = line.indexOf(',', q);
    }
    if (j < 0) j = line.length;
    out.push(line.slice(i, j));
    i = j + 1;
  }
  return out;
}

class PrintError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: string,
  ) {
    super(message);
  }
}

function isCall(e: VExpr, name: string): boolean {
  return e.kind === 'call' && functionKey(e.name) === name;
}
