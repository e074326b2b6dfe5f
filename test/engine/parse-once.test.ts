/**
 * Each equation of a model is parsed once: `parsedEquation` keeps the tree beside its `Equation`,
 * and lowering, the units check and loop polarity read that tree instead of parsing the text again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsedEquation } from '../../src/equations/parser.js';
import type { Equation } from '../../src/model/types.js';
import { compileModel, readModel } from '../../src/engine.js';
import { aux, col, doc } from './helpers.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) ? [p] : [];
  });
}

describe('parsing once', () => {
  it('keeps one tree per equation and parses again only a text changed in place', () => {
    const eqn: Equation = { text: 'a ^ 2' };
    const first = parsedEquation(eqn);
    expect(first.expr).toMatchObject({ kind: 'binary', op: '^' });
    expect(parsedEquation(eqn)).toBe(first);
    eqn.text = 'a + b';
    const second = parsedEquation(eqn);
    expect(second).not.toBe(first);
    expect(second.expr).toMatchObject({ kind: 'binary', op: '+' });
    // An error is kept too, with its offset into the text.
    const bad: Equation = { text: 'a +* b' };
    expect(parsedEquation(bad).error?.offset).toBe(3);
    expect(parsedEquation(bad)).toBe(parsedEquation(bad));
  });

  it('compiles a model whose equations were parsed before (the kept trees give the same results)', () => {
    const model = readModel(
      doc([aux('a', '3'), aux('b', 'a * 2 + 1'), aux('c', 'IF b > 6 THEN b ELSE 0')], { stop: 0 }),
    ).model!;
    for (const v of model.variables) if (v.eqn) parsedEquation(v.eqn);
    const r = compileModel(model).compiled!.run();
    expect([col(r, 'a')[0], col(r, 'b')[0], col(r, 'c')[0]]).toEqual([3, 7, 7]);
    // Changing an equation's text in place is seen by the next compile.
    model.variables[1]!.eqn!.text = 'a * 3';
    const again = compileModel(model).compiled!.run();
    expect(col(again, 'c')[0]).toBe(9);
  });

  it("only the editor's syntax check of typed text and the fuzzer call the parser on raw text", () => {
    const callers = sources(src)
      .filter((f) => !f.endsWith(join('equations', 'parser.ts')))
      .filter((f) => /\bparseEquation\(/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(src.length + 1).replace(/\\/g, '/'))
      .sort();
    expect(callers).toEqual(['node/fuzz.ts', 'web/editor/session.ts']);
  });
});
