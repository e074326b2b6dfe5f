/** The experiment spec's schema (spec-schema.ts): defaults, normalisation and located refusals. */
import { describe, expect, it } from 'vitest';
import { parseScenarioFile, parseSpec, SpecError } from './spec.js';

const base = { model: 'builtin:ishigami', outcomes: [{ name: 'y' }] };

function message(json: unknown): string {
  try {
    parseSpec(json, 'spec.json');
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as Error).message;
  }
  return 'no error';
}

describe('experiment spec schema', () => {
  it('fills the defaults and normalises distributions', () => {
    const spec = parseSpec({
      ...base,
      uncertainties: [
        { name: 'a', low: 0, high: 2 },
        { name: 't', dist: 'triangular', low: 0, high: 4 },
        { name: 'c', variable: 'C', dist: 'categorical', values: [3, 1, 2], weights: [0, 1, 2] },
      ],
    });
    expect(spec).toMatchObject({
      seed: 1,
      samples: 1000,
      method: 'lhs',
      secondOrder: true,
      levels: 4,
      run: {},
    });
    expect(spec.outcomes).toEqual([{ name: 'y', variable: 'y', reduce: 'final', kind: 'info' }]);
    expect(spec.uncertainties).toEqual([
      { name: 'a', variable: 'a', dist: 'uniform', low: 0, high: 2 },
      { name: 't', variable: 't', dist: 'triangular', low: 0, mode: 2, high: 4 },
      // Sorted by value, each weight kept with its value.
      { name: 'c', variable: 'C', dist: 'categorical', values: [1, 2, 3], weights: [1, 2, 0] },
    ]);
  });

  it('keeps the checks of joint draws: a group shares one length, only mc and lhs', () => {
    const draws = (values: number[], group = 'g') => ({
      name: `d${values.length}`,
      dist: 'draws',
      group,
      values,
    });
    expect(message({ ...base, uncertainties: [draws([1, 2]), draws([1, 2, 3])] })).toBe(
      "spec.json: uncertainties[1].values: group 'g' has 2 draws in uncertainties[0] but 3 here",
    );
    expect(message({ ...base, uncertainties: [{ ...draws([1]), group: '' }] })).toBe(
      'spec.json: uncertainties[0].group: must be a non-empty string',
    );
    expect(message({ ...base, method: 'morris', uncertainties: [draws([1, 2])] })).toBe(
      "spec.json: uncertainties[0].dist: joint draws work with the mc and lhs methods, not 'morris'",
    );
  });

  it('refuses unknown and prototype keys with their path', () => {
    expect(message({ ...base, uncertainties: [{ name: 'a', low: 0, high: 1, mean: 3 }] })).toBe(
      'spec.json: uncertainties[0].mean: unknown field (expected one of name, variable, dist, low, high)',
    );
    expect(
      message(JSON.parse('{"model": "m", "outcomes": [{"name": "y"}], "run": {"__proto__": {"dt": 1}}}')),
    ).toBe('spec.json: run.__proto__: is a reserved key (__proto__, constructor, prototype)');
    expect(message({ ...base, constructor: 1 })).toMatch(/^spec\.json: constructor: is a reserved key/);
    expect(message({ ...base, outcomes: [{ name: 'y', reduce: 'crossing' }] })).toBe(
      'spec.json: outcomes[0].threshold: is required (a number)',
    );
    expect(message({ ...base, uncertainties: [{ name: 'a', dist: 'normal', mean: 0, sd: 0 }] })).toBe(
      'spec.json: uncertainties[0].sd: must be positive, got 0',
    );
  });

  it('reads a scenario file, refusing a scenario with an unknown field', () => {
    const map = parseScenarioFile({ s: { description: 'x', overrides: { k: 1 } }, version: 2 });
    expect([...map]).toEqual([['s', { description: 'x', overrides: { k: 1 } }]]);
    expect(() => parseScenarioFile({ s: { overrides: { k: 1 }, override: {} } }, 'sc.json')).toThrow(
      'sc.json: s.override: unknown field (expected one of description, overrides)',
    );
  });
});
