/**
 * Unit expressions (XMILE 3.3.6) and the unit namespace of a model. A unit expression combines
 * unit names with `*` (or `-`), `/`, integer powers `^n` and parentheses; `1` is the identity.
 * Modellers also write `per month`, `people per month` and `Square Miles`, so these are
 * accepted: `per` divides, and words written next to each other form one name.
 *
 * Names resolve through the model's `<model_units>` (name, aliases, defining equation), then a
 * small built-in table (the spec's recommended time units, `people`, `$`), then a plural rule
 * (`widgets` is `widget`); any other name is a primary unit of its own.
 */
import type { UnitDefinition } from '../model/types.js';
import { canonicalName, displayName } from '../equations/names.js';
import { DIMENSIONLESS, type Unit, divide, formatUnit, multiply, power, primary } from './units.js';

export interface UnitParseError {
  message: string;
  /** Offset into the unit text. */
  offset: number;
}

export type UnitParseResult = { unit: Unit; error?: undefined } | { unit?: undefined; error: UnitParseError };

type TokKind = 'num' | 'word' | 'op' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  start: number;
}

class UnitSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_$%.'\u00A0]/.test(c) || c.charCodeAt(0) > 127;
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if ('()*/^-+·×'.includes(c)) {
      out.push({ kind: 'op', text: c === '·' || c === '×' ? '*' : c, start });
      i++;
      continue;
    }
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new UnitSyntaxError('unclosed quote', i);
      out.push({ kind: 'word', text: text.slice(i + 1, close), start });
      i = close + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i))!;
      // A number glued to letters (`2nd`, `3D`) is a name, not a factor.
      if (!isWordChar(text[i + m[0].length] ?? ' ')) {
        out.push({ kind: 'num', text: m[0], start });
        i += m[0].length;
        continue;
      }
    }
    if (isWordChar(c)) {
      while (i < text.length && isWordChar(text[i]!)) i++;
      out.push({ kind: 'word', text: text.slice(start, i), start });
      continue;
    }
    throw new UnitSyntaxError(`unexpected character '${c}'`, i);
  }
  out.push({ kind: 'eof', text: '', start: text.length });
  return out;
}

/** Resolves a unit name (as written) to a unit; `offset` is where the name starts. */
export type UnitResolver = (name: string, offset: number) => Unit;

class UnitParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly resolve: UnitResolver,
  ) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private isPer(t: Tok): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === 'per';
  }

  parseAll(): Unit {
    const u = this.expr();
    const t = this.peek();
    if (t.kind !== 'eof') throw new UnitSyntaxError(`unexpected '${t.text}'`, t.start);
    return u;
  }

  private expr(): Unit {
    let u: Unit;
    // `per month` alone means 1/month.
    if (this.isPer(this.peek())) {
      this.next();
      u = divide(DIMENSIONLESS, this.factor());
    } else u = this.factor();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.text === '*' || t.text === '-')) {
        this.next();
        u = multiply(u, this.factor());
      } else if ((t.kind === 'op' && t.text === '/') || this.isPer(t)) {
        this.next();
        u = divide(u, this.factor());
      } else if (t.kind === 'num' || (t.kind === 'op' && t.text === '(')) {
        // Juxtaposition: `1000 people`, `people (month)`.
        u = multiply(u, this.factor());
      } else if (t.kind === 'word' && this.toks[this.i - 1]?.kind === 'num') {
        u = multiply(u, this.factor());
      } else return u;
    }
  }

  private factor(): Unit {
    const base = this.primary();
    if (this.peek().kind === 'op' && this.peek().text === '^') {
      this.next();
      const n = this.exponent();
      return power(base, n);
    }
    return base;
  }

  private exponent(): number {
    let paren = false;
    if (this.peek().kind === 'op' && this.peek().text === '(') {
      paren = true;
      this.next();
    }
    let sign = 1;
    const s = this.peek();
    if (s.kind === 'op' && (s.text === '-' || s.text === '+')) {
      this.next();
      if (s.text === '-') sign = -1;
    }
    const t = this.next();
    if (t.kind !== 'num') throw new UnitSyntaxError('a unit power must be a number', t.start);
    const n = sign * Number(t.text);
    if (!Number.isInteger(n)) throw new UnitSyntaxError('unit powers must be integers', t.start);
    if (paren) {
      const c = this.next();
      if (c.kind !== 'op' || c.text !== ')') throw new UnitSyntaxError("expected ')'", c.start);
    }
    return n;
  }

  private primary(): Unit {
    const t = this.next();
    if (t.kind === 'op' && t.text === '(') {
      const u = this.expr();
      const c = this.next();
      if (c.kind !== 'op' || c.text !== ')') throw new UnitSyntaxError("expected ')'", c.start);
      return u;
    }
    if (t.kind === 'num') {
      const v = Number(t.text);
      if (!(v > 0) || !Number.isFinite(v))
        throw new UnitSyntaxError('a unit factor must be positive', t.start);
      return { scale: v, powers: new Map() };
    }
    if (t.kind === 'word' && !this.isPer(t)) {
      // Words written next to each other are one name (`Square Miles`), `per` excepted.
      const words = [t.text];
      while (this.peek().kind === 'word' && !this.isPer(this.peek())) words.push(this.next().text);
      return this.resolve(words.join(' '), t.start);
    }
    if (t.kind === 'eof') throw new UnitSyntaxError('unit expression ends too early', t.start);
    throw new UnitSyntaxError(`unexpected '${t.text}'`, t.start);
  }
}

/** Parse a unit expression with the given name resolver. Never throws. Empty text is `1`. */
export function parseUnitExpression(text: string, resolve: UnitResolver): UnitParseResult {
  try {
    const toks = tokenize(text);
    if (toks.length === 1) return { unit: DIMENSIONLESS };
    return { unit: new UnitParser(toks, resolve).parseAll() };
  } catch (err) {
    if (err instanceof UnitSyntaxError) return { error: { message: err.message, offset: err.offset } };
    if (err instanceof RangeError)
      return { error: { message: 'unit expression nested too deeply', offset: 0 } };
    throw err;
  }
}

interface BuiltinUnit {
  name: string;
  aliases: string[];
  eqn?: string;
}

/**
 * The spec's recommended baseline units (3.3.6) with the plural and short spellings modellers
 * use, plus people and dollars, which nearly every social-science model has.
 */
const BUILTIN_UNITS: BuiltinUnit[] = [
  { name: '1', aliases: ['dmnl', 'dimensionless', 'unitless', 'dimensionless_unit'] },
  { name: 'nanosecond', aliases: ['ns', 'nanoseconds'] },
  { name: 'microsecond', aliases: ['us', 'microseconds'] },
  { name: 'millisecond', aliases: ['ms', 'milliseconds'] },
  { name: 'second', aliases: ['s', 'sec', 'secs', 'seconds'] },
  { name: 'minute', aliases: ['min', 'mins', 'minutes'] },
  { name: 'hour', aliases: ['hr', 'hrs', 'hours'] },
  { name: 'day', aliases: ['days'] },
  { name: 'week', aliases: ['wk', 'wks', 'weeks'] },
  { name: 'month', aliases: ['mo', 'mos', 'months'] },
  { name: 'quarter', aliases: ['qtr', 'qtrs', 'quarters'] },
  { name: 'year', aliases: ['yr', 'yrs', 'years', 'annum'] },
  { name: 'people', aliases: ['person', 'persons', 'peoples'] },
  { name: '$', aliases: ['dollar', 'dollars', 'usd'] },
  ...['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'].map((t) => ({
    name: `per_${t}`,
    aliases: [],
    eqn: `1/${t}`,
  })),
];

/** Singular form for names that are not defined anywhere: `widgets` -> `widget`. */
function singular(key: string): string {
  if (key.length > 4 && key.endsWith('ies')) return `${key.slice(0, -3)}y`;
  if (key.length > 3 && key.endsWith('s') && !key.endsWith('ss') && !key.endsWith('us'))
    return key.slice(0, -1);
  return key;
}

/** A problem with a `<model_units>` definition (no file position is known for these). */
export interface UnitDefinitionProblem {
  unit: string;
  message: string;
}

/**
 * The unit namespace of one model: resolves names and parses unit expressions, with results
 * cached by text. Definitions are resolved lazily and circular ones become primary units.
 */
export class UnitSystem {
  private readonly modelDefs = new Map<string, UnitDefinition>();
  private readonly builtinDefs = new Map<string, BuiltinUnit>();
  private readonly resolved = new Map<UnitDefinition | BuiltinUnit, Unit>();
  private readonly resolving = new Set<UnitDefinition | BuiltinUnit>();
  private readonly displays = new Map<string, string>();
  private readonly cache = new Map<string, UnitParseResult>();
  readonly problems: UnitDefinitionProblem[] = [];

  constructor(definitions: readonly UnitDefinition[] = []) {
    for (const b of BUILTIN_UNITS) {
      for (const n of [b.name, ...b.aliases]) this.builtinDefs.set(canonicalName(n), b);
    }
    for (const d of definitions) {
      for (const n of [d.name, ...d.aliases]) {
        const k = canonicalName(n);
        // Repetition is to be ignored (3.3.6): the first definition of a name wins.
        if (k && !this.modelDefs.has(k)) this.modelDefs.set(k, d);
      }
    }
  }

  /** Resolve every model definition, so that bad ones are reported even when unused. */
  checkDefinitions(): void {
    for (const d of new Set(this.modelDefs.values())) this.resolveDef(d);
  }

  /** Parse a unit expression in this namespace. */
  parse(text: string): UnitParseResult {
    let r = this.cache.get(text);
    if (!r) {
      r = parseUnitExpression(text, (name) => this.resolveName(name));
      this.cache.set(text, r);
    }
    return r;
  }

  /** Format a unit with the names this model uses. */
  format(u: Unit): string {
    return formatUnit(u, (k) => this.displays.get(k) ?? k);
  }

  private findDef(key: string): UnitDefinition | BuiltinUnit | undefined {
    return this.modelDefs.get(key) ?? this.builtinDefs.get(key);
  }

  resolveName(name: string): Unit {
    const key = canonicalName(name);
    if (key === '1') return DIMENSIONLESS;
    const def = this.findDef(key) ?? this.findDef(singular(key));
    if (def) return this.resolveDef(def);
    const k = singular(key);
    if (!this.displays.has(k)) this.displays.set(k, displayName(name));
    return primary(k);
  }

  private resolveDef(def: UnitDefinition | BuiltinUnit): Unit {
    const done = this.resolved.get(def);
    if (done) return done;
    let u: Unit;
    if (this.resolving.has(def)) {
      this.problems.push({ unit: def.name, message: `unit '${def.name}' is defined in terms of itself` });
      u = this.primaryOf(def);
    } else if (def.eqn !== undefined && def.eqn.trim() !== '') {
      this.resolving.add(def);
      const r = parseUnitExpression(def.eqn, (n) => this.resolveName(n));
      this.resolving.delete(def);
      if (r.error) {
        this.problems.push({
          unit: def.name,
          message: `the definition of unit '${def.name}' (${def.eqn}) is malformed: ${r.error.message}`,
        });
        u = this.primaryOf(def);
      } else u = r.unit;
    } else u = this.primaryOf(def);
    this.resolved.set(def, u);
    return u;
  }

  /** A definition without an equation is a primary unit; the same as a built-in of that name. */
  private primaryOf(def: UnitDefinition | BuiltinUnit): Unit {
    if (def.name === '1') return DIMENSIONLESS;
    const key = canonicalName(def.name);
    const builtin = this.builtinDefs.get(key) ?? this.builtinDefs.get(singular(key));
    if (builtin && builtin !== def && !this.resolving.has(builtin)) return this.resolveDef(builtin);
    const k = builtin ? canonicalName(builtin.name) : singular(key);
    if (!this.displays.has(k)) this.displays.set(k, displayName(builtin ? builtin.name : def.name));
    return primary(k);
  }
}
