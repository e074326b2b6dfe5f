/**
 * The lines of `results.csv`: one definition, used by the workers (which format the rows of
 * their chunks as they run them) and by the results writer (which formats the table from the
 * binary columns when a folder was resumed or interrupted). Both give the same bytes for a row.
 */
import type { ExperimentPlan } from './plan.js';
import { STATUS_NONFINITE, STATUS_OK } from './runner.js';

/** What the table's layout depends on: the same in a plan and in a folder's metadata.json. */
export interface CsvLayout {
  leverNames: readonly string[];
  inputNames: readonly string[];
  outcomeNames: readonly string[];
  policies: readonly { name: string; scenario?: string; levers: Record<string, number> }[];
  designRows: number;
}

/** The layout of the results.csv a plan gives (the same as its folder's metadata gives). */
export function csvLayoutOfPlan(plan: ExperimentPlan): CsvLayout {
  return {
    leverNames: plan.spec.levers.map((l) => l.name),
    inputNames: plan.inputNames,
    outcomeNames: plan.spec.outcomes.map((o) => o.name),
    policies: plan.policies,
    designRows: plan.designRows,
  };
}

const STATUS_NAMES = ['pending', 'ok', 'failed', 'nonfinite'];

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const COMMA = 44;
const NEWLINE = 10;
const utf8 = new TextEncoder();
const STATUS_BYTES = STATUS_NAMES.map((n) => utf8.encode(',' + n));

/**
 * Lines of results.csv as UTF-8 bytes in a buffer that grows as needed and is reused: the rows
 * of a chunk travel to the writer and reach the file without becoming one JavaScript string.
 */
export class CsvBytes {
  private buffer = new Uint8Array(1 << 16);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }

  /** Text known to be ASCII (numbers, commas). */
  ascii(s: string): void {
    this.room(s.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < s.length; i++) buffer[at++] = s.charCodeAt(i);
    this.length = at;
  }

  byte(b: number): void {
    this.room(1);
    this.buffer[this.length++] = b;
  }

  /** A number as a cell: its shortest round-trip text, nothing for NaN (not run, or no value). */
  number(x: number): void {
    if (!Number.isNaN(x)) this.ascii(String(x));
  }

  /** The bytes so far (a copy), and an empty buffer. */
  take(): Uint8Array {
    const out = this.buffer.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

export class CsvFormatter {
  /** Per policy: `,policy,scenario,lever...` (the cells after `run`). */
  private readonly policyCells: Uint8Array[];
  private readonly nInputs: number;
  private readonly scratch = new CsvBytes();

  constructor(private readonly layout: CsvLayout) {
    this.policyCells = layout.policies.map((p) =>
      utf8.encode(
        ',' +
          [quote(p.name), quote(p.scenario ?? ''), ...layout.leverNames.map((l) => String(p.levers[l]))].join(
            ',',
          ),
      ),
    );
    this.nInputs = layout.inputNames.length;
  }

  /** The header line, with its newline. */
  header(): Uint8Array {
    const l = this.layout;
    const names = [
      'run',
      'policy',
      'scenario',
      ...l.leverNames,
      ...l.inputNames,
      'status',
      ...l.outcomeNames,
    ];
    return utf8.encode(names.map(quote).join(',') + '\n');
  }

  /** The input cells of one row, each preceded by a comma (row-major `inputs` at `offset`). */
  inputCells(inputs: ArrayLike<number>, offset: number): Uint8Array {
    const out = this.scratch;
    for (let d = 0; d < this.nInputs; d++) {
      out.byte(COMMA);
      out.number(inputs[offset + d]!);
    }
    return out.take();
  }

  /**
   * Append one line and its newline to `out`. `outcome(o)` gives outcome o's value; outcomes are
   * written only for runs that finished (ok or non-finite).
   */
  line(
    out: CsvBytes,
    row: number,
    inputCells: Uint8Array,
    status: number,
    outcome: (o: number) => number,
  ): void {
    out.ascii(String(row));
    out.bytes(this.policyCells[Math.floor(row / this.layout.designRows)]!);
    out.bytes(inputCells);
    out.bytes(STATUS_BYTES[status] ?? STATUS_BYTES[0]!);
    const finished = status === STATUS_OK || status === STATUS_NONFINITE;
    for (let o = 0; o < this.layout.outcomeNames.length; o++) {
      out.byte(COMMA);
      if (finished) out.number(outcome(o));
    }
    out.byte(NEWLINE);
  }
}
