/**
 * Recursive-descent parser for one Vensim equation (the text before the first `~` of a record).
 * Precedence, tightest first: `^` (right-associative, its exponent may carry a sign), unary
 * `-`/`+`, `* /`, `+ -`, comparisons, `:NOT:`, `:AND:`, `:OR:` (see ../shared/reference/vensim.md
 * 2.5, checked against the suite's arithmetics and subscripted_logicals).
 */
import { functionKey } from './functions.js';
import { type VToken, VensimSyntaxError, tokenize } from './lexer.js';

export interface Sub {
  name: string;
  bang: boolean;
  start: number;
}

export type VExpr =
  | { kind: 'num'; value: number; start: number }
  | { kind: 'na'; start: number }
  | { kind: 'str'; text: string; start: number }
  | { kind: 'ref'; name: string; subs: Sub[]; start: number }
  | { kind: 'call'; name: string; subs: Sub[]; args: VExpr[]; start: number }
  | { kind: 'unary'; op: '-' | '+' | 'not'; arg: VExpr; start: number }
  | { kind: 'binary'; op: string; left: VExpr; right: VExpr; start: number }
  | { kind: 'table'; table: Table; start: number }
  /** TABBED ARRAY(...) and bare number lists: rows of numbers. */
  | { kind: 'list'; rows: number[][]; start: number };

export interface Table {
  xs: number[];
  ys: number[];
}

/** The left-hand side of an equation. */
export interface Lhs {
  name: string;
  subs: Sub[];
  except: Sub[][];
  /** Data keyword (`INTERPOLATE`, `RAW`, `HOLD BACKWARD`, `LOOK FORWARD`). */
  dataKeyword?: string;
  start: number;
}

export type Definition =
  | { kind: 'eq'; lhs: Lhs; op: '=' | '==' | ':='; rhs: VExpr; rhsStart: number }
  | { kind: 'lookup'; lhs: Lhs; table?: Table; call?: VExpr; rhsStart: number }
  | { kind: 'subrange'; name: string; start: number; elements: SubElement[]; mapsTo: Mapping[]; get?: VExpr }
  | { kind: 'equivalence'; name: string; start: number; other: string }
  | { kind: 'data'; lhs: Lhs }
  | { kind: 'ignored'; start: number; what: string };

export type SubElement = { name: string } | { from: string; to: string };
export interface Mapping {
  dim: string;
  elements?: string[];
}

const MAX_DEPTH = 200;
/** The operators of each chained level below `:NOT:`, loosest first. */
const CHAINS = [new Set(['=', '<>', '<', '>', '<=', '>=']), new Set(['+', '-']), new Set(['*', '/'])];

const normal = (s: string) =>
  s
    .replace(/[\s_]+/g, ' ')
    .trim()
    .toUpperCase();

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly t: VToken[]) {}

  peek(k = 0): VToken {
    return this.t[Math.min(this.pos + k, this.t.length - 1)]!;
  }
  next(): VToken {
    const tok = this.t[this.pos]!;
    if (this.pos < this.t.length - 1) this.pos++;
    return tok;
  }
  isOp(text: string, k = 0): boolean {
    const tok = this.peek(k);
    return tok.kind === 'op' && tok.text === text;
  }
  isKw(text: string): boolean {
    const tok = this.peek();
    return tok.kind === 'kw' && tok.text === text;
  }
  expectOp(text: string): VToken {
    const tok = this.peek();
    if (!this.isOp(text))
      throw new VensimSyntaxError(`expected '${text}' but found ${describe(tok)}`, tok.start);
    return this.next();
  }
  expectName(): VToken {
    const tok = this.peek();
    if (tok.kind !== 'name')
      throw new VensimSyntaxError(`expected a name but found ${describe(tok)}`, tok.start);
    return this.next();
  }
  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }
  expectEnd(): void {
    const tok = this.peek();
    if (tok.kind !== 'eof')
      throw new VensimSyntaxError(`unexpected ${describe(tok)} after the end of the equation`, tok.start);
  }

  // ---- equations ----

  definition(): Definition {
    const first = this.peek();
    if (first.kind === 'kw' && (first.text === 'THE CONDITION' || first.text === 'TEST INPUT'))
      return { kind: 'ignored', start: first.start, what: 'reality check' };
    const name = this.expectName();
    // Subscript range, mapping, equivalence.
    if (this.isOp(':')) {
      this.next();
      return this.subrange(name);
    }
    if (this.isOp('<->')) {
      this.next();
      const other = this.expectName();
      this.expectEnd();
      return { kind: 'equivalence', name: name.text, start: name.start, other: other.text };
    }
    const lhs: Lhs = { name: name.text, subs: [], except: [], start: name.start };
    if (this.isOp('[')) lhs.subs = this.subs();
    while (this.isKw('EXCEPT')) {
      this.next();
      for (;;) {
        lhs.except.push(this.subs());
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        break;
      }
    }
    const kw = this.peek();
    if (kw.kind === 'kw' && ['INTERPOLATE', 'RAW', 'HOLD BACKWARD', 'LOOK FORWARD'].includes(kw.text)) {
      this.next();
      lhs.dataKeyword = kw.text;
    }
    if (kw.kind === 'kw' && (kw.text === 'IS' || kw.text === 'THE CONDITION' || kw.text === 'TEST INPUT'))
      return {
        kind: 'ignored',
        start: kw.start,
        what: kw.text === 'IS' ? 'string constant' : 'reality check',
      };
    if (this.atEnd()) return { kind: 'data', lhs };
    if (this.isOp('(')) {
      const open = this.next();
      if (
        this.isOp('[') ||
        this.isOp('(') ||
        this.peek().kind === 'num' ||
        this.isOp('-') ||
        this.isOp('+')
      ) {
        const table = this.tableBody();
        this.expectOp(')');
        this.expectEnd();
        return { kind: 'lookup', lhs, table, rhsStart: open.start };
      }
      const call = this.expression();
      this.expectOp(')');
      this.expectEnd();
      return { kind: 'lookup', lhs, call, rhsStart: open.start };
    }
    const op = this.peek();
    if (op.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === ':=')) {
      this.next();
      const rhsStart = this.peek().start;
      const rhs = this.rhs();
      this.expectEnd();
      return { kind: 'eq', lhs, op: op.text as '=' | '==' | ':=', rhs, rhsStart };
    }
    throw new VensimSyntaxError(
      `expected '=', '(' or ':' after '${lhs.name}' but found ${describe(op)}`,
      op.start,
    );
  }

  private subrange(name: VToken): Definition {
    const elements: SubElement[] = [];
    const mapsTo: Mapping[] = [];
    const head = this.peek();
    if (
      head.kind === 'name' &&
      /^GET (XLS|DIRECT) SUBSCRIPT$/i.test(normal(head.text)) &&
      this.isOp('(', 1)
    ) {
      const get = this.primary();
      return { kind: 'subrange', name: name.text, start: name.start, elements, mapsTo, get };
    }
    for (;;) {
      if (this.isOp('(')) {
        this.next();
        const from = this.expectName();
        this.expectOp('-');
        const to = this.expectName();
        this.expectOp(')');
        elements.push({ from: from.text, to: to.text });
      } else elements.push({ name: this.expectName().text });
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      break;
    }
    if (this.isOp('->')) {
      this.next();
      for (;;) {
        if (this.isOp('(')) {
          this.next();
          const dim = this.expectName().text;
          this.expectOp(':');
          const els: string[] = [];
          for (;;) {
            els.push(this.expectName().text);
            if (this.isOp(',')) {
              this.next();
              continue;
            }
            break;
          }
          this.expectOp(')');
          mapsTo.push({ dim, elements: els });
        } else mapsTo.push({ dim: this.expectName().text });
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expectEnd();
    return { kind: 'subrange', name: name.text, start: name.start, elements, mapsTo };
  }

  subs(): Sub[] {
    this.expectOp('[');
    const out: Sub[] = [];
    for (;;) {
      const n = this.expectName();
      let bang = false;
      if (this.isOp('!')) {
        this.next();
        bang = true;
      }
      out.push({ name: n.text, bang, start: n.start });
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      break;
    }
    this.expectOp(']');
    return out;
  }

  /** A right-hand side: a number list (`1, 2; 3, 4;`) or an expression. */
  private rhs(): VExpr {
    const start = this.peek().start;
    // A number list: signed numbers separated by commas and semicolons.
    let k = 0;
    let numbers = 0;
    let separators = 0;
    for (;;) {
      const tok = this.peek(k);
      if (tok.kind === 'op' && (tok.text === '-' || tok.text === '+')) k++;
      const n = this.peek(k);
      if (n.kind !== 'num') break;
      numbers++;
      k++;
      const sep = this.peek(k);
      if (sep.kind === 'op' && (sep.text === ',' || sep.text === ';')) {
        separators++;
        k++;
        continue;
      }
      break;
    }
    if (numbers > 0 && separators > 0 && this.peek(k).kind === 'eof') {
      const rows: number[][] = [[]];
      while (!this.atEnd()) {
        let sign = 1;
        if (this.isOp('-')) {
          sign = -1;
          this.next();
        } else if (this.isOp('+')) this.next();
        rows[rows.length - 1]!.push(sign * this.next().value!);
        if (this.isOp(',')) this.next();
        else if (this.isOp(';')) {
          this.next();
          rows.push([]);
        }
      }
      return { kind: 'list', rows: rows.filter((r) => r.length > 0), start };
    }
    return this.expression();
  }

  // ---- lookups ----

  /** `[(x0,y0)-(x1,y1), ...], (x,y), ...` or `x1, ..., xn, y1, ..., yn`. */
  tableBody(): Table {
    if (this.isOp('[')) {
      // The range header and its reference points are display-only.
      let depth = 0;
      for (;;) {
        const tok = this.next();
        if (tok.kind === 'eof') throw new VensimSyntaxError('unclosed lookup range `[`', tok.start);
        if (tok.kind === 'op' && tok.text === '[') depth++;
        if (tok.kind === 'op' && tok.text === ']' && --depth === 0) break;
      }
      if (this.isOp(',')) this.next();
    }
    const xs: number[] = [];
    const ys: number[] = [];
    if (this.isOp('(')) {
      for (;;) {
        this.expectOp('(');
        xs.push(this.signed());
        this.expectOp(',');
        ys.push(this.signed());
        this.expectOp(')');
        if (this.isOp(',') && this.isOp('(', 1)) {
          this.next();
          continue;
        }
        break;
      }
    } else {
      const flat: number[] = [];
      for (;;) {
        flat.push(this.signed());
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        break;
      }
      if (flat.length % 2 !== 0)
        throw new VensimSyntaxError(
          'a lookup written as x1..xn, y1..yn needs as many x as y values',
          this.peek().start,
        );
      xs.push(...flat.slice(0, flat.length / 2));
      ys.push(...flat.slice(flat.length / 2));
    }
    return { xs, ys };
  }

  private signed(): number {
    let sign = 1;
    while (this.isOp('-') || this.isOp('+')) {
      if (this.next().text === '-') sign = -sign;
    }
    const tok = this.peek();
    if (tok.kind !== 'num')
      throw new VensimSyntaxError(`expected a number but found ${describe(tok)}`, tok.start);
    this.next();
    return sign * tok.value!;
  }

  // ---- expressions ----

  // Each level is a loop over its operators, without closures: the parser runs once per record,
  // and closures per level and per operand were most of its garbage. The nesting depth is
  // counted on the way down and given back on the way up; after a throw the parser is dropped.
  expression(): VExpr {
    if (++this.depth > MAX_DEPTH)
      throw new VensimSyntaxError('expression nested too deeply', this.peek().start);
    const e = this.or();
    this.depth--;
    return e;
  }

  /** Takes the operator of the n-th operation of a chain (a bound on its length). */
  private operator(n: number): void {
    if (n > 4 * MAX_DEPTH) throw new VensimSyntaxError('expression too long', this.peek().start);
    this.next();
  }
  private binary(op: string, left: VExpr, right: VExpr): VExpr {
    return { kind: 'binary', op, left, right, start: left.start };
  }
  private or(): VExpr {
    let left = this.and();
    for (let n = 1; this.isKw('OR'); n++) {
      this.operator(n);
      left = this.binary('or', left, this.and());
    }
    return left;
  }
  private and(): VExpr {
    let left = this.not();
    for (let n = 1; this.isKw('AND'); n++) {
      this.operator(n);
      left = this.binary('and', left, this.not());
    }
    return left;
  }
  private not(): VExpr {
    if (this.isKw('NOT')) {
      const tok = this.next();
      this.enter(tok);
      const e: VExpr = { kind: 'unary', op: 'not', arg: this.not(), start: tok.start };
      this.depth--;
      return e;
    }
    return this.comparison();
  }
  /** Comparisons (level 0), `+ -` (1) and `* /` (2): left-associative chains, tightest last. */
  private comparison(level = 0): VExpr {
    let left = level === 2 ? this.unary() : this.comparison(level + 1);
    for (let n = 1; ; n++) {
      const tok = this.peek();
      if (tok.kind !== 'op' || !CHAINS[level]!.has(tok.text)) return left;
      this.operator(n);
      left = this.binary(tok.text, left, level === 2 ? this.unary() : this.comparison(level + 1));
    }
  }
  private enter(tok: VToken): void {
    if (++this.depth > MAX_DEPTH) throw new VensimSyntaxError('expression nested too deeply', tok.start);
  }
  private unary(): VExpr {
    if (this.isOp('-') || this.isOp('+')) {
      const tok = this.next();
      this.enter(tok);
      const e: VExpr = { kind: 'unary', op: tok.text as '-' | '+', arg: this.unary(), start: tok.start };
      this.depth--;
      return e;
    }
    return this.power();
  }
  private power(): VExpr {
    const base = this.primary();
    if (this.isOp('^')) {
      const tok = this.next();
      this.enter(tok);
      const e: VExpr = { kind: 'binary', op: '^', left: base, right: this.unary(), start: base.start };
      this.depth--;
      return e;
    }
    return base;
  }

  primary(): VExpr {
    const tok = this.peek();
    if (tok.kind === 'num') {
      this.next();
      return { kind: 'num', value: tok.value!, start: tok.start };
    }
    if (tok.kind === 'kw' && tok.text === 'NA') {
      this.next();
      return { kind: 'na', start: tok.start };
    }
    if (tok.kind === 'str') {
      this.next();
      return { kind: 'str', text: tok.text, start: tok.start };
    }
    if (this.isOp('(')) {
      this.next();
      this.enter(tok);
      const e = this.expression();
      this.expectOp(')');
      this.depth--;
      return e;
    }
    if (tok.kind === 'name') {
      this.next();
      const subs = this.isOp('[') ? this.subs() : [];
      if (!this.isOp('(')) return { kind: 'ref', name: tok.text, subs, start: tok.start };
      this.next();
      this.enter(tok);
      {
        const fn = functionKey(tok.text);
        const args: VExpr[] = [];
        if (fn === 'TABBED ARRAY') {
          args.push(this.tabbed(tok.start));
        } else if (fn === 'WITH LOOKUP' || fn === 'LOOKUP') {
          args.push(this.expression());
          this.expectOp(',');
          const open = this.expectOp('(');
          args.push({ kind: 'table', table: this.tableBody(), start: open.start });
          this.expectOp(')');
        } else if (!this.isOp(')')) {
          for (;;) {
            args.push(this.expression());
            if (this.isOp(',')) {
              this.next();
              continue;
            }
            if (this.isOp(':')) {
              // Extra outputs of a macro call (`M(a, b : x, y)`): not supported, reported by the reader.
              throw new VensimSyntaxError(
                'macro calls with extra outputs (`:`) are not supported',
                this.peek().start,
              );
            }
            break;
          }
        }
        this.expectOp(')');
        this.depth--;
        return { kind: 'call', name: tok.text, subs, args, start: tok.start };
      }
    }
    if (tok.kind === 'eof') throw new VensimSyntaxError('unexpected end of equation', tok.start);
    throw new VensimSyntaxError(`unexpected ${describe(tok)}`, tok.start);
  }

  /** The body of TABBED ARRAY( ... ): numbers, rows by line (the caller's tokens lost lines, so by count). */
  private tabbed(start: number): VExpr {
    const nums: { v: number; at: number }[] = [];
    while (!this.isOp(')') && !this.atEnd()) {
      let sign = 1;
      if (this.isOp('-')) {
        this.next();
        sign = -1;
      }
      const n = this.peek();
      if (n.kind !== 'num')
        throw new VensimSyntaxError(`expected a number in TABBED ARRAY but found ${describe(n)}`, n.start);
      this.next();
      nums.push({ v: sign * n.value!, at: n.start });
    }
    return { kind: 'list', rows: [nums.map((x) => x.v)], start };
  }
}

function describe(t: VToken): string {
  if (t.kind === 'eof') return 'the end of the equation';
  if (t.kind === 'kw') return `':${t.text}:'`;
  return `'${t.text}'`;
}

/** Parse the equation text[start, end). Throws VensimSyntaxError. */
export function parseDefinition(text: string, start: number, end: number): Definition {
  return new Parser(tokenize(text, start, end)).definition();
}

/** Parse an expression text[start, end) (used for macro headers and tests). */
export function parseExpression(text: string, start = 0, end = text.length): VExpr {
  const p = new Parser(tokenize(text, start, end));
  const e = p.expression();
  p.expectEnd();
  return e;
}
