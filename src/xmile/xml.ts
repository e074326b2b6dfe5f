/**
 * A small, strict, non-validating XML parser that remembers where everything came from.
 *
 * Why our own: the reader must run in the browser and in Node without dependencies, must report
 * FILE:LINE:COL for every problem, and must never expand DOCTYPE entities (a "billion laughs"
 * document has to fail fast instead of eating memory). The parser is iterative (no recursion),
 * stops at the first error and reports it as a diagnostic; it never throws to its caller.
 *
 * Supported: XML declaration and processing instructions (skipped), comments, CDATA, namespaced
 * names kept as written (`isee:prefs`), attributes with either quote, the five predefined entities
 * and numeric character references, CR / LF / CRLF line endings (normalised to LF in text, as XML
 * requires), a leading UTF-8 byte order mark, and a DOCTYPE without entity declarations (ignored).
 */
import type { Diagnostic } from '../model/types.js';
import { LineMap } from '../model/text.js';

export interface XmlPosition {
  line: number;
  column: number;
}

export interface XmlAttribute extends XmlPosition {
  /** Name as written, prefix included (`isee:save_interval`). */
  name: string;
  /** Decoded value (entities expanded, literal whitespace characters normalised to spaces). */
  value: string;
  /** Position of the first character of the value (just after the opening quote). */
  valueLine: number;
  valueColumn: number;
}

export interface XmlText extends XmlPosition {
  kind: 'text';
  /** Decoded text; line endings normalised to LF. */
  text: string;
  cdata: boolean;
}

export interface XmlElement extends XmlPosition {
  kind: 'element';
  /** Name as written, prefix included. */
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

export type XmlNode = XmlElement | XmlText;

export interface XmlParseResult {
  root?: XmlElement;
  diagnostics: Diagnostic[];
}

export interface XmlParseOptions {
  file?: string;
  /** Deepest element nesting accepted (default 1000). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 1000;

const PREDEFINED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  apos: "'",
  quot: '"',
};

/** Raised inside the parser only; turned into a diagnostic by `parseXml`. */
class XmlFailure {
  constructor(
    readonly code: 'xml-malformed' | 'xml-entity',
    readonly message: string,
    readonly offset: number,
  ) {}
}

export { LineMap };

const NAME_RE = /[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7-\uFFFF]*/y;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Characters XML 1.0 allows in a document (surrogate pairs are checked as pairs). */
function isAllowedCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function describeChar(c: string | undefined): string {
  if (c === undefined) return 'end of input';
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${c}'`;
}

class Parser {
  private pos = 0;
  private readonly stack: XmlElement[] = [];
  private root?: XmlElement;

  constructor(
    private readonly src: string,
    private readonly lines: LineMap,
    private readonly maxDepth: number,
  ) {}

  private fail(message: string, offset = this.pos, code: XmlFailure['code'] = 'xml-malformed'): never {
    throw new XmlFailure(code, message, offset);
  }

  private at(offset: number): XmlPosition {
    return this.lines.position(offset);
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && isSpace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  private readName(what: string): string {
    NAME_RE.lastIndex = this.pos;
    const m = NAME_RE.exec(this.src);
    if (!m) this.fail(`expected ${what} but found ${describeChar(this.src[this.pos])}`);
    this.checkChars(this.pos, this.pos + m[0].length);
    this.pos += m[0].length;
    return m[0];
  }

  /** Checks that a run of raw characters contains only characters XML allows. */
  private checkChars(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const c = this.src.charCodeAt(i);
      if (c >= 0x20 && c < 0xd800) continue;
      if (c === 9 || c === 10 || c === 13) continue;
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = this.src.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          continue;
        }
        this.fail('unpaired surrogate character', i);
      }
      if (!isAllowedCodePoint(c)) this.fail(`${describeChar(this.src[i])} is not allowed in XML`, i);
    }
  }

  parse(): XmlElement {
    if (this.src.length === 0 || /^\s*$/.test(this.src)) this.fail('empty document: no root element', 0);
    if (this.startsWith('<?xml') && isSpaceOrEnd(this.src, 5)) this.skipPi(true);
    // Prolog: whitespace, comments, PIs, at most one DOCTYPE.
    let sawDoctype = false;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) this.fail('no root element', this.pos);
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<?')) this.skipPi(false);
      else if (this.startsWith('<!DOCTYPE')) {
        if (sawDoctype || this.root) this.fail('unexpected second DOCTYPE');
        sawDoctype = true;
        this.skipDoctype();
      } else if (this.src[this.pos] === '<') {
        if (this.startsWith('</')) this.fail('closing tag before any element was opened');
        if (this.startsWith('<!')) this.fail('unexpected markup before the root element');
        break;
      } else this.fail(`text before the root element: ${describeChar(this.src[this.pos])}`);
    }
    this.parseContent();
    // Epilogue: only whitespace, comments and PIs may follow the root.
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) break;
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<?')) this.skipPi(false);
      else this.fail('content after the root element has been closed');
    }
    return this.root!;
  }

  private skipComment(): void {
    const start = this.pos;
    const end = this.src.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unclosed comment (missing -->)', start);
    this.checkChars(this.pos + 4, end);
    this.pos = end + 3;
  }

  private skipPi(isDeclaration: boolean): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.readName('a processing-instruction target');
    if (!isDeclaration && target.toLowerCase() === 'xml') {
      this.fail('the XML declaration is only allowed at the very start of the document', start);
    }
    const end = this.src.indexOf('?>', this.pos);
    if (end < 0) this.fail(`unclosed processing instruction <?${target}`, start);
    this.checkChars(this.pos, end);
    this.pos = end + 2;
  }

  /**
   * Skips a DOCTYPE. Entity declarations are refused outright (nothing is ever expanded), which
   * is what defeats entity-expansion bombs; other declarations are skipped.
   */
  private skipDoctype(): void {
    const start = this.pos;
    this.pos += '<!DOCTYPE'.length;
    let quote = '';
    let inSubset = false;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (this.startsWith('<!--')) {
        this.skipComment();
        continue;
      } else if (inSubset && this.startsWith('<!ENTITY')) {
        this.fail(
          'the DOCTYPE declares an entity; entities from a DOCTYPE are never expanded',
          this.pos,
          'xml-entity',
        );
      } else if (c === '[') inSubset = true;
      else if (c === ']') inSubset = false;
      else if (c === '>' && !inSubset) {
        this.pos++;
        return;
      }
      this.pos++;
    }
    this.fail('unclosed DOCTYPE', start);
  }

  /** Decodes entity and character references in raw[from,to) of the source. */
  private decode(from: number, to: number, normaliseWhitespace: boolean): string {
    const segment = this.src.slice(from, to);
    // Fast path: most runs have neither references nor carriage returns.
    if (segment.indexOf('&') < 0 && segment.indexOf('\r') < 0) {
      return normaliseWhitespace ? segment.replace(/[\t\n]/g, ' ') : segment;
    }
    let out = '';
    let i = from;
    let runStart = from;
    const flush = (end: number): void => {
      if (end <= runStart) return;
      let raw = this.src.slice(runStart, end);
      raw = raw.replace(/\r\n?/g, '\n');
      if (normaliseWhitespace) raw = raw.replace(/[\t\n]/g, ' ');
      out += raw;
    };
    while (i < to) {
      const found = segment.indexOf('&', i - from);
      if (found < 0) break;
      const amp = from + found;
      flush(amp);
      const semiInSegment = segment.indexOf(';', found + 1);
      const semi = semiInSegment < 0 ? -1 : from + semiInSegment;
      const ref = semi < 0 ? '' : this.src.slice(amp + 1, semi);
      if (
        semi < 0 ||
        semi - amp > 40 ||
        !/^(#x?[0-9A-Za-z]+|[A-Za-z_:\u00C0-\uFFFF][\w:.\-\u00B7-\uFFFF]*)$/.test(ref)
      ) {
        this.fail("'&' must start an entity or character reference like &amp;", amp);
      }
      if (ref.startsWith('#')) {
        const isHex = ref[1] === 'x';
        const digits = ref.slice(isHex ? 2 : 1);
        const valid = isHex ? /^[0-9A-Fa-f]+$/.test(digits) : /^[0-9]+$/.test(digits);
        const cp = valid ? parseInt(digits, isHex ? 16 : 10) : NaN;
        if (!valid || !isAllowedCodePoint(cp)) this.fail(`invalid character reference &${ref};`, amp);
        out += String.fromCodePoint(cp);
      } else {
        const value = PREDEFINED_ENTITIES[ref];
        if (value === undefined) {
          const shown = ref.length > 20 ? `${ref.slice(0, 20)}...` : ref;
          this.fail(
            `reference to undefined entity &${shown}; (only the five XML entities are known)`,
            amp,
            'xml-entity',
          );
        }
        out += value;
      }
      i = semi + 1;
      runStart = i;
    }
    flush(to);
    return out;
  }

  private addChild(node: XmlNode): void {
    this.stack[this.stack.length - 1]!.children.push(node);
  }

  /** Parses the root element and everything inside it, iteratively. */
  private parseContent(): void {
    do {
      const c = this.src[this.pos];
      if (c === undefined) {
        const open = this.stack[this.stack.length - 1]!;
        this.fail(`unclosed element <${open.name}> (opened at line ${open.line}, column ${open.column})`);
      }
      if (c === '<') {
        if (this.startsWith('</')) this.parseEndTag();
        else if (this.startsWith('<!--')) this.skipComment();
        else if (this.startsWith('<![CDATA[')) this.parseCdata();
        else if (this.startsWith('<?')) this.skipPi(false);
        else if (this.startsWith('<!')) this.fail('unexpected markup declaration inside an element');
        else this.parseStartTag();
      } else this.parseText();
    } while (this.stack.length > 0);
  }

  private parseText(): void {
    const start = this.pos;
    let end = this.src.indexOf('<', start);
    if (end < 0) end = this.src.length;
    this.checkChars(start, end);
    // Searches are bounded by the text run so that reading stays linear in the document size.
    const close = this.src.slice(start, end).indexOf(']]>');
    if (close >= 0) this.fail("']]>' is not allowed in text", start + close);
    const text = this.decode(start, end, false);
    this.pos = end;
    this.addChild({ kind: 'text', text, cdata: false, ...this.at(start) });
  }

  private parseCdata(): void {
    const start = this.pos;
    const body = start + '<![CDATA['.length;
    const end = this.src.indexOf(']]>', body);
    if (end < 0) this.fail('unclosed CDATA section (missing ]]>)', start);
    this.checkChars(body, end);
    const text = this.src.slice(body, end).replace(/\r\n?/g, '\n');
    this.pos = end + 3;
    this.addChild({ kind: 'text', text, cdata: true, ...this.at(body) });
  }

  private parseStartTag(): void {
    const start = this.pos;
    this.pos++;
    const name = this.readName('an element name');
    const el: XmlElement = { kind: 'element', name, attributes: [], children: [], ...this.at(start) };
    let seen: Set<string> | undefined;
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === '>' || (c === '/' && this.src[this.pos + 1] === '>')) break;
      if (c === undefined) this.fail(`unclosed start tag <${name}`, start);
      if (this.pos === before) {
        this.fail(`expected whitespace, '>' or '/>' in <${name}> but found ${describeChar(c)}`);
      }
      const attrStart = this.pos;
      const attrName = this.readName(`an attribute name in <${name}>`);
      // A linear scan is fastest for the usual handful of attributes; a set keeps a hostile
      // element with thousands of them from taking quadratic time.
      if (el.attributes.length >= 16 && !seen) seen = new Set(el.attributes.map((a) => a.name));
      if (seen ? seen.has(attrName) : el.attributes.some((a) => a.name === attrName)) {
        this.fail(`duplicate attribute '${attrName}' in <${name}>`, attrStart);
      }
      seen?.add(attrName);
      this.skipSpace();
      if (this.src[this.pos] !== '=') {
        this.fail(`attribute '${attrName}' in <${name}> needs '=' and a quoted value`);
      }
      this.pos++;
      this.skipSpace();
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") {
        this.fail(`the value of attribute '${attrName}' in <${name}> must be quoted`);
      }
      const valueStart = this.pos + 1;
      const valueEnd = this.src.indexOf(quote, valueStart);
      if (valueEnd < 0) this.fail(`unterminated value of attribute '${attrName}'`, this.pos);
      const lt = this.src.slice(valueStart, valueEnd).indexOf('<');
      if (lt >= 0) this.fail(`'<' is not allowed in the value of attribute '${attrName}'`, valueStart + lt);
      this.checkChars(valueStart, valueEnd);
      const value = this.decode(valueStart, valueEnd, true);
      const vpos = this.at(valueStart);
      el.attributes.push({
        name: attrName,
        value,
        ...this.at(attrStart),
        valueLine: vpos.line,
        valueColumn: vpos.column,
      });
      this.pos = valueEnd + 1;
    }
    const selfClosing = this.src[this.pos] === '/';
    this.pos += selfClosing ? 2 : 1;
    if (this.stack.length === 0) {
      if (this.root) this.fail('a second root element', start);
      this.root = el;
    } else this.addChild(el);
    if (!selfClosing) {
      if (this.stack.length >= this.maxDepth) {
        this.fail(`elements nested deeper than ${this.maxDepth} levels`, start);
      }
      this.stack.push(el);
    }
  }

  private parseEndTag(): void {
    const start = this.pos;
    this.pos += 2;
    const name = this.readName('an element name after </');
    this.skipSpace();
    if (this.src[this.pos] !== '>') this.fail(`expected '>' to end </${name}`);
    this.pos++;
    const open = this.stack.pop();
    if (!open) this.fail(`closing tag </${name}> without an open element`, start);
    if (open.name !== name) {
      this.fail(
        `closing tag </${name}> does not match <${open.name}> (line ${open.line}, column ${open.column})`,
        start,
      );
    }
  }
}

function isSpaceOrEnd(s: string, i: number): boolean {
  return i >= s.length || isSpace(s.charCodeAt(i)) || s[i] === '?';
}

/**
 * Parses an XML document. On success `root` is set and diagnostics is empty; on failure `root`
 * is undefined and there is exactly one error diagnostic with its line and column.
 */
export function parseXml(input: string, options: XmlParseOptions = {}): XmlParseResult {
  // A byte order mark is not part of the document; removing it keeps columns as editors show them.
  const src = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = new LineMap(src);
  const parser = new Parser(src, lines, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  const diagnostic = (code: string, message: string, at: XmlPosition): Diagnostic => {
    const d: Diagnostic = { severity: 'error', code, message, line: at.line, column: at.column };
    if (options.file !== undefined) d.file = options.file;
    return d;
  };
  try {
    return { root: parser.parse(), diagnostics: [] };
  } catch (e) {
    if (e instanceof XmlFailure) {
      return { diagnostics: [diagnostic(e.code, e.message, lines.position(Math.min(e.offset, src.length)))] };
    }
    const message = e instanceof Error ? e.message : String(e);
    return {
      diagnostics: [
        diagnostic('internal', `internal error in the XML parser: ${message}`, { line: 1, column: 1 }),
      ],
    };
  }
}

/** Concatenated text of an element's direct text and CDATA children. */
export function textOf(el: XmlElement): string {
  let s = '';
  for (const child of el.children) if (child.kind === 'text') s += child.text;
  return s;
}

/** The position `k` characters into a decoded text that starts at `start` (LF counts as a line end). */
export function advance(start: XmlPosition, text: string, k: number): XmlPosition {
  let { line, column } = start;
  for (let i = 0; i < k && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}
