/**
 * Lexer and recursive-descent parser for XMILE equations (spec 3.3). Precedence, from tightest:
 * `[]`, `()`, `^` (right-associative), unary `+ - NOT`, `* / MOD`, `+ -`, `< <= > >=`, `= <>`,
 * `AND`, `OR`. `IF c THEN a ELSE b` is an expression; `{...}` comments are skipped anywhere.
 * Errors are values with the offset of the offending character; the parser never throws.
 */
import type { Equation } from '../model/types.js';
import type { BinaryOp, ChainOp, Expr, IndexExpr, Span } from './ast.js';
import { canonicalName } from './names.js';

export type TokenKind = 'num' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  value?: number;
  start: number;
  end: number;
}

export interface ParseError {
  message: string;
  /** Offset into the equation text. */
  offset: number;
}

export interface ParseResult {
  expr?: Expr;
  error?: ParseError;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'if', 'then', 'else', 'mod']);
const MAX_DEPTH = 400;
/**
 * Bound on the depth of the tree, which also grows along chains like `1 + 1 + ... + 1` (left-deep):
 * the compiler walks trees recursively and V8 refuses deeply nested generated code.
 */
const MAX_TREE_DEPTH = 1000;

/** Character classes by code (the tokenizer runs over every equation of a model, so no regular expressions). */
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const isLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** `c` at `i` is a digit (false past the end). */
const digitAt = (text: string, i: number): boolean => isDigitCode(text.charCodeAt(i));
function isIdentStart(c: number): boolean {
  return isLetterCode(c) || c === 95 || c === 36 || c > 127;
}
function isIdentPart(c: number): boolean {
  return isLetterCode(c) || isDigitCode(c) || c === 95 || c === 36 || c === 46 || c > 127;
}

class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00A0') {
      i++;
      continue;
    }
    if (c === '{') {
      const close = text.indexOf('}', i + 1);
      if (close < 0) throw new LexError('unclosed comment: `{` without `}`', i);
      i = close + 1;
      continue;
    }
    const start = i;
    const code = text.charCodeAt(i);
    if (isDigitCode(code) || (c === '.' && digitAt(text, i + 1))) {
      while (i < n && digitAt(text, i)) i++;
      if (text[i] === '.') {
        i++;
        while (i < n && digitAt(text, i)) i++;
      }
      if (
        (text[i] === 'e' || text[i] === 'E') &&
        (text[i + 1] === '-' || text[i + 1] === '+' || digitAt(text, i + 1))
      ) {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (digitAt(text, j)) {
          i = j;
          while (i < n && digitAt(text, i)) i++;
        }
      }
      const t = text.slice(start, i);
      tokens.push({ kind: 'num', text: t, value: Number(t), start, end: i });
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\') i++;
        i++;
      }
      if (i >= n) throw new LexError('unclosed quoted name', start);
      i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (isIdentStart(code)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      // A trailing '.' belongs to no name (e.g. `a.` is malformed); keep dots only inside.
      while (text[i - 1] === '.' && i - 1 > start) i--;
      tokens.push({ kind: 'ident', text: text.slice(start, i), start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '<>' || two === '==' || two === '!=') {
      tokens.push({ kind: 'op', text: two === '==' ? '=' : two === '!=' ? '<>' : two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '@' && digitAt(text, i + 1)) {
      i++;
      while (i < n && digitAt(text, i)) i++;
      tokens.push({ kind: 'op', text: '@', value: Number(text.slice(start + 1, i)), start, end: i });
      continue;
    }
    if ("+-*/^()[],:<>=!'".includes(c)) {
      tokens.push({ kind: 'op', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    throw new LexError(`unexpected character '${c}'`, i);
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}

class ParseFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** One operand is itself, one operator a binary node, more a flat chain. */
function chainNode(ops: ChainOp[], args: Expr[]): Expr {
  if (ops.length === 0) return args[0]!;
  const span = { start: args[0]!.span.start, end: args[args.length - 1]!.span.end };
  if (ops.length === 1) return { kind: 'binary', op: ops[0]!, left: args[0]!, right: args[1]!, span };
  return { kind: 'chain', ops, args, span };
}

class Parser {
  private pos = 0;
  private depth = 0;
  /** Depth of the tree being built: nesting plus the operators of the chains being extended. */
  private tree = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private isKeyword(t: Token, kw: string): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === kw;
  }
  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.text === op;
  }
  private expectOp(op: string): Token {
    const t = this.peek();
    if (!this.isOp(t, op)) {
      throw new ParseFailure(`expected '${op}' but found ${describe(t)}`, t.start);
    }
    return this.next();
  }

  parseAll(): Expr {
    const e = this.expression();
    const t = this.peek();
    if (t.kind !== 'eof')
      throw new ParseFailure(`unexpected ${describe(t)} after the end of the expression`, t.start);
    return e;
  }

  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) throw new ParseFailure('expression nested too deeply', at);
    this.grow(at);
  }

  private grow(at: number): void {
    if (++this.tree > MAX_TREE_DEPTH) throw new ParseFailure('expression nested too deeply', at);
  }

  expression(): Expr {
    this.enter(this.peek().start);
    try {
      return this.orExpr();
    } finally {
      this.depth--;
      this.tree--;
    }
  }

  private binaryLevel(ops: Record<string, BinaryOp>, sub: () => Expr, keywords = false): Expr {
    let left = sub();
    let chain = 0;
    try {
      for (;;) {
        const t = this.peek();
        const key =
          keywords && t.kind === 'ident' ? t.text.toLowerCase() : t.kind === 'op' ? t.text : undefined;
        const op = key !== undefined ? ops[key] : undefined;
        if (!op) return left;
        this.grow(t.start);
        chain++;
        this.next();
        const right = sub();
        left = { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
      }
    } finally {
      this.tree -= chain;
    }
  }

  private orExpr(): Expr {
    return this.binaryLevel({ or: 'or' }, () => this.andExpr(), true);
  }
  private andExpr(): Expr {
    return this.binaryLevel({ and: 'and' }, () => this.equality(), true);
  }
  private equality(): Expr {
    return this.binaryLevel({ '=': '=', '<>': '<>' }, () => this.relational());
  }
  private relational(): Expr {
    return this.binaryLevel({ '<': '<', '<=': '<=', '>': '>', '>=': '>=' }, () => this.additive());
  }
  private additive(): Expr {
    // A chain of `+`/`-` is one flat node however long: it adds one level to the tree, not one
    // per operator (a 3,000-term sum stays within the depth bound).
    const args = [this.multiplicative()];
    const ops: ChainOp[] = [];
    try {
      for (;;) {
        const t = this.peek();
        if (!this.isOp(t, '+') && !this.isOp(t, '-')) return chainNode(ops, args);
        if (ops.length === 0) this.grow(t.start);
        this.next();
        ops.push(t.text as ChainOp);
        args.push(this.multiplicative());
      }
    } finally {
      if (ops.length) this.tree--;
    }
  }
  private multiplicative(): Expr {
    // `*` and `/` chain flat like `+`/`-`; MOD ends the chain so far and becomes its left operand.
    let args = [this.unary()];
    let ops: ChainOp[] = [];
    let grown = 0;
    try {
      for (;;) {
        const t = this.peek();
        const mod = this.isKeyword(t, 'mod');
        if (!mod && !this.isOp(t, '*') && !this.isOp(t, '/')) return chainNode(ops, args);
        if (mod || ops.length === 0) {
          this.grow(t.start);
          grown++;
        }
        this.next();
        if (mod) {
          const left = chainNode(ops, args);
          const right = this.unary();
          args = [
            { kind: 'binary', op: 'mod', left, right, span: { start: left.span.start, end: right.span.end } },
          ];
          ops = [];
        } else {
          ops.push(t.text as ChainOp);
          args.push(this.unary());
        }
      }
    } finally {
      this.tree -= grown;
    }
  }
  private unary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+') || this.isKeyword(t, 'not') || this.isOp(t, '!')) {
      this.next();
      this.enter(t.start);
      try {
        const arg = this.unary();
        const op = t.text === '-' ? '-' : t.text === '+' ? '+' : 'not';
        return { kind: 'unary', op, arg, span: { start: t.start, end: arg.span.end } };
      } finally {
        this.depth--;
        this.tree--;
      }
    }
    return this.power();
  }
  private power(): Expr {
    const base = this.postfix();
    const t = this.peek();
    if (this.isOp(t, '^')) {
      this.next();
      this.enter(t.start);
      try {
        // Right-associative; the exponent may carry its own sign (`2^-1`).
        const exponent = this.unary();
        return {
          kind: 'binary',
          op: '^',
          left: base,
          right: exponent,
          span: { start: base.span.start, end: exponent.span.end },
        };
      } finally {
        this.depth--;
        this.tree--;
      }
    }
    return base;
  }
  /** `A'`: transposition (XMILE 3.7.1.1), the tightest operator; read as TRANSPOSE(A). */
  private postfix(): Expr {
    let e = this.primary();
    while (this.isOp(this.peek(), "'")) {
      const t = this.next();
      e = {
        kind: 'call',
        name: 'TRANSPOSE',
        key: 'transpose',
        args: [e],
        span: { start: e.span.start, end: t.end },
      };
    }
    return e;
  }

  private primary(): Expr {
    let t = this.peek();
    if (t.kind === 'num') {
      this.next();
      return { kind: 'num', value: t.value!, span: { start: t.start, end: t.end } };
    }
    if (this.isOp(t, '(')) {
      this.next();
      const e = this.expression();
      const close = this.expectOp(')');
      return { ...e, span: { start: t.start, end: close.end } } as Expr;
    }
    if (this.isKeyword(t, 'if')) return this.ifExpr();
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      // `mod` where an operand is expected is a name (a variable may be called `mod`), or MOD(a, b).
      if (KEYWORDS.has(lower) && lower !== 'mod') {
        throw new ParseFailure(`unexpected keyword '${t.text}'`, t.start);
      }
      this.next();
      // Names with blanks (as Vensim writes them, and converters leave them): join consecutive words.
      let name = t.text;
      let end = t.end;
      for (;;) {
        const w = this.peek();
        if (w.kind !== 'ident' || KEYWORDS.has(w.text.toLowerCase()) || w.text.startsWith('"')) break;
        name += ' ' + w.text;
        end = w.end;
        this.next();
      }
      if (end !== t.end) t = { ...t, text: name, end };
      const key = canonicalName(t.text);
      const after = this.peek();
      if (this.isOp(after, '(')) {
        this.next();
        const args: Expr[] = [];
        if (!this.isOp(this.peek(), ')')) {
          for (;;) {
            args.push(this.expression());
            if (this.isOp(this.peek(), ',')) {
              this.next();
              continue;
            }
            break;
          }
        }
        const close = this.expectOp(')');
        return { kind: 'call', name: t.text, key, args, span: { start: t.start, end: close.end } };
      }
      if (this.isOp(after, '[')) {
        this.next();
        const indices: IndexExpr[] = [];
        for (;;) {
          indices.push(this.index());
          if (this.isOp(this.peek(), ',')) {
            this.next();
            continue;
          }
          break;
        }
        const close = this.expectOp(']');
        return { kind: 'subscript', name: t.text, key, indices, span: { start: t.start, end: close.end } };
      }
      return { kind: 'ref', name: t.text, key, span: { start: t.start, end: t.end } };
    }
    if (t.kind === 'eof') throw new ParseFailure('unexpected end of equation', t.start);
    throw new ParseFailure(`unexpected ${describe(t)}`, t.start);
  }

  private index(): IndexExpr {
    const t = this.peek();
    if (this.isOp(t, '*')) {
      this.next();
      const colon = this.peek();
      const dim = this.tokens[this.pos + 1]!;
      if (this.isOp(colon, ':') && dim.kind === 'ident') {
        this.pos += 2;
        return { kind: 'wildcard', dim: dim.text, span: { start: t.start, end: dim.end } };
      }
      return { kind: 'wildcard', span: { start: t.start, end: t.end } };
    }
    if (this.isOp(t, '@')) {
      this.next();
      return { kind: 'position', n: t.value!, span: { start: t.start, end: t.end } };
    }
    const low = this.expression();
    if (this.isOp(this.peek(), ':')) {
      this.next();
      const high = this.expression();
      return { kind: 'range', low, high, span: { start: low.span.start, end: high.span.end } };
    }
    return low;
  }

  private ifExpr(): Expr {
    const t = this.next();
    const cond = this.expression();
    const th = this.peek();
    if (!this.isKeyword(th, 'then'))
      throw new ParseFailure(`expected THEN but found ${describe(th)}`, th.start);
    this.next();
    const a = this.expression();
    const el = this.peek();
    if (!this.isKeyword(el, 'else'))
      throw new ParseFailure(`expected ELSE but found ${describe(el)}`, el.start);
    this.next();
    const b = this.expression();
    return { kind: 'if', cond, then: a, else: b, span: { start: t.start, end: b.span.end } };
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the equation';
  return `'${t.text}'`;
}

/** Parse one equation. Empty text is an error. */
export function parseEquation(text: string): ParseResult {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 1) return { error: { message: 'empty equation', offset: 0 } };
    const expr = new Parser(tokens).parseAll();
    return { expr };
  } catch (err) {
    if (err instanceof LexError || err instanceof ParseFailure) {
      return { error: { message: err.message, offset: err.offset } };
    }
    if (err instanceof RangeError) return { error: { message: 'expression nested too deeply', offset: 0 } };
    return { error: { message: `cannot parse: ${(err as Error).message}`, offset: 0 } };
  }
}

/**
 * The parse of a model's equation, made once per `Equation` object and kept beside it for as long
 * as the model holds it: lowering, the units check, loop polarity and the editor all read the
 * same tree, so a model that is compiled, checked and searched for loops parses each equation
 * once. An edit makes a new `Equation` (edit/edit.ts), and a text changed in place is parsed
 * again, so a kept tree always belongs to the text beside it. Trees are shared: never mutate one.
 */
export function parsedEquation(eqn: Equation): ParseResult {
  const kept = parses.get(eqn);
  if (kept && kept.text === eqn.text) return kept.result;
  const result = parseEquation(eqn.text);
  parses.set(eqn, { text: eqn.text, result });
  return result;
}
const parses = new WeakMap<Equation, { text: string; result: ParseResult }>();

export function spanText(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}
