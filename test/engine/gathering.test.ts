/**
 * Gathering statements into loops. The shortcut (a statement shaped like the previous one takes
 * its template without being written out) must give the program that writing every statement
 * gives, character for character; constants that change with the element become a loop only
 * where each iteration computes exactly the number written out.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/compile/codegen.js';
import { compile } from '../../src/compile/compile.js';
import { lowerModel } from '../../src/compile/lower.js';
import { readModel } from '../../src/engine.js';
import { arrayedChains, scalarChains } from '../../bench/models.js';
import { doc, SUITE_ROOT, suiteFiles as suiteFilesMatching } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const suiteRoot = SUITE_ROOT;
const caseModel = path.join(repoRoot, 'models', 'north-korea-russia', 'model.xmile');

const suiteFiles = (): string[] => suiteFilesMatching(/\.(xmile|stmx|mdl)$/i);

/** The generated source with and without the shortcut (undefined when the model does not compile). */
function bothWays(text: string, file?: string): [string, string] | undefined {
  const model = readModel(text, { file }).model;
  if (!model) return undefined;
  const lm = lowerModel(model);
  if (lm.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const fast = generate(lm).program?.source;
  const slow = generate(lowerModel(model), { shortcut: false }).program?.source;
  return fast === undefined || slow === undefined ? undefined : [fast, slow];
}

describe('the gathering shortcut', () => {
  it('writes the same program as writing every statement: case model and generated chains', () => {
    const models: [string, string | undefined][] = [
      [readFileSync(caseModel, 'utf8'), caseModel],
      [arrayedChains(40), undefined],
      [scalarChains(40), undefined],
    ];
    for (const [text, file] of models) {
      const r = bothWays(text, file);
      expect(r).toBeDefined();
      expect(r![0]).toBe(r![1]);
    }
  });

  it.skipIf(!existsSync(suiteRoot))(
    'writes the same program as writing every statement: SDXorg suite',
    () => {
      let compared = 0;
      const differ: string[] = [];
      for (const f of suiteFiles()) {
        const r = bothWays(readFileSync(f, 'utf8'), f);
        if (!r) continue;
        compared++;
        if (r[0] !== r[1]) differ.push(path.relative(suiteRoot, f));
      }
      expect(differ).toEqual([]);
      expect(compared).toBeGreaterThan(100);
    },
  );
});

describe('constants that change with the element', () => {
  it('an integer progression (a dimension used as a value) is one loop, each element its own value', () => {
    const text = doc(
      [
        '<aux name="offset"><dimensions><dim name="C"/></dimensions><eqn>MOD(C, 7)</eqn></aux>',
        '<aux name="initial"><dimensions><dim name="C"/></dimensions><eqn>10 - 3 * C</eqn></aux>',
      ],
      { stop: 1, dims: { C: 50 } },
    );
    const c = compile(readModel(text).model!).compiled!;
    // One loop each, not fifty statements.
    expect(c.source).not.toMatch(/R\.mod\(\d+, 7\)/);
    expect(c.source).toMatch(/for \(let i = 0; i < 50; i\+\+\) \{[^}]*R\.mod\(\(1 \+ i\), 7\)/);
    const r = c.run();
    for (let e = 1; e <= 50; e++) {
      expect(r.columns[r.names.indexOf(`offset[${e}]`)]![0]).toBe(e % 7);
      expect(r.columns[r.names.indexOf(`initial[${e}]`)]![0]).toBe(10 - 3 * e);
    }
  });

  it('constants that are not integers in progression stay written out, exactly as given', () => {
    // 0.1, 0.2, 0.3...: 0.1 + 0.1 * i is not always the literal (0.1 + 0.1 * 2 is 0.30000000000000004).
    const values = Array.from({ length: 12 }, (_, i) => Number(((i + 1) / 10).toFixed(1)));
    const elements = values.map((v, i) => `<element subscript="${i + 1}"><eqn>${v}</eqn></element>`).join('');
    const text = doc(
      [
        `<aux name="rate"><dimensions><dim name="C"/></dimensions>${elements}</aux>`,
        '<aux name="scaled"><dimensions><dim name="C"/></dimensions><eqn>rate * TIME</eqn></aux>',
      ],
      { stop: 2, dims: { C: 12 } },
    );
    const c = compile(readModel(text).model!).compiled!;
    expect(c.source).toContain('0.3');
    const r = c.run();
    values.forEach((v, i) => {
      expect(r.columns[r.names.indexOf(`rate[${i + 1}]`)]![0]).toBe(v);
      expect(r.columns[r.names.indexOf(`scaled[${i + 1}]`)]![2]).toBe(v * 2);
    });
  });
});
