/**
 * Reads every XMILE and Stella file of the SDXorg test-model suite (`../shared/sd-test-models`,
 * next to the repository). Skipped with a message when the suite is not there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Model } from '../model/types.js';
import { readXmile } from './reader.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = path.resolve(repoRoot, '..', 'shared', 'sd-test-models', 'tests');
const haveSuite = existsSync(suiteDir);
if (!haveSuite) console.warn(`XMILE suite tests skipped: ${path.relative(repoRoot, suiteDir)} not found`);

function modelFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...modelFiles(full));
    else if (/\.(xmile|stmx)$/i.test(entry)) out.push(full);
  }
  return out;
}

const files = haveSuite ? modelFiles(suiteDir) : [];
const rel = (f: string): string => path.relative(suiteDir, f).split(path.sep).join('/');

/**
 * Suite files that are not well-formed XML, with the error a strict parser must give. In
 * non_negative_flows the `<flow name="if_else3">` element is never closed.
 */
const MALFORMED: Record<string, { line: number; column: number }> = {
  'non_negative_flows/test_non_negative_flows.xmile': { line: 45, column: 9 },
  'non_negative_flows/test_non_negative_flows_behavior.xmile': { line: 49, column: 9 },
};

/** The number in `<name>...</name>` as written in the file (an oracle independent of the reader). */
function writtenNumber(text: string, name: string): number {
  const m = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(text);
  if (!m) throw new Error(`no <${name}> in the file`);
  return Number(m[1]);
}

function load(relPath: string): Model {
  const file = path.join(suiteDir, relPath);
  const r = readXmile(readFileSync(file, 'utf8'), relPath);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.model!;
}

function counts(variables: Model['variables']): Record<string, number> {
  const c: Record<string, number> = { stock: 0, flow: 0, aux: 0 };
  for (const v of variables) c[v.kind]!++;
  return c;
}

describe.skipIf(!haveSuite)('SDXorg test-model suite', () => {
  it('finds the suite files', () => {
    expect(files.length).toBeGreaterThanOrEqual(90);
  });

  it.each(files.filter((f) => !(rel(f) in MALFORMED)).map((f) => [rel(f), f]))(
    '%s reads without errors, with the sim specs as written',
    (relPath, file) => {
      const text = readFileSync(file, 'utf8');
      const r = readXmile(text, relPath);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.model).toBeDefined();
      const specs = r.model!.simSpecs;
      expect(specs.start).toBe(writtenNumber(text, 'start'));
      expect(specs.stop).toBe(writtenNumber(text, 'stop'));
      if (/<dt[\s>]/.test(text)) expect(specs.dt).toBe(writtenNumber(text, 'dt'));
      expect(r.model!.variables.length).toBeGreaterThan(0);
    },
  );

  it.each(Object.entries(MALFORMED))('%s is reported as malformed XML at its place', (relPath, where) => {
    const r = readXmile(readFileSync(path.join(suiteDir, relPath), 'utf8'), relPath);
    expect(r.model).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'xml-malformed', file: relPath, ...where }),
    ]);
  });

  it.each(['xmile', 'stmx'])('smooth_and_stock (.%s): 1 stock, 1 flow, 6 auxes, Euler', (ext) => {
    const m = load(`smooth_and_stock/test_smooth_and_stock.${ext}`);
    expect(counts(m.variables)).toEqual({ stock: 1, flow: 1, aux: 6 });
    expect(m.simSpecs).toEqual({ start: 0, stop: 45, dt: 0.25, method: 'euler', timeUnits: 'Months' });
    expect(m.variables.find((v) => v.name === 'accumulation')).toMatchObject({
      inflows: ['rate'],
      outflows: [],
    });
    expect(m.variables.find((v) => v.name === 'first order smooth')!.eqn!.text).toBe('SMTH1(100, 2)');
    expect(m.header.vendor).toBe('Ventana Systems, xmutil');
  });

  const lookupTable = [0, 0, 1, 1, 0, 0, -1, -1, 0, 0];
  const lookupX = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45];
  it.each(['lookups_xpts_sep', 'lookups_ypts_sep', 'lookups_xscale'])(
    '%s: the standalone table and the embedded lookup',
    (name) => {
      const m = load(`lookups/test_${name}.xmile`);
      expect(counts(m.variables)).toEqual({ stock: 1, flow: 1, aux: 6 });
      expect(m.graphicalFunctions).toHaveLength(1);
      const table = m.graphicalFunctions[0]!;
      expect(table.name).toBe('lookup function table');
      expect(table.ypts).toEqual(lookupTable);
      expect(table.xpts).toEqual(lookupX);
      expect(table.yscale).toEqual({ min: -1, max: 1 });
      const embedded = m.variables.find((v) => v.gf)!;
      expect(embedded.gf!.xpts).toHaveLength(13);
      expect(embedded.gf!.xpts[1]).toBe(1.25);
      expect(embedded.gf!.ypts[2]).toBe(0.98);
    },
  );

  it.each(['xmile', 'stmx'])('subscript_individually_defined_1d_arrays (.%s)', (ext) => {
    const m = load(
      `subscript_individually_defined_1d_arrays/subscript_individually_defined_1d_arrays.${ext}`,
    );
    expect(counts(m.variables)).toEqual({ stock: 1, flow: 1, aux: 5 });
    expect(m.dimensions).toEqual([
      expect.objectContaining({
        name: 'One Dimensional Subscript',
        elements: ['Entry 1', 'Entry 2', 'Entry 3'],
      }),
    ]);
    const rate = m.variables.find((v) => v.name === 'Rate A')!;
    expect(rate.dimensions).toEqual(['One Dimensional Subscript']);
    expect(rate.elements!.map((e) => [e.subscript, e.eqn?.text])).toEqual([
      [['Entry 1'], '0.01'],
      [['Entry 2'], '0.2'],
      [['Entry 3'], '0.3'],
    ]);
  });

  const nn = (m: Model): Record<string, boolean | undefined> =>
    Object.fromEntries(m.variables.map((v) => [v.name, v.nonNegative]));

  it('non_negative_all1: file <non_negative/> for all, one stock switched off', () => {
    expect(nn(load('non_negative_all/test_non_negative_all1.xmile'))).toEqual({
      OutFlow: true,
      if_else: true,
      TestStock0: true,
      TestStock1: true,
      TestStock2: true,
      TestStock3: false,
    });
  });

  it('non_negative_all2: stock and flow blocks, one stock switched off', () => {
    expect(nn(load('non_negative_all/test_non_negative_all2.xmile'))).toEqual({
      OutFlow: true,
      if_else: true,
      TestStock0: true,
      TestStock1: true,
      TestStock2: true,
      TestStock3: false,
    });
  });

  it('non_negative_stocks_behavior: a stock block leaves flows alone', () => {
    const m = load('non_negative_stocks/test_non_negative_stocks_behavior.xmile');
    expect(m.simSpecs.dt).toBe(1.5);
    expect(nn(m)).toEqual({
      OutFlow: false,
      if_else: false,
      TestStock0: false,
      TestStock1: true,
      TestStock2: false,
      TestStock3: true,
    });
  });

  it.each(['xmile', 'stmx'])(
    'special_characters (.%s): names as written, quoted flow names unquoted',
    (ext) => {
      const m = load(`special_characters_xmile/test_special_variable_names.${ext}`);
      expect(counts(m.variables)).toEqual({ stock: 2, flow: 4, aux: 7 });
      const stock = m.variables.find((v) => v.name === 'Stock with \\n Newline Character')!;
      expect(stock.inflows).toEqual(['Flow_w/_division,_lists,_and_INITIAL(construction_functions)']);
      expect(stock.outflows).toEqual(['Flow_with_STEP(function_call!)']);
      const names = m.variables.map((v) => v.name);
      expect(names).toContain('Aux with $peC!@| characters');
      expect(names).toContain('Flow*with a few^arithmetic + characters');
      expect(m.view!.elements.find((e) => e.name === 'Hyphenated-Stockname')).toEqual({
        kind: 'stock',
        name: 'Hyphenated-Stockname',
        x: 338,
        y: 169,
      });
    },
  );

  it('reports how long the largest suite file takes to read (measured, not asserted)', () => {
    const largest = [...files].sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const text = readFileSync(largest, 'utf8');
    readXmile(text); // warm-up
    const rounds = 20;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) readXmile(text);
    const ms = (performance.now() - t0) / rounds;
    console.info(`read ${rel(largest)} (${text.length} chars) in ${ms.toFixed(3)} ms on average`);
    expect(readXmile(text).model).toBeDefined();
  });
});
