/** Equation syntax tree. Every node keeps its span (offsets into the equation text). */

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp =
  '+' | '-' | '*' | '/' | '^' | 'mod' | '<' | '<=' | '>' | '>=' | '=' | '<>' | 'and' | 'or';

export type UnaryOp = '-' | '+' | 'not';

/** Operators that chain left to right at one precedence level: `a + b - c`, `a * b / c`. */
export type ChainOp = '+' | '-' | '*' | '/';

/**
 * A subscript position: an expression (element, dimension name or number), `*` (or `*:Dim`, a
 * wildcard naming the dimension it spans), a range, or `@n` (the n-th dimension of the variable
 * being defined, XMILE 3.7.1.1).
 */
export type IndexExpr =
  | Expr
  | { kind: 'wildcard'; dim?: string; span: Span }
  | { kind: 'range'; low: Expr; high: Expr; span: Span }
  | { kind: 'position'; n: number; span: Span };

export type Expr =
  | { kind: 'num'; value: number; span: Span }
  /** A name; `key` is its canonical form (see names.ts). */
  | { kind: 'ref'; name: string; key: string; span: Span }
  /** `name[i, j]` */
  | { kind: 'subscript'; name: string; key: string; indices: IndexExpr[]; span: Span }
  /** `NAME(args)`: a builtin, a graphical function, a macro. `key` is canonical. */
  | { kind: 'call'; name: string; key: string; args: Expr[]; span: Span }
  | { kind: 'unary'; op: UnaryOp; arg: Expr; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
  /**
   * Two or more operators of one level (`+`/`-`, or `*`/`/`) applied left to right: `a - b + c`
   * is `(a - b) + c`, `ops[i]` joining the value so far to `args[i + 1]`. Flat, so a sum of 3,000
   * terms is one node, not a tree 3,000 levels deep.
   */
  | { kind: 'chain'; ops: ChainOp[]; args: Expr[]; span: Span }
  | { kind: 'if'; cond: Expr; then: Expr; else: Expr; span: Span };

export function isIndexWildcard(i: IndexExpr): i is { kind: 'wildcard'; span: Span } {
  return i.kind === 'wildcard';
}

/** Visit every expression node (pre-order), including subscript index expressions. */
export function walk(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.kind) {
    case 'subscript':
      for (const i of e.indices) {
        if (i.kind === 'wildcard' || i.kind === 'position') continue;
        if (i.kind === 'range') {
          walk(i.low, visit);
          walk(i.high, visit);
        } else walk(i, visit);
      }
      break;
    case 'call':
      for (const a of e.args) walk(a, visit);
      break;
    case 'unary':
      walk(e.arg, visit);
      break;
    case 'binary':
      walk(e.left, visit);
      walk(e.right, visit);
      break;
    case 'chain':
      for (const a of e.args) walk(a, visit);
      break;
    case 'if':
      walk(e.cond, visit);
      walk(e.then, visit);
      walk(e.else, visit);
      break;
    default:
      break;
  }
}

/** The span of a chain's first `n` operands (the left operand of its `n - 1`-th operator). */
export function chainPrefixSpan(e: Extract<Expr, { kind: 'chain' }>, n: number): Span {
  return { start: e.args[0]!.span.start, end: e.args[n - 1]!.span.end };
}

/** Apply a chain operator to two numbers (the one arithmetic of a chain's fold). */
export function applyChainOp(op: ChainOp, a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}
