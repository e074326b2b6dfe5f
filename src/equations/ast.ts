/** Equation syntax tree. Every node keeps its span (offsets into the equation text). */

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp =
  '+' | '-' | '*' | '/' | '^' | 'mod' | '<' | '<=' | '>' | '>=' | '=' | '<>' | 'and' | 'or';

export type UnaryOp = '-' | '+' | 'not';

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
    case 'if':
      walk(e.cond, visit);
      walk(e.then, visit);
      walk(e.else, visit);
      break;
    default:
      break;
  }
}
