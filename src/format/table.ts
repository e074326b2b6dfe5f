/**
 * Plain-text tables for the terminal, within a width (100 columns by default).
 * The first column is the row's name and is always kept; other columns are kept left to right
 * while they fit, and a note names the ones left out (`--wide` shows all). Cells longer than
 * `maxCell` are wrapped onto following lines at spaces. Pure.
 */

export interface TextTableOptions {
  /** Width to fit; Infinity for every column (`--wide`). */
  width?: number;
  /** Alignment per column: 'left' for names, 'right' for numbers (default: first left, rest right). */
  align?: ('left' | 'right')[];
  /** Longest cell before wrapping (characters). */
  maxCell?: number;
  /** Longest cell of the first column (the row names) before wrapping; 28 by default. */
  maxName?: number;
  /** Text of the hint in the note about columns left out. */
  wideHint?: string;
}

export const TABLE_WIDTH = 100;
const GAP = '  ';

/** Split text into lines of at most `max` characters, after spaces, '_' or '-' where possible. */
export function wrapText(text: string, max: number, spacesOnly = false): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let line = '';
  const tokens = spacesOnly ? text.match(/[^ ]+ ?| /g) : text.match(/[^ _-]+[ _-]?|[ _-]/g);
  for (const token of tokens ?? []) {
    let t = token;
    if ((line + t).trimEnd().length <= max) {
      line += t;
      continue;
    }
    if (line.trimEnd()) out.push(line.trimEnd());
    while (t.trimEnd().length > max) {
      out.push(t.slice(0, max));
      t = t.slice(max);
    }
    line = t.trimStart();
  }
  if (line.trimEnd()) out.push(line.trimEnd());
  return out;
}

/** Render header and rows as aligned text with a rule under the header; ends with a newline. */
export function renderTextTable(header: string[], rows: string[][], options: TextTableOptions = {}): string {
  const width = options.width ?? TABLE_WIDTH;
  const maxCell = options.maxCell ?? 36;
  const align = header.map((_, i) => options.align?.[i] ?? (i === 0 ? 'left' : 'right'));
  // A column is as wide as its widest cell up to maxCell; longer cells and headers wrap.
  const limit = (i: number) => (i === 0 ? Math.max(maxCell, options.maxName ?? 28) : maxCell);
  const colWidth = header.map((h, i) =>
    Math.max(
      1,
      ...wrapText(h, limit(i)).map((l) => l.length),
      ...rows.map((r) => Math.min((r[i] ?? '').length, limit(i))),
    ),
  );
  const keep: number[] = [0];
  let used = colWidth[0]!;
  for (let i = 1; i < header.length; i++) {
    if (used + GAP.length + colWidth[i]! > width) continue;
    used += GAP.length + colWidth[i]!;
    keep.push(i);
  }
  const render = (cells: string[]): string[] => {
    const wrapped = keep.map((i) => wrapText(cells[i] ?? '', colWidth[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let k = 0; k < height; k++) {
      lines.push(
        keep
          .map((i, j) => {
            const text = wrapped[j]![k] ?? '';
            return align[i] === 'left' ? text.padEnd(colWidth[i]!) : text.padStart(colWidth[i]!);
          })
          .join(GAP)
          .trimEnd(),
      );
    }
    return lines;
  };
  const out = [...render(header), keep.map((i) => '-'.repeat(colWidth[i]!)).join(GAP)];
  for (const r of rows) out.push(...render(r));
  const left = header.filter((_, i) => !keep.includes(i));
  if (left.length)
    out.push(
      ...wrapText(
        `(${left.length} column${left.length > 1 ? 's' : ''} left out to fit ${width} columns: ${left.join(', ')}; ${options.wideHint ?? '--wide shows all'})`,
        width,
        true,
      ),
    );
  return out.join('\n') + '\n';
}
