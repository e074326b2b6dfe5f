/**
 * A results folder as one columnar file that pandas, polars, R, DuckDB and Spark read directly
 * (Node only). The table is the one in results.csv: run, policy, scenario, one column per lever,
 * one per sampled input, status, one per outcome; a value that is missing in the CSV (a run that
 * failed or did not run, an input never sampled) is null here. Series outcomes stay in series/
 * (their final value is the outcome column).
 *
 * Arrow IPC files are written with apache-arrow (the Apache project's own JavaScript library);
 * Parquet with hyparquet-writer (pure JavaScript, no native or WebAssembly parts, one dependency,
 * actively maintained). CSV is results.csv itself.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { VERSION } from '../version.js';
import { STATUS_OK } from './runner.js';
import { loadTable, type ResultsMetadata } from './store.js';

export const EXPORT_FORMATS = ['arrow', 'parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const STATUS_NAMES = ['pending', 'ok', 'failed'];

export type ExportColumn =
  | { name: string; type: 'int32'; values: Int32Array }
  | { name: string; type: 'float64'; values: (number | null)[] }
  | { name: string; type: 'string'; values: (string | null)[] };

/** The results table as typed columns (the CSV's columns, in its order). */
export function exportColumns(dir: string): { meta: ResultsMetadata; columns: ExportColumn[] } {
  const { table, meta } = loadTable(dir);
  const n = table.rows;
  const policyOf = (row: number) => meta.policies[Math.floor(row / meta.designRows)]!;
  const num = (x: number): number | null => (Number.isNaN(x) ? null : x);
  const columns: ExportColumn[] = [
    { name: 'run', type: 'int32', values: Int32Array.from({ length: n }, (_, i) => i) },
    { name: 'policy', type: 'string', values: Array.from({ length: n }, (_, i) => policyOf(i).name) },
    {
      name: 'scenario',
      type: 'string',
      values: Array.from({ length: n }, (_, i) => policyOf(i).scenario ?? null),
    },
    ...meta.spec.levers.map((l): ExportColumn => ({
      name: l.name,
      type: 'float64',
      values: Array.from({ length: n }, (_, i) => policyOf(i).levers[l.name] ?? null),
    })),
    ...meta.inputs.map((input, d): ExportColumn => ({
      name: input.name,
      type: 'float64',
      values: Array.from(table.inputs[d]!, num),
    })),
    {
      name: 'status',
      type: 'string',
      values: Array.from(table.status, (s) => STATUS_NAMES[s] ?? 'pending'),
    },
    ...meta.outcomes.map((o, k): ExportColumn => ({
      name: o.name,
      type: 'float64',
      values: Array.from(table.outcomes[k]!, (x, i) => (table.status[i] === STATUS_OK ? num(x) : null)),
    })),
  ];
  return { meta, columns };
}

export function writeExport(
  dir: string,
  format: ExportFormat,
  out: string,
): { rows: number; columns: number } {
  if (format === 'csv') {
    const { meta } = exportColumns(dir);
    copyFileSync(join(dir, 'results.csv'), out);
    return { rows: meta.rows, columns: -1 };
  }
  const { meta, columns } = exportColumns(dir);
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name))
      throw new Error(`two columns are named '${c.name}'; rename a lever, input or outcome`);
    names.add(c.name);
  }
  let bytes: Uint8Array;
  if (format === 'arrow') {
    const vectors = Object.fromEntries(
      columns.map((c) => [
        c.name,
        c.type === 'int32'
          ? vectorFromArray(Array.from(c.values), new Int32())
          : c.type === 'float64'
            ? vectorFromArray(c.values, new Float64())
            : vectorFromArray(c.values, new Utf8()),
      ]),
    );
    bytes = tableToIPC(new Table(vectors), 'file');
  } else {
    const buffer = parquetWriteBuffer({
      columnData: columns.map((c) => ({
        name: c.name,
        data: c.values,
        type: c.type === 'int32' ? 'INT32' : c.type === 'float64' ? 'DOUBLE' : 'STRING',
        nullable: c.type !== 'int32',
      })),
      kvMetadata: [{ key: 'interlock.metadata', value: JSON.stringify(meta) }],
      createdBy: `interlock ${VERSION}`,
    });
    bytes = new Uint8Array(buffer);
  }
  writeFileSync(out, bytes);
  return { rows: meta.rows, columns: columns.length };
}
