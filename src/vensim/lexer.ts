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
  quoted: boolean;
  /** num: the value (0 for other kinds). */
  value: number;
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

/** If a line continuation (`\\`, optional blanks, a line end) starts at i, the offset after it. */
function continuation(text: string, i: number): number | undefined {
  if (text.charCodeAt(i) !== 92) return undefined;
  let j = i + 1;
  let c = text.charCodeAt(j);
  while (c === 32 || c === 9) c = text.charCodeAt(++j);
  if (c === 13) return text.charCodeAt(j + 1) === 10 ? j + 2 : j + 1;
  if (c === 10) return j + 1;
  return undefined;
}

/** Skip blanks, continuations and comments from i; returns the next offset. */
export function skipBlank(text: string, i: number, end: number): number {
  for (;;) {
    if (i >= end) return end;
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 92) {
      const k = continuation(text, i);
      if (k !== undefined) {
        i = k;
        continue;
      }
    }
    if (c === 123) {
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
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125) {
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

const token = (kind: VTokenKind, text: string, start: number, end: number, value = 0): VToken => ({
  kind,
  text,
  quoted: false,
  value,
  start,
  end,
});

/** Operators of one character, by character code. */
const SINGLE = new Set([...'+-*/^()[],=<>!;:?'].map((c) => c.charCodeAt(0)));
const PAIRS = new Set(['->', '<=', '>=', '<>', '==', ':=']);

/**
 * Tokenize text[start, end). Throws VensimSyntaxError with the offset of a bad character. Every
 * token has the same shape (the parser's property reads stay monomorphic), and a name is sliced
 * from the text as it stands unless it holds blanks to collapse.
 */
export function tokenize(text: string, start: number, end: number): VToken[] {
  const out: VToken[] = [];
  let i = start;
  for (;;) {
    i = skipBlank(text, i, end);
    if (i >= end) break;
    const s = i;
    const code = text.charCodeAt(i);
    if (isDigit(code) || (code === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i;
      while (j < end && isDigit(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 46) {
        j++;
        while (j < end && isDigit(text.charCodeAt(j))) j++;
      }
      const e = text.charCodeAt(j);
      if ((e === 101 || e === 69) && j + 1 < end) {
        let k = j + 1;
        const sign = text.charCodeAt(k);
        if (sign === 43 || sign === 45) k++;
        if (isDigit(text.charCodeAt(k))) {
          while (k < end && isDigit(text.charCodeAt(k))) k++;
          j = k;
        }
      }
      const t = text.slice(i, j);
      i = j;
      out.push(token('num', t, s, i, Number(t)));
      continue;
    }
    if (code === 34) {
      i++;
      let name = '';
      while (i < end && text.charCodeAt(i) !== 34) {
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
      const tok = token('name', name.replace(/\s+/g, ' ').trim(), s, i);
      tok.quoted = true;
      out.push(tok);
      continue;
    }
    if (code === 39) {
      const close = text.indexOf("'", i + 1);
      if (close < 0 || close >= end) throw new VensimSyntaxError("unclosed string: ' without '", s);
      out.push(token('str', text.slice(i + 1, close), s, close + 1));
      i = close + 1;
      continue;
    }
    if (code === 58) {
      const m = /^:([A-Za-z][A-Za-z ]*):/.exec(text.slice(i, Math.min(end, i + 40)));
      if (m && KEYWORDS.has(m[1]!.trim().replace(/\s+/g, ' ').toUpperCase())) {
        i += m[0].length;
        out.push(token('kw', m[1]!.trim().replace(/\s+/g, ' ').toUpperCase(), s, i));
        continue;
      }
    }
    if (code < 128 ? isAsciiLetter(code) || code === 95 : isNameStart(text[i]!)) {
      let j = i + 1;
      let last = j;
      // Whether the name holds anything but single spaces between its words.
      let messy = false;
      let prevSpace = false;
      for (;;) {
        if (j >= end) break;
        const c = text.charCodeAt(j);
        if (c === 92) {
          const k = continuation(text, j);
          if (k !== undefined) {
            j = k;
            messy = true;
            continue;
          }
        }
        if (c === 32) {
          if (prevSpace) messy = true;
          prevSpace = true;
          j++;
          continue;
        }
        prevSpace = false;
        if (c < 128) {
          if (c === 9) {
            messy = true;
            j++;
            continue;
          }
          if (!(isAsciiLetter(c) || isDigit(c) || c === 95 || c === 36 || c === 39 || c === 38 || c === 37))
            break;
        } else if (!isNamePart(text[j]!)) break;
        else if (c === 0xa0) {
          messy = true;
          j++;
          continue;
        }
        last = j + 1;
        j++;
      }
      i = last;
      const raw = text.slice(s, last);
      out.push(token('name', messy ? collapse(raw) : raw, s, last));
      continue;
    }
    if (code === 60 && text.charCodeAt(i + 1) === 45 && text.charCodeAt(i + 2) === 62) {
      out.push(token('op', '<->', s, i + 3));
      i += 3;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PAIRS.has(two)) {
      out.push(token('op', two, s, i + 2));
      i += 2;
      continue;
    }
    if (SINGLE.has(code)) {
      out.push(token('op', text[i]!, s, i + 1));
      i++;
      continue;
    }
    throw new VensimSyntaxError(`unexpected character '${text[i]}'`, s);
  }
  out.push(token('eof', '', end, end));
  return out;
}
