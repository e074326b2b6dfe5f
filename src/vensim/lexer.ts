/**
 * Tokens of Vensim's equation language. Positions are offsets into the whole file, so a
 * diagnostic can always name the line and column. Line continuations (`\` before a line end)
 * and `{...}` comments (which nest) are skipped like blanks, so the file text is never rewritten.
 */

export type VTokenKind = 'num' | 'name' | 'str' | 'kw' | 'op' | 'eof';

export interface VToken {
  kind: VTokenKind;
  /** name: the name as written, unquoted, blanks collapsed; kw: upper-case without colons; else the text. */
  text: string;
  quoted?: boolean;
  value?: number;
  start: number;
  end: number;
}

export class VensimSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** `:KEYWORD:` tokens of the language (compared without case). */
const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'NA',
  'EXCEPT',
  'INTERPOLATE',
  'RAW',
  'HOLD BACKWARD',
  'LOOK FORWARD',
  'IS',
  'THE CONDITION',
  'TEST INPUT',
  'IMPLIES',
  'MACRO',
  'END OF MACRO',
]);

const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** Character tests, with an ASCII fast path (the regular expressions only for other characters). */
const isNameStart = (ch: string): boolean => {
  const c = ch.charCodeAt(0);
  if (c < 128) return isAsciiLetter(c) || c === 95;
  return /[\p{L}]/u.test(ch);
};
const isNamePart = (ch: string): boolean => {
  const c = ch.charCodeAt(0);
  if (c < 128)
    return (
      isAsciiLetter(c) ||
      isDigit(c) ||
      c === 95 ||
      c === 32 ||
      c === 9 ||
      c === 36 ||
      c === 39 ||
      c === 38 ||
      c === 37
    );
  return c === 0xa0 || /[\p{L}\p{N}]/u.test(ch);
};

/** If a line continuation (`\`, optional blanks, a line end) starts at i, the offset after it. */
function continuation(text: string, i: number): number | undefined {
  if (text[i] !== '\\') return undefined;
  let j = i + 1;
  while (text[j] === ' ' || text[j] === '\t') j++;
  if (text[j] === '\r' && text[j + 1] === '\n') return j + 2;
  if (text[j] === '\n' || text[j] === '\r') return j + 1;
  return undefined;
}

/** Skip blanks, continuations and comments from i; returns the next offset. */
export function skipBlank(text: string, i: number, end: number): number {
  for (;;) {
    if (i >= end) return end;
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00A0' || c === '\uFEFF') {
      i++;
      continue;
    }
    const k = continuation(text, i);
    if (k !== undefined) {
      i = k;
      continue;
    }
    if (c === '{') {
      i = skipComment(text, i, end);
      continue;
    }
    return i;
  }
}

/** Offset after the (possibly nested) comment opening at i. */
export function skipComment(text: string, i: number, end: number): number {
  let depth = 0;
  const start = i;
  for (; i < end; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new VensimSyntaxError('unclosed comment: `{` without `}`', start);
}

/** Normalise a name's blanks: runs of spaces, tabs and continuations become one space. */
export function collapse(name: string): string {
  return name
    .replace(/\\[ \t]*(\r\n|\r|\n)[ \t]*/g, ' ')
    .replace(/[\s\u00A0]+/g, ' ')
    .trim();
}

/** Tokenize text[start, end). Throws VensimSyntaxError with the offset of a bad character. */
export function tokenize(text: string, start: number, end: number): VToken[] {
  const out: VToken[] = [];
  let i = start;
  for (;;) {
    i = skipBlank(text, i, end);
    if (i >= end) break;
    const c = text[i]!;
    const s = i;
    const code = text.charCodeAt(i);
    if (isDigit(code) || (c === '.' && isDigit(text.charCodeAt(i + 1)))) {
      let j = i;
      while (j < end && isDigit(text.charCodeAt(j))) j++;
      if (text[j] === '.') {
        j++;
        while (j < end && isDigit(text.charCodeAt(j))) j++;
      }
      if ((text[j] === 'e' || text[j] === 'E') && j + 1 < end) {
        let k = j + 1;
        if (text[k] === '+' || text[k] === '-') k++;
        if (isDigit(text.charCodeAt(k))) {
          while (k < end && isDigit(text.charCodeAt(k))) k++;
          j = k;
        }
      }
      const t = text.slice(i, j);
      i = j;
      out.push({ kind: 'num', text: t, value: Number(t), start: s, end: i });
      continue;
    }
    if (c === '"') {
      i++;
      let name = '';
      while (i < end && text[i] !== '"') {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          name += text[i + 1];
          i += 2;
          continue;
        }
        name += text[i];
        i++;
      }
      if (i >= end) throw new VensimSyntaxError('unclosed quoted name', s);
      i++;
      out.push({ kind: 'name', text: name.replace(/\s+/g, ' ').trim(), quoted: true, start: s, end: i });
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0 || close >= end) throw new VensimSyntaxError("unclosed string: ' without '", s);
      out.push({ kind: 'str', text: text.slice(i + 1, close), start: s, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (c === ':') {
      const m = /^:([A-Za-z][A-Za-z ]*):/.exec(text.slice(i, Math.min(end, i + 40)));
      if (m && KEYWORDS.has(m[1]!.trim().replace(/\s+/g, ' ').toUpperCase())) {
        i += m[0].length;
        out.push({ kind: 'kw', text: m[1]!.trim().replace(/\s+/g, ' ').toUpperCase(), start: s, end: i });
        continue;
      }
    }
    if (isNameStart(c)) {
      let j = i + 1;
      let last = j;
      for (;;) {
        if (j >= end) break;
        if (text.charCodeAt(j) === 92) {
          const k = continuation(text, j);
          if (k !== undefined) {
            j = k;
            continue;
          }
        }
        if (text.charCodeAt(j) !== 92 || continuation(text, j) === undefined) {
          if (!isNamePart(text[j]!)) break;
        }
        if (text[j] !== ' ' && text[j] !== '\t' && text[j] !== '\u00A0') last = j + 1;
        j++;
      }
      i = last;
      out.push({ kind: 'name', text: collapse(text.slice(s, last)), start: s, end: last });
      continue;
    }
    const three = text.slice(i, i + 3);
    if (three === '<->') {
      out.push({ kind: 'op', text: three, start: s, end: i + 3 });
      i += 3;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['->', '<=', '>=', '<>', '==', ':='].includes(two)) {
      out.push({ kind: 'op', text: two, start: s, end: i + 2 });
      i += 2;
      continue;
    }
    if ('+-*/^()[],=<>!;:?'.includes(c)) {
      out.push({ kind: 'op', text: c, start: s, end: i + 1 });
      i++;
      continue;
    }
    throw new VensimSyntaxError(`unexpected character '${c}'`, s);
  }
  out.push({ kind: 'eof', text: '', start: end, end });
  return out;
}
