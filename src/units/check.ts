/**
 * Dimensional consistency checking. Every equation's units are derived from its inputs and
 * compared with what the variable declares; stocks must be fed by flows in stock units per unit
 * of time. Problems are warnings: a model with sloppy units still runs.
 *
 * Conventions, as in Vensim and Stella: a number written in an equation adopts whatever units
 * its place needs in sums, comparisons and branches, and is dimensionless in products; a
 * variable without declared units is unknown and silences checks that depend on it.
 */
import { applyChainOp, chainPrefixSpan, type BinaryOp, type Expr, type Span } from '../equations/ast.js';
import { type CheckerUnitsName, findBuiltin } from '../equations/builtins.js';
import { canonicalName, displayName } from '../equations/names.js';
import { parsedEquation, spanText } from '../equations/parser.js';
import { locate } from '../compile/lower.js';
import type { Diagnostic, Equation, Model, SourceLocation, Variable } from '../model/types.js';
import { UnitSystem } from './parse.js';
import { DIMENSIONLESS, type Unit, divide, isDimensionless, multiply, power, sameUnit } from './units.js';

/** The units of an expression as far as they can be known. */
type U =
  /** Known units; `label` is the declared text when the units come straight from a declaration. */
  | { k: 'unit'; u: Unit; label?: string }
  /** A literal number (or a 0/1 condition): takes whatever units its place needs. */
  | { k: 'free' }
  /** Depends on something without declared units. */
  | { k: 'unknown' };

const FREE: U = { k: 'free' };
const UNKNOWN: U = { k: 'unknown' };
const known = (u: Unit, label?: string): U => ({ k: 'unit', u, label });

const TIME_NAMES = new Set(['time', 'dt', 'starttime', 'stoptime']);

/** Strip a Vensim range suffix (`people [0, 100]`), which converters sometimes leave in units. */
function unitText(s: string): string {
  return s.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

/** What a message points at: a node, or the prefix of a chain (only its span is read). */
type Spanned = { span: Span };

function shortText(text: string, e: Spanned): string {
  const s = spanText(text, e.span).replace(/\s+/g, ' ').trim();
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Value of a constant numeric expression (for exponents), or undefined. */
function constantValue(e: Expr): number | undefined {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'unary': {
      const a = constantValue(e.arg);
      if (a === undefined) return undefined;
      return e.op === '-' ? -a : e.op === '+' ? a : undefined;
    }
    case 'binary': {
      const a = constantValue(e.left);
      const b = constantValue(e.right);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      if (e.op === '*') return a * b;
      if (e.op === '/') return a / b;
      return undefined;
    }
    case 'chain': {
      let acc = constantValue(e.args[0]!);
      for (let i = 0; i < e.ops.length && acc !== undefined; i++) {
        const b = constantValue(e.args[i + 1]!);
        acc = b === undefined ? undefined : applyChainOp(e.ops[i]!, acc, b);
      }
      return acc;
    }
    default:
      return undefined;
  }
}

interface Scope {
  vars: Map<string, Variable>;
  /** Standalone graphical functions: callable, output units unknown. */
  gfs: Set<string>;
}

/** Check the units of every equation and stock of a model. Never throws. */
export function checkUnits(model: Model): Diagnostic[] {
  try {
    return new UnitChecker(model).run();
  } catch (err) {
    return [
      {
        severity: 'warning',
        code: 'unit-unknown',
        message: `units were not checked: internal error in the unit checker: ${(err as Error).message}`,
        file: model.file,
      },
    ];
  }
}

class UnitChecker {
  private readonly sys: UnitSystem;
  private readonly out: Diagnostic[] = [];
  private readonly time: U;
  private readonly timeLabel: string;
  private readonly dimKeys = new Set<string>();
  private readonly macros = new Set<string>();
  private readonly declared = new Map<Variable, U>();
  private timeUnitMissingReported = false;

  // The equation being checked.
  private v!: Variable;
  private eqn!: Equation;
  private scope!: Scope;

  constructor(private readonly model: Model) {
    this.sys = new UnitSystem(model.units);
    const tu = model.simSpecs.timeUnits?.trim();
    this.timeLabel = tu ?? '';
    const r = tu ? this.sys.parse(tu) : undefined;
    this.time = r?.unit ? known(r.unit, tu) : UNKNOWN;
    if (tu && r?.error) {
      this.warn('unit-syntax', `the model's time unit '${tu}' is malformed: ${r.error.message}`);
    }
    for (const d of model.dimensions) {
      this.dimKeys.add(canonicalName(d.name));
      for (const el of d.elements) {
        this.dimKeys.add(canonicalName(el));
        this.dimKeys.add(`${canonicalName(d.name)}.${canonicalName(el)}`);
      }
    }
    for (const m of model.macros) this.macros.add(canonicalName(m.name));
  }

  run(): Diagnostic[] {
    const scopes: { variables: Variable[]; gfs: { name?: string }[] }[] = [
      { variables: this.model.variables, gfs: this.model.graphicalFunctions },
      ...this.model.subModels.map((s) => ({ variables: s.variables, gfs: s.graphicalFunctions ?? [] })),
    ];
    for (const s of scopes) {
      const scope: Scope = { vars: new Map(), gfs: new Set() };
      for (const v of s.variables) {
        const k = canonicalName(v.name);
        if (!scope.vars.has(k)) scope.vars.set(k, v);
      }
      for (const g of s.gfs) if (g.name) scope.gfs.add(canonicalName(g.name));
      this.checkScope(s.variables, scope);
    }
    this.sys.checkDefinitions();
    for (const p of this.sys.problems) {
      this.warn('unit-syntax', p.message);
    }
    // In file order: model-level warnings (no line) first, then by line and column.
    return this.out
      .map((d, i) => ({ d, i }))
      .sort((a, b) => (a.d.line ?? 0) - (b.d.line ?? 0) || (a.d.column ?? 0) - (b.d.column ?? 0) || a.i - b.i)
      .map((x) => x.d);
  }

  private warn(code: string, message: string, loc?: SourceLocation, variable?: string): void {
    this.out.push({
      severity: 'warning',
      code,
      message,
      file: loc?.file ?? this.model.file,
      line: loc?.line,
      column: loc?.column,
      variable,
    });
  }

  private warnAt(code: string, message: string, at: Spanned): void {
    const d = displayName(this.v.name);
    this.warn(code, `${message} (in the equation of '${d}')`, locate(this.eqn, at.span.start, this.v.loc), d);
  }

  /** The declared units of a variable; reports malformed declarations once. */
  private declaredUnits(v: Variable): U {
    const cached = this.declared.get(v);
    if (cached) return cached;
    let u: U = UNKNOWN;
    const text = v.units === undefined ? '' : unitText(v.units);
    if (text !== '') {
      const r = this.sys.parse(text);
      if (r.unit) u = known(r.unit, text);
      else {
        const d = displayName(v.name);
        this.warn(
          'unit-syntax',
          `the units of '${d}' ('${v.units}') are malformed: ${r.error.message}`,
          v.loc,
          d,
        );
      }
    }
    this.declared.set(v, u);
    return u;
  }

  private show(u: U): string {
    if (u.k === 'unit') return u.label ?? this.sys.format(u.u);
    return u.k === 'free' ? 'a number' : 'unknown units';
  }

  private checkScope(variables: Variable[], scope: Scope): void {
    this.scope = scope;
    for (const v of variables) {
      const decl = this.declaredUnits(v);
      const eqns: Equation[] = [];
      if (v.eqn) eqns.push(v.eqn);
      for (const el of v.elements ?? []) if (el.eqn && el.eqn !== v.eqn) eqns.push(el.eqn);
      const hasGf = !!v.gf || (v.elements ?? []).some((el) => el.gf);
      for (const eqn of eqns) {
        const got = this.equationUnits(v, eqn);
        // A graphical function maps its input to the declared output units, whatever the input.
        if (hasGf || got === undefined) continue;
        if (got.k === 'unit' && decl.k === 'unit' && !sameUnit(got.u, decl.u)) {
          const d = displayName(v.name);
          const first = eqn.text.search(/\S/);
          this.warn(
            'unit-mismatch',
            `the equation of '${d}' has units ${this.show(got)}, but '${d}' is declared in ${this.show(decl)}`,
            locate(eqn, Math.max(0, first), v.loc),
            d,
          );
        }
      }
      if (v.kind === 'stock') this.checkFlows(v, decl);
    }
  }

  private checkFlows(stock: Variable, decl: U): void {
    if (decl.k !== 'unit') return;
    const flows = [
      ...(stock.inflows ?? []).map((n) => ({ n, dir: 'an inflow' })),
      ...(stock.outflows ?? []).map((n) => ({ n, dir: 'an outflow' })),
    ];
    for (const { n, dir } of flows) {
      const f = this.scope.vars.get(canonicalName(n));
      if (!f) continue; // the compiler reports unknown flows
      const fu = this.declaredUnits(f);
      if (fu.k !== 'unit') continue;
      const sd = displayName(stock.name);
      const fd = displayName(f.name);
      if (this.time.k !== 'unit') {
        // Said once per model; a malformed time unit has been reported already.
        if (!this.timeUnitMissingReported && !this.model.simSpecs.timeUnits?.trim()) {
          this.warn(
            'unit-unknown',
            `the model declares no time unit (time_units of sim_specs), so flows such as '${fd}' (${this.show(fu)}) cannot be checked against their stocks such as '${sd}' (${this.show(decl)})`,
            f.loc ?? stock.loc,
            fd,
          );
        }
        this.timeUnitMissingReported = true;
        continue;
      }
      const expected = divide(decl.u, this.time.u);
      if (!sameUnit(fu.u, expected)) {
        this.warn(
          'unit-mismatch',
          `flow '${fd}' has units ${this.show(fu)}, but as ${dir} of stock '${sd}' (${this.show(decl)}) it should have ${this.sys.format(expected)} (stock units per ${this.timeLabel})`,
          f.loc ?? stock.loc,
          fd,
        );
      }
    }
  }

  /** Units of one equation text; undefined when it cannot be parsed (the compiler reports that). */
  private equationUnits(v: Variable, eqn: Equation): U | undefined {
    const text = eqn.text;
    if (text.trim() === '' || /^\s*\?+\s*$/.test(text)) return undefined;
    // A list of constants for an array (`1, 2, 3`): numbers, which take any units.
    if (/^[\s\d.eE+,;-]+$/.test(text) && /[,;]/.test(text)) return FREE;
    const r = parsedEquation(eqn);
    if (!r.expr) return undefined;
    this.v = v;
    this.eqn = eqn;
    return this.infer(r.expr);
  }

  /** `+ - MOD`, comparisons, branches, MIN/MAX: both sides must have the same units. */
  private same(a: U, b: U, at: Spanned, describe: (sa: string, sb: string) => string): U {
    if (a.k === 'unit' && b.k === 'unit') {
      if (sameUnit(a.u, b.u)) return a.label ? a : b;
      this.warnAt('unit-mismatch', describe(this.show(a), this.show(b)), at);
      return UNKNOWN;
    }
    if (a.k === 'unit') return a;
    if (b.k === 'unit') return b;
    return a.k === 'unknown' || b.k === 'unknown' ? UNKNOWN : FREE;
  }

  private mul(a: U, b: U): U {
    if (a.k === 'unknown' || b.k === 'unknown') return UNKNOWN;
    if (a.k === 'free' && b.k === 'free') return FREE;
    const ua = a.k === 'unit' ? a.u : DIMENSIONLESS;
    const ub = b.k === 'unit' ? b.u : DIMENSIONLESS;
    return known(multiply(ua, ub));
  }

  private div(a: U, b: U): U {
    if (a.k === 'unknown' || b.k === 'unknown') return UNKNOWN;
    if (a.k === 'free' && b.k === 'free') return FREE;
    const ua = a.k === 'unit' ? a.u : DIMENSIONLESS;
    const ub = b.k === 'unit' ? b.u : DIMENSIONLESS;
    return known(divide(ua, ub));
  }

  private needDimensionless(u: U, at: Expr, what: string): void {
    if (u.k === 'unit' && !isDimensionless(u.u)) {
      this.warnAt(
        'unit-mismatch',
        `${what} must be dimensionless, but '${shortText(this.eqn.text, at)}' has units ${this.show(u)}`,
        at,
      );
    }
  }

  private needTime(u: U, at: Expr, what: string): void {
    if (u.k === 'unit' && this.time.k === 'unit' && !sameUnit(u.u, this.time.u)) {
      this.warnAt(
        'unit-mismatch',
        `${what} '${shortText(this.eqn.text, at)}' has units ${this.show(u)}, not the model's time unit ${this.timeLabel}`,
        at,
      );
    }
  }

  private needSame(expected: U, u: U, at: Expr, what: string): void {
    if (u.k === 'unit' && expected.k === 'unit' && !sameUnit(u.u, expected.u)) {
      this.warnAt(
        'unit-mismatch',
        `${what} '${shortText(this.eqn.text, at)}' has units ${this.show(u)}, but ${this.show(expected)} are needed`,
        at,
      );
    }
  }

  private perTime(u: U): U {
    return this.div(u, this.time.k === 'unit' ? this.time : UNKNOWN);
  }

  private infer(e: Expr): U {
    switch (e.kind) {
      case 'num':
        return FREE;
      case 'ref':
        return this.refUnits(e.key);
      case 'subscript': {
        // Subscripts select elements; they do not change units.
        const v = this.scope.vars.get(e.key);
        return v ? this.declaredUnits(v) : UNKNOWN;
      }
      case 'unary': {
        const a = this.infer(e.arg);
        return e.op === 'not' ? FREE : a;
      }
      case 'if': {
        this.infer(e.cond);
        const a = this.infer(e.then);
        const b = this.infer(e.else);
        return this.same(
          a,
          b,
          e,
          (sa, sb) =>
            `IF branches have different units: ${sa} ('${shortText(this.eqn.text, e.then)}') and ${sb} ('${shortText(this.eqn.text, e.else)}')`,
        );
      }
      case 'binary':
        return this.binary(e.op, this.infer(e.left), this.infer(e.right), e.left, e.right, e);
      case 'chain': {
        // Left to right, as if nested: the left operand of the i-th operator is the chain so far.
        let acc = this.infer(e.args[0]!);
        for (let i = 0; i < e.ops.length; i++) {
          const left = { span: chainPrefixSpan(e, i + 1) };
          const at = { span: chainPrefixSpan(e, i + 2) };
          acc = this.binary(e.ops[i]!, acc, this.infer(e.args[i + 1]!), left, e.args[i + 1]!, at);
        }
        return acc;
      }
      case 'call':
        return this.call(e);
    }
  }

  private refUnits(key: string): U {
    if (key === 'self') return this.declaredUnits(this.v);
    const v = this.scope.vars.get(key);
    if (v) return this.declaredUnits(v);
    const k = key.replace(/^(std|isee|vensim)\./, '');
    if (TIME_NAMES.has(k)) return this.time;
    if (k === 'pi' || k === 'inf') return FREE;
    // A dimension or element name used as a value is an index number.
    if (this.dimKeys.has(key)) return FREE;
    return UNKNOWN;
  }

  /** Units of `left op right`, given the units `a` and `b` of its operands; `e` spans the whole. */
  private binary(op: BinaryOp, a: U, b: U, left: Spanned, right: Expr, e: Spanned): U {
    const t = this.eqn.text;
    switch (op) {
      case '*':
        return this.mul(a, b);
      case '/':
        return this.div(a, b);
      case '^': {
        this.needDimensionless(b, right, 'an exponent');
        if (a.k !== 'unit' || isDimensionless(a.u)) return a.k === 'unit' ? known(DIMENSIONLESS) : a;
        const n = constantValue(right);
        if (n === undefined || !Number.isFinite(n)) {
          this.warnAt(
            'unit-unknown',
            `'${shortText(t, left)}' has units ${this.show(a)} and is raised to a power that is not a constant, so the result has no definite units`,
            e,
          );
          return UNKNOWN;
        }
        return known(power(a.u, n));
      }
      case 'and':
      case 'or':
        return FREE;
      case '+':
      case '-':
      case 'mod':
        return this.same(
          a,
          b,
          e,
          (sa, sb) =>
            `'${op}' combines ${sa} ('${shortText(t, left)}') with ${sb} ('${shortText(t, right)}')`,
        );
      default: {
        // Comparisons need like with like; the result is a 0/1 number.
        this.same(
          a,
          b,
          e,
          (sa, sb) =>
            `'${op}' compares ${sa} ('${shortText(t, left)}') with ${sb} ('${shortText(t, right)}')`,
        );
        return FREE;
      }
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>): U {
    const args = e.args.map((a) => this.infer(a));
    const arg = (i: number): U => args[i] ?? UNKNOWN;
    const t = this.eqn.text;
    // A variable with a graphical function called like a function: its declared units.
    const gfVar = this.scope.vars.get(e.key);
    if (gfVar && gfVar.gf && !findBuiltin(e.key)) return this.declaredUnits(gfVar);
    if (this.scope.gfs.has(e.key) || this.macros.has(e.key)) return UNKNOWN;
    const f = findBuiltin(e.key);
    if (!f) return UNKNOWN;
    const name = f.name;
    const allSame = (what: string): U => {
      let acc: U = FREE;
      e.args.forEach((a, i) => {
        acc = this.same(
          acc,
          args[i]!,
          a,
          (sa, sb) => `${what} arguments have different units: ${sa} and ${sb} ('${shortText(t, a)}')`,
        );
      });
      return acc;
    };
    // The catalogue's units rule for this builtin; `checker` rules are the cases below.
    const rule = f.units;
    switch (rule.k) {
      case 'arg':
        return arg(rule.i);
      case 'free':
        return FREE;
      case 'dimensionless':
        e.args.forEach((a, i) => this.needDimensionless(args[i]!, a, `the argument of ${name}`));
        return known(DIMENSIONLESS);
      case 'time':
        return this.time;
      case 'unchecked':
        return UNKNOWN;
      case 'checker':
        break;
    }
    const own = name as CheckerUnitsName;
    switch (own) {
      case 'SQRT': {
        const a = arg(0);
        return a.k === 'unit' ? known(power(a.u, 0.5)) : a;
      }
      case 'POWER': {
        this.needDimensionless(arg(1), e.args[1]!, 'an exponent');
        const a = arg(0);
        if (a.k !== 'unit' || isDimensionless(a.u) || !e.args[1]) return a;
        const n = constantValue(e.args[1]);
        if (n === undefined) {
          this.warnAt(
            'unit-unknown',
            `'${shortText(t, e.args[0]!)}' has units ${this.show(a)} and is raised to a power that is not a constant, so the result has no definite units`,
            e,
          );
          return UNKNOWN;
        }
        return known(power(a.u, n));
      }
      case 'MIN':
      case 'MAX':
      case 'MEAN':
      case 'MOD':
      case 'MODULO':
        return allSame(name);
      case 'PROD':
        return e.args.length === 1 && arg(0).k === 'free' ? FREE : UNKNOWN;
      case 'SAFEDIV':
      case 'XIDZ':
      case 'ZIDZ': {
        const q = this.div(arg(0), arg(1));
        if (e.args[2]) this.needSame(q, arg(2), e.args[2], `the value of ${name} when dividing by zero`);
        return q;
      }
      case 'SELF':
        return this.declaredUnits(this.v);
      case 'PULSE':
        if (e.args[1]) this.needTime(arg(1), e.args[1], 'the first pulse time of PULSE');
        if (e.args[2]) this.needTime(arg(2), e.args[2], 'the pulse interval of PULSE');
        // The magnitude arrives spread over one DT, so a PULSE is a rate of its magnitude.
        return arg(0).k === 'free' ? FREE : this.perTime(arg(0));
      case 'STEP':
        if (e.args[1]) this.needTime(arg(1), e.args[1], 'the start time of STEP');
        return arg(0);
      case 'RAMP':
        if (e.args[1]) this.needTime(arg(1), e.args[1], 'the start time of RAMP');
        if (e.args[2]) this.needTime(arg(2), e.args[2], 'the end time of RAMP');
        return arg(0).k === 'free' ? FREE : this.mul(arg(0), this.time);
      case 'RANDOM':
      case 'NORMAL':
      case 'LOGNORMAL':
        return allSame(name === 'RANDOM' ? 'RANDOM min and max' : `${name} mean and sd`);
      case 'EXPRND':
      case 'POISSON':
        return arg(0);
      case 'DELAY':
      case 'DELAY1':
      case 'DELAY3':
      case 'SMTH1':
      case 'SMTH3': {
        this.needTime(
          arg(1),
          e.args[1]!,
          `the ${name.startsWith('D') ? 'delay' : 'averaging'} time of ${name}`,
        );
        if (e.args[2]) this.needSame(arg(0), arg(2), e.args[2], `the initial value of ${name}`);
        return arg(0);
      }
      case 'DELAYN':
      case 'SMTHN': {
        this.needTime(arg(1), e.args[1]!, `the ${name === 'DELAYN' ? 'delay' : 'averaging'} time of ${name}`);
        this.needDimensionless(arg(2), e.args[2]!, `the order of ${name}`);
        if (e.args[3]) this.needSame(arg(0), arg(3), e.args[3], `the initial value of ${name}`);
        return arg(0);
      }
      case 'TREND': {
        this.needTime(arg(1), e.args[1]!, 'the averaging time of TREND');
        const rate = this.perTime(known(DIMENSIONLESS));
        if (e.args[2]) this.needSame(rate, arg(2), e.args[2], 'the initial trend of TREND');
        return rate;
      }
      case 'FORCST': {
        this.needTime(arg(1), e.args[1]!, 'the averaging time of FORCST');
        this.needTime(arg(2), e.args[2]!, 'the horizon of FORCST');
        if (e.args[3])
          this.needSame(this.perTime(known(DIMENSIONLESS)), arg(3), e.args[3], 'the initial trend of FORCST');
        return arg(0);
      }
      case 'PREVIOUS':
        if (e.args[1]) this.needSame(arg(0), arg(1), e.args[1], 'the initial value of PREVIOUS');
        return arg(0);
      case 'LOOKUP': {
        const target = e.args[0];
        if (target?.kind === 'ref') {
          const v = this.scope.vars.get(target.key);
          if (v?.gf) return this.declaredUnits(v);
        }
        return UNKNOWN;
      }
      default: {
        // Every builtin the catalogue marks `checker` has a case above.
        const missing: never = own;
        return missing;
      }
    }
  }
}
