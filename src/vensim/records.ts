/**
 * Splits a Vensim .mdl text into its records (`equation ~ units ~ documentation |`), macro blocks,
 * the sketch (views) and the settings block, keeping offsets into the original text.
 */
import { VensimSyntaxError, skipBlank, skipComment } from './lexer.js';

export interface RawRecord {
  /** Offsets of the equation part (before the first `~`). */
  eqStart: number;
  eqEnd: number;
  units: string;
  doc: string;
  /** The macro the record belongs to, if it sits between `:MACRO:` and `:END OF MACRO:`. */
  macro?: number;
}

export interface RawMacro {
  /** Offsets of the header after `:MACRO:` (`NAME(in1, in2)`). */
  headStart: number;
  headEnd: number;
  start: number;
}

export interface SplitFile {
  records: RawRecord[];
  macros: RawMacro[];
  /** Text of the sketch section (views), when there is one. */
  sketch?: { start: number; text: string };
  /** Settings lines (`15:0,0,0,0,0,0`), after the sketch. */
  settings: string[];
}

const SKETCH = /^[ \t]*\\\\+-+\/\/\/+/m;

export function splitFile(text: string): SplitFile {
  const m = SKETCH.exec(text);
  const mainEnd = m ? m.index : text.length;
  const records: RawRecord[] = [];
  const macros: RawMacro[] = [];
  let macro: number | undefined;
  let i = 0;
  for (;;) {
    i = skipBlank(text, i, mainEnd);
    if (i >= mainEnd) break;
    // Only a record that opens with `:` can be a macro's start or end.
    const head = text.charCodeAt(i) === 58 ? text.slice(i, i + 16).toUpperCase() : '';
    if (head.startsWith(':MACRO:')) {
      if (macro !== undefined) throw new VensimSyntaxError('a :MACRO: inside another macro', i);
      const start = i;
      i += 7;
      let end = text.indexOf('\n', i);
      if (end < 0 || end > mainEnd) end = mainEnd;
      macros.push({ headStart: i, headEnd: end, start });
      macro = macros.length - 1;
      i = end;
      continue;
    }
    if (head.startsWith(':END OF MACRO:')) {
      if (macro === undefined) throw new VensimSyntaxError(':END OF MACRO: without :MACRO:', i);
      macro = undefined;
      i += 14;
      continue;
    }
    const eqStart = i;
    let q = false;
    let j = i;
    for (; j < mainEnd; j++) {
      const c = text.charCodeAt(j);
      if (q) {
        if (c === 92 && text.charCodeAt(j + 1) === 34) j++;
        else if (c === 34) q = false;
        continue;
      }
      if (c === 34) q = true;
      else if (c === 123) j = skipComment(text, j, mainEnd) - 1;
      else if (c === 126 || c === 124) break;
    }
    if (j >= mainEnd) {
      throw new VensimSyntaxError(
        q ? 'unclosed quoted name (a `"` without its partner)' : 'a record not ended by `|`',
        eqStart,
      );
    }
    const eqEnd = j;
    let units = '';
    let doc = '';
    if (text[j] === '~') {
      const bar = text.indexOf('|', j + 1);
      if (bar < 0 || bar >= mainEnd) throw new VensimSyntaxError('a record not ended by `|`', eqStart);
      const rest = text.slice(j + 1, bar);
      const t = rest.indexOf('~');
      units = (t < 0 ? rest : rest.slice(0, t)).trim();
      doc = t < 0 ? '' : rest.slice(t + 1).trim();
      if (doc)
        doc = doc
          .replace(/~\s*:SUPPLEMENTARY\s*$/i, '')
          .replace(/\\[ \t]*(\r\n|\r|\n)[ \t]*/g, ' ')
          .replace(/\s+/g, ' ')
          .trim();
      j = bar;
    }
    records.push({ eqStart, eqEnd, units, doc, macro });
    i = j + 1;
  }
  if (macro !== undefined)
    throw new VensimSyntaxError(':MACRO: without :END OF MACRO:', macros[macro]!.start);
  let sketch: SplitFile['sketch'];
  const settings: string[] = [];
  if (m) {
    const after = text.slice(m.index);
    const endViews = after.search(/^[ \t]*\/\/\/+-+\\\\+/m);
    sketch = { start: m.index, text: endViews < 0 ? after : after.slice(0, endViews) };
    if (endViews >= 0) {
      for (const line of after
        .slice(endViews)
        .split(/\r\n|\r|\n/)
        .slice(1)) {
        if (/^\d+:/.test(line)) settings.push(line);
      }
    }
  }
  return { records, macros, sketch, settings };
}
