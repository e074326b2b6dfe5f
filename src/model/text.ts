/**
 * Text as read from files: strict UTF-8 (an invalid byte is an error with its line and column,
 * never a silent U+FFFD), an optional byte-order mark dropped, and the one rule for characters
 * that are invisible or reorder text (controls, bidi controls, zero-width characters), which names
 * and ids may not contain. Node-free.
 */

export interface TextPosition {
  line: number;
  column: number;
}

export type DecodeResult =
  { ok: true; text: string } | { ok: false; message: string; line: number; column: number };

const BOM = '\uFEFF';

/** Line and column (1-based, in characters) of character offset `offset` of `text`. */
export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Maps UTF-16 offsets to 1-based line and column; CRLF, CR and LF each end one line. One map for
 * every reader (XML, Vensim): the line starts are found once, a position by binary search.
 */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    if (text.indexOf('\r') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  position(offset: number): TextPosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

/** Decode bytes as UTF-8, refusing invalid sequences with their position; a leading BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return { ok: true, text: text.startsWith(BOM) ? text.slice(1) : text };
  } catch {
    const bad = firstInvalidByte(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const pos = positionOf(before, before.length);
    const hex = bad < bytes.length ? `0x${bytes[bad]!.toString(16).padStart(2, '0')}` : 'the end of the file';
    return { ok: false, message: `invalid UTF-8 (byte ${hex} at byte offset ${bad})`, ...pos };
  }
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence (bytes.length if none). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0; // no overlong forms
      if (b === 0xed) hi = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c === undefined || c < min || c > max) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

/** Drop a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/**
 * The first character of `text` that a name or id may not contain: C0 and C1 controls, DEL,
 * bidi controls (embeddings, overrides, isolates, marks) and zero-width characters (spaces,
 * joiners, word joiner, BOM). With `freeText`, tabs and line breaks are allowed, and so are the
 * zero-width joiners some scripts and emoji need; bidi controls never are.
 */
export function findUnsafeCharacter(
  text: string,
  options: { freeText?: boolean } = {},
): { index: number; code: number; what: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let what: string | undefined;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) {
      if (!(options.freeText && (c === 9 || c === 10 || c === 13))) what = 'a control character';
    } else if (
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0x200e ||
      c === 0x200f ||
      c === 0x061c
    ) {
      what = 'a bidirectional-text control';
    } else if (
      c === 0x200b ||
      c === 0x2060 ||
      c === 0xfeff ||
      ((c === 0x200c || c === 0x200d) && !options.freeText)
    ) {
      what = 'a zero-width character';
    }
    if (what) return { index: i, code: c, what };
  }
  return undefined;
}

/** "U+202E (a bidirectional-text control) at character 4" for messages. */
export function describeUnsafe(found: { index: number; code: number; what: string }): string {
  return `U+${found.code.toString(16).toUpperCase().padStart(4, '0')} (${found.what}) at character ${found.index + 1}`;
}
