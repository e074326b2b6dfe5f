/**
 * The rows of `results.csv`: one definition used by the workers (each formats the rows of its
 * own chunks, in parallel with the others) and by the writer for rows that never ran. Free of
 * Node imports.
 */
import type { ExperimentPlan } from './plan.js';
import { STATUS_OK } from './runner.js';

const STATUS_NAMES = ['pending', 'ok', 'failed'];

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function formatNumber(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/** The header line, with its newline. */
export function csvHeader(plan: ExperimentPlan): string {
  const spec = plan.spec;
  const header = [
    'run',
    'policy',
    'scenario',
    ...spec.levers.map((l) => l.name),
    ...spec.uncertainties.map((u) => u.name),
    'status',
    ...spec.outcomes.map((o) => o.name),
  ];
  return header.map(quote).join(',') + '\n';
}

/** What a block of rows holds: inputs row-major (count x inputs), scalars outcome-major (outcomes x count). */
export interface CsvBlock {
  start: number;
  count: number;
  status: Uint8Array;
  inputs: Float64Array;
  scalars: Float64Array;
}

/** The lines of rows [start, start + count), each with its newline. */
export function csvRows(plan: ExperimentPlan, block: CsvBlock): string {
  const { start, count, status, inputs, scalars } = block;
  const leverNames = plan.spec.levers.map((l) => l.name);
  const nInputs = plan.spec.uncertainties.length;
  const nOutcomes = plan.spec.outcomes.length;
  const policyCells = plan.policies.map((p) =>
    [quote(p.name), quote(p.scenario ?? ''), ...leverNames.map((l) => String(p.levers[l]))].join(','),
  );
  let out = '';
  for (let k = 0; k < count; k++) {
    const row = start + k;
    let line = `${row},${policyCells[Math.floor(row / plan.designRows)]}`;
    for (let d = 0; d < nInputs; d++) line += ',' + formatNumber(inputs[k * nInputs + d]);
    line += ',' + (STATUS_NAMES[status[k]] ?? 'pending');
    const ok = status[k] === STATUS_OK;
    for (let o = 0; o < nOutcomes; o++) line += ',' + (ok ? formatNumber(scalars[o * count + k]) : '');
    out += line + '\n';
  }
  return out;
}
