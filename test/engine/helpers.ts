/**
 * Small builders for engine tests: an XMILE document from a few variable elements, read and
 * compiled through the public API only (the same path the CLI and the workbench take).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { compileModel, readModel } from '../../src/engine.js';
import type { CompiledModel, Diagnostic, Results, RunOptions } from '../../src/engine.js';

export const NS = 'http://docs.oasis-open.org/xmile/ns/XMILE/v1.0';

export interface DocOptions {
  start?: number;
  stop?: number;
  dt?: number;
  method?: string;
  /** Dimensions by name: element names, or a size for a numbered dimension. */
  dims?: Record<string, string[] | number>;
}

/**
 * An XMILE document. Line 1 is the `<xmile>` tag, line 2 the header, line 3 the sim specs,
 * line 4 the dimensions, line 5 `<model><variables>`, and the variables start on line 6, one
 * array entry per line, so diagnostics can be checked against known lines.
 */
export function doc(vars: string[], o: DocOptions = {}): string {
  const method = o.method ? ` method="${o.method}"` : '';
  const dims = Object.entries(o.dims ?? {})
    .map(([name, els]) =>
      typeof els === 'number'
        ? `<dim name="${name}" size="${els}"/>`
        : `<dim name="${name}">${els.map((e) => `<elem name="${e}"/>`).join('')}</dim>`,
    )
    .join('');
  return [
    `<xmile version="1.0" xmlns="${NS}">`,
    '<header><name>test</name></header>',
    `<sim_specs${method}><start>${o.start ?? 0}</start><stop>${o.stop ?? 10}</stop><dt>${o.dt ?? 1}</dt></sim_specs>`,
    `<dimensions>${dims}</dimensions>`,
    '<model><variables>',
    ...vars,
    '</variables></model>',
    '</xmile>',
  ].join('\n');
}

export const aux = (name: string, eqn: string): string => `<aux name="${name}"><eqn>${esc(eqn)}</eqn></aux>`;
export const flow = (name: string, eqn: string, extra = ''): string =>
  `<flow name="${name}"><eqn>${esc(eqn)}</eqn>${extra}</flow>`;
export const stock = (
  name: string,
  init: string,
  ins: string[] = [],
  outs: string[] = [],
  extra = '',
): string =>
  `<stock name="${name}"><eqn>${esc(init)}</eqn>${ins.map((i) => `<inflow>${i}</inflow>`).join('')}${outs
    .map((o) => `<outflow>${o}</outflow>`)
    .join('')}${extra}</stock>`;

/** Escape an equation for an XML text node. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Checked {
  compiled?: CompiledModel;
  diagnostics: Diagnostic[];
}

/** Read and compile; reader and compiler diagnostics together. */
export function check(text: string, file = 'test.xmile'): Checked {
  const read = readModel(text, { file });
  if (!read.model || read.diagnostics.some((d) => d.severity === 'error')) {
    return { diagnostics: read.diagnostics };
  }
  const r = compileModel(read.model);
  return { compiled: r.compiled, diagnostics: [...read.diagnostics, ...r.diagnostics] };
}

/** Compile a document that must have no errors. */
export function compileOk(text: string): CompiledModel {
  const r = check(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, JSON.stringify(errors)).toEqual([]);
  expect(r.compiled).toBeDefined();
  return r.compiled!;
}

/** Run a document that must compile. */
export function run(text: string, options: RunOptions = {}): Results {
  return compileOk(text).run(options);
}

/** A column that must exist. */
export function col(r: Results, name: string): Float64Array {
  const c = r.column(name);
  expect(c, `column '${name}' among ${r.names.join(', ')}`).toBeDefined();
  return c!;
}

/** The single error diagnostic with this code. */
export function oneError(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.severity === 'error' && d.code === code);
  expect(found, JSON.stringify(diagnostics)).toHaveLength(1);
  return found[0]!;
}

/** Expect two arrays to agree element-wise within an absolute tolerance. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol)) {
      expect.fail(`index ${i}: expected ${e}, got ${a} (tolerance ${tol})`);
    }
  }
}

/** The SDXorg conformance suite's tests folder, read from ../shared beside the repository. */
export const SUITE_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'sd-test-models',
  'tests',
);

/** The suite's model files whose names match `pattern`, sorted; none where the suite is absent. */
export function suiteFiles(pattern: RegExp = /\.(xmile|stmx|mdl)$/i): string[] {
  if (!existsSync(SUITE_ROOT)) return [];
  const out: string[] = [];
  for (const d of readdirSync(SUITE_ROOT).sort()) {
    const dir = path.join(SUITE_ROOT, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) if (pattern.test(f)) out.push(path.join(dir, f));
  }
  return out;
}
