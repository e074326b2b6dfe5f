/** The shared pieces of validation (src/validation.ts): paths, prototype keys, unions. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, findForbiddenKey, finite, formatPath, strict } from './validation.js';

describe('validation', () => {
  it('writes JSON paths as messages show them', () => {
    expect(formatPath(['data', 0, 'error', 'sd'])).toBe('data[0].error.sd');
    expect(formatPath([0, 'name'])).toBe('[0].name');
    expect(formatPath(['overrides', 'a b'])).toBe('overrides["a b"]');
  });

  it('finds a prototype key in document order, at any depth, without copying paths per level', () => {
    expect(
      findForbiddenKey(JSON.parse('{"a": [{"b": 1}, {"constructor": 2}], "c": {"__proto__": 3}}')),
    ).toEqual(['a', 1, 'constructor']);
    // 200,000 levels: an explicit stack, linear in the depth.
    const depth = 200_000;
    const deep = JSON.parse('{"x":'.repeat(depth) + '{"prototype": 1}' + '}'.repeat(depth));
    const found = findForbiddenKey(deep)!;
    expect(found).toHaveLength(depth + 1);
    expect(found.at(-1)).toBe('prototype');
    expect(findForbiddenKey(JSON.parse('['.repeat(depth) + ']'.repeat(depth)))).toBeUndefined();
  });

  it('reports the problem of the union form that got furthest', () => {
    const schema = z.union([finite(), strict({ estimate: strict({ low: finite() }) })]);
    expect(check(schema, { estimate: { low: 'x' } })).toEqual({
      ok: false,
      problems: [{ path: 'estimate.low', message: "must be a finite number, got 'x'" }],
    });
    expect(check(schema, 'x')).toEqual({
      ok: false,
      problems: [{ path: '', message: 'is not one of the accepted forms' }],
    });
  });
});
