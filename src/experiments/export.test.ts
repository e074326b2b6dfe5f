/**
 * Export round trips: the Arrow and Parquet files read back (with apache-arrow and hyparquet,
 * the readers analysts' tools share the formats with) equal the results folder, value for value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore, loadSpecFile } from './explore.js';
import { STATUS_OK } from './runner.js';
import { loadTable } from './store.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSX = import.meta.resolve('tsx');
const root = mkdtempSync(join(tmpdir(), 'interlock-export-'));
const dir = join(root, 'runs');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  // A flaky model: some runs fail, so missing outcomes must come back as nulls.
  const spec = join(root, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      model: 'builtin:ishigami-flaky',
      seed: 3,
      samples: 300,
      method: 'lhs',
      uncertainties: [
        { name: 'x1', dist: 'uniform', low: -Math.PI, high: Math.PI },
        { name: 'x2', dist: 'uniform', low: -Math.PI, high: Math.PI },
        { name: 'x3', dist: 'uniform', low: -Math.PI, high: Math.PI },
      ],
      levers: [{ name: 'a', values: [7, 5] }],
      outcomes: [
        { name: 'y', variable: 'y' },
        { name: 'y_max', variable: 'y', reduce: 'max' },
      ],
    }),
  );
  await explore(loadSpecFile(spec), { outDir: dir, inProcess: true, chunkSize: 100 });
});

/** The folder's table as plain rows, built independently of the exporter from loadTable. */
function expectedRows(): Record<string, unknown>[] {
  const { table, meta } = loadTable(dir);
  return Array.from({ length: table.rows }, (_, i) => {
    const policy = meta.policies[Math.floor(i / meta.designRows)]!;
    const ok = table.status[i] === STATUS_OK;
    return {
      run: i,
      policy: policy.name,
      scenario: null,
      a: policy.levers.a,
      x1: table.inputs[0]![i],
      x2: table.inputs[1]![i],
      x3: table.inputs[2]![i],
      status: ['pending', 'ok', 'failed'][table.status[i]!],
      y: ok ? table.outcomes[0]![i] : null,
      y_max: ok ? table.outcomes[1]![i] : null,
    };
  });
}

describe('interlock export', () => {
  it('has failed runs to test nulls with', () => {
    const rows = expectedRows();
    expect(rows).toHaveLength(600);
    expect(rows.some((r) => r.status === 'failed')).toBe(true);
    expect(rows.some((r) => r.status === 'ok')).toBe(true);
  });

  it('arrow: read back with apache-arrow, equals the folder', () => {
    const out = join(root, 'runs.arrow');
    const r = cli('export', dir, '--format', 'arrow', '--out', out);
    expect(r.stderr).toContain('export: 600 runs');
    expect(r.status).toBe(0);
    const table = tableFromIPC(readFileSync(out));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'run:Int32',
      'policy:Utf8',
      'scenario:Utf8',
      'a:Float64',
      'x1:Float64',
      'x2:Float64',
      'x3:Float64',
      'status:Utf8',
      'y:Float64',
      'y_max:Float64',
    ]);
    const rows = table.toArray().map((row) => ({ ...(row as { toJSON(): object }).toJSON() }));
    expect(rows).toEqual(expectedRows());
  });

  it('parquet: read back with hyparquet, equals the folder, carries the metadata', async () => {
    const out = join(root, 'runs.parquet');
    const r = cli('export', dir, '--format', 'parquet', '--out', out);
    expect(r.status).toBe(0);
    const bytes = readFileSync(out);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const rows = await parquetReadObjects({ file });
    expect(rows).toEqual(expectedRows());
    const meta = parquetMetadata(file);
    const kv = meta.key_value_metadata?.find((k) => k.key === 'interlock.metadata');
    expect(JSON.parse(kv!.value!)).toMatchObject({ format: 'interlock-experiments', rows: 600, seed: 3 });
  });

  it('csv: the folder results.csv, whose cells match the same rows', () => {
    const out = join(root, 'runs.csv');
    expect(cli('export', dir, '--format', 'csv', '--out', out).status).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(readFileSync(join(dir, 'results.csv'), 'utf8'));
    const [header, ...lines] = text.trim().split('\n');
    expect(header).toBe('run,policy,scenario,a,x1,x2,x3,status,y,y_max');
    const expected = expectedRows();
    lines.forEach((line, i) => {
      const cells = line.split(',');
      const e = expected[i]!;
      expect(Number(cells[0])).toBe(e.run);
      expect(cells[7]).toBe(e.status);
      expect(cells[8] === '' ? null : Number(cells[8])).toBe(e.y);
    });
  });

  it('bad usage and bad input: exit 2 for an unknown format, 1 for a folder that is not one', () => {
    const bad = cli('export', dir, '--format', 'xlsx', '--out', join(root, 'x'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--format');
    const missing = cli('export', join(root, 'nope'), '--format', 'arrow', '--out', join(root, 'x.arrow'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('not an experiment results directory');
    const nowhere = cli('export', dir, '--format', 'arrow', '--out', join(root, 'no/such/dir/x.arrow'));
    expect(nowhere.status).toBe(1);
    expect(nowhere.stderr).toContain('cannot write');
  });
});
