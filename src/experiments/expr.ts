/**
 * A tiny, safe expression language for selecting runs, e.g.
 *   peak_troops > 20000 and casualties < 5000
 * Numbers, names, + - * /, comparisons (< <= > >= == !=), and/or/not (also && || !), parentheses.
 * Parsed into a tree and compiled to closures over columns: no eval, no access to anything but
 * the names the caller provides. Booleans are 1 and 0.
 */

export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    message: string,
    readonly position: number,
    readonly source: string,
  ) {
    super(`${message} at position ${position + 1} in '${source}'`);
  }
}

type Token =
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'name'; value: string; pos: number }
  | { kind: 'op'; value: string; pos: number }
  | { kind: 'end'; pos: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), pos: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (name) {
      const word = name[0];
      const lower = word.toLowerCase();
      if (lower === 'and' || lower === 'or' || lower === 'not')
        tokens.push({ kind: 'op', value: lower, pos: i });
      else tokens.push({ kind: 'name', value: word, pos: i });
      i += word.length;
      continue;
    }
    const op = /^(<=|>=|==|!=|&&|\|\||[<>=!+\-*/()])/.exec(source.slice(i));
    if (op) {
      const value = { '&&': 'and', '||': 'or', '!': 'not', '=': '==' }[op[0]] ?? op[0];
      tokens.push({ kind: 'op', value, pos: i });
      i += op[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected character '${c}'`, i, source);
  }
  tokens.push({ kind: 'end', pos: source.length });
  return tokens;
}

/** Returns the value of the expression for one row. */
export type RowFunction = (row: number) => number;
/** Maps a name to a per-row accessor, or undefined when the name is unknown. */
export type NameResolver = (name: string) => RowFunction | undefined;

export interface CompiledExpression {
  source: string;
  names: string[];
  evaluate: RowFunction;
}

export function compileExpression(
  source: string,
  resolve: NameResolver,
  known: () => string[] = () => [],
): CompiledExpression {
  const tokens = tokenize(source);
  let p = 0;
  const names = new Set<string>();
  const peek = (): Token => tokens[p];
  const isOp = (value: string): boolean => {
    const t = peek();
    return t.kind === 'op' && t.value === value;
  };
  const expect = (value: string): void => {
    if (!isOp(value)) throw new ExpressionError(`expected '${value}'`, peek().pos, source);
    p++;
  };

  const parseOr = (): RowFunction => {
    let left = parseAnd();
    while (isOp('or')) {
      p++;
      const l = left;
      const r = parseAnd();
      left = (row) => (l(row) || r(row) ? 1 : 0);
    }
    return left;
  };
  const parseAnd = (): RowFunction => {
    let left = parseNot();
    while (isOp('and')) {
      p++;
      const l = left;
      const r = parseNot();
      left = (row) => (l(row) && r(row) ? 1 : 0);
    }
    return left;
  };
  const parseNot = (): RowFunction => {
    if (isOp('not')) {
      p++;
      const inner = parseNot();
      return (row) => (inner(row) ? 0 : 1);
    }
    return parseComparison();
  };
  const comparisons: Record<string, (a: number, b: number) => boolean> = {
    '<': (a, b) => a < b,
    '<=': (a, b) => a <= b,
    '>': (a, b) => a > b,
    '>=': (a, b) => a >= b,
    '==': (a, b) => a === b,
    '!=': (a, b) => a !== b,
  };
  const parseComparison = (): RowFunction => {
    const left = parseSum();
    const t = peek();
    if (t.kind === 'op' && comparisons[t.value]) {
      p++;
      const compare = comparisons[t.value];
      const right = parseSum();
      return (row) => (compare(left(row), right(row)) ? 1 : 0);
    }
    return left;
  };
  const parseSum = (): RowFunction => {
    let left = parseProduct();
    while (isOp('+') || isOp('-')) {
      const op = (peek() as { value: string }).value;
      p++;
      const l = left;
      const r = parseProduct();
      left = op === '+' ? (row) => l(row) + r(row) : (row) => l(row) - r(row);
    }
    return left;
  };
  const parseProduct = (): RowFunction => {
    let left = parseUnary();
    while (isOp('*') || isOp('/')) {
      const op = (peek() as { value: string }).value;
      p++;
      const l = left;
      const r = parseUnary();
      left = op === '*' ? (row) => l(row) * r(row) : (row) => l(row) / r(row);
    }
    return left;
  };
  const parseUnary = (): RowFunction => {
    if (isOp('-')) {
      p++;
      const inner = parseUnary();
      return (row) => -inner(row);
    }
    return parsePrimary();
  };
  const parsePrimary = (): RowFunction => {
    const t = peek();
    if (t.kind === 'number') {
      p++;
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'name') {
      p++;
      const accessor = resolve(t.value);
      if (!accessor) {
        const list = known();
        throw new ExpressionError(
          `unknown name '${t.value}'${list.length ? ` (known: ${list.join(', ')})` : ''}`,
          t.pos,
          source,
        );
      }
      names.add(t.value);
      return accessor;
    }
    if (isOp('(')) {
      p++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    throw new ExpressionError(
      t.kind === 'end' ? 'unexpected end of expression' : `unexpected '${t.value}'`,
      t.pos,
      source,
    );
  };

  const evaluate = parseOr();
  if (peek().kind !== 'end')
    throw new ExpressionError(`unexpected '${(peek() as { value: unknown }).value}'`, peek().pos, source);
  return { source, names: [...names], evaluate };
}
