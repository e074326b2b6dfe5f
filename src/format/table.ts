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
  /** Longest cell before wrapping (characters); the first column wraps at this too. */
  maxCell?: number;
  /** Text of the hint in the note about columns left out. */
  wideHint?: string;
}

export const TABLE_WIDTH = 100;
const GAP = '  ';

/** Split text into lines of at most `max` characters, at spaces where possible. */
export function wrapText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > max) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(w.slice(0, max));
      w = w.slice(max);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= max) line += ' ' + w;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line) out.push(line);
  return out;
}

/** Render header and rows as aligned text with a rule under the header; ends with a newline. */
export function renderTextTable(header: string[], rows: string[][], options: TextTableOptions = {}): string {
  const width = options.width ?? TABLE_WIDTH;
  const maxCell = options.maxCell ?? 36;
  const align = header.map((_, i) => options.align?.[i] ?? (i === 0 ? 'left' : 'right'));
  // A column is as wide as its widest cell up to maxCell; longer cells and headers wrap.
  const colWidth = header.map((h, i) =>
    Math.max(
      1,
      ...wrapText(h, maxCell).map((l) => l.length),
      ...rows.map((r) => Math.min((r[i] ?? '').length, maxCell)),
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
      ),
    );
  return out.join('\n') + '\n';
}
