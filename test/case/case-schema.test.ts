/** The case files' schemas (src/case/schema.ts): every problem located by file and JSON path. */
import { describe, expect, it } from 'vitest';
import {
  CaseError,
  parseCaseDefinition,
  parseLoops,
  parseParameters,
  parseScenarios,
} from '../../src/case/definition.js';

function issues(parse: () => unknown): string[] {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(CaseError);
    return (err as CaseError).issues.map((i) => `${i.file}: ${i.path ?? ''}: ${i.message}`);
  }
  return [];
}

const loop = {
  id: 'R1',
  name: 'r',
  polarity: 'reinforcing',
  description: 'd',
  path: ['a', 'b'],
};

describe('case file schemas', () => {
  it('scenarios: a non-number override and an unknown key are located', () => {
    expect(
      issues(() => parseScenarios({ s: { description: 'x', overrides: { k: 'one' }, extra: 1 } }, 'sc.json')),
    ).toEqual([
      "sc.json: s.overrides.k: must be a finite number, got 'one'",
      'sc.json: s.extra: unknown field (expected one of description, overrides)',
    ]);
    expect(issues(() => parseScenarios({}, 'sc.json'))).toEqual(['sc.json: : defines no scenario']);
  });

  it('prototype keys are refused wherever they appear', () => {
    const doc = JSON.parse('{"s": {"description": "x", "overrides": {"__proto__": {"polluted": 1}}}}');
    expect(issues(() => parseScenarios(doc, 'sc.json'))).toEqual([
      'sc.json: s.overrides.__proto__: is a reserved key (__proto__, constructor, prototype)',
    ]);
    expect(issues(() => parseLoops([{ ...loop, constructor: 1 }], 'loops.json'))[0]).toMatch(
      /loops\.json: \[0\]\.constructor: is a reserved key/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('loops: an array, each loop with a two-variable path and a known polarity', () => {
    expect(issues(() => parseLoops({ R1: loop }, 'loops.json'))).toEqual([
      'loops.json: : must be an array of {id, name, polarity, claims, description, path}',
    ]);
    expect(issues(() => parseLoops([{ ...loop, polarity: 'neutral', path: ['a'] }], 'loops.json'))).toEqual([
      "loops.json: [0].polarity: must be one of reinforcing, balancing; got 'neutral'",
      'loops.json: [0].path: must list at least two variables',
    ]);
    expect(parseLoops([loop], 'loops.json')).toEqual([{ ...loop, claims: [] }]);
  });

  it('parameters: range order, defaults and the posterior quantiles', () => {
    const p = { kind: 'assumption', source: 's', range: [2, 1] };
    expect(issues(() => parseParameters({ k: p }, 'p.json'))).toEqual([
      'p.json: k.range: must be [low, high] with low <= high',
    ]);
    expect(parseParameters({ k: { ...p, range: [1, 2] } }, 'p.json')).toEqual([
      {
        name: 'k',
        kind: 'assumption',
        source: 's',
        range: [1, 2],
        dist: 'uniform',
        estimates: [],
        claims: [],
        lever: false,
      },
    ]);
    const posterior = { q05: 3, q50: 2, q95: 4, contraction: 0.5, asOf: null };
    expect(issues(() => parseParameters({ k: { ...p, range: [1, 2], posterior } }, 'p.json'))).toEqual([
      'p.json: k.posterior: must have q05 <= q50 <= q95',
    ]);
  });

  it('case.json: a reduce of "at" needs its time; dates must exist', () => {
    const base = {
      title: 't',
      question: 'q',
      startDate: '2024-02-30',
      daysPerTimeUnit: 30.4375,
      timeUnit: 'month',
      baseline: 'b',
      outcomes: [{ name: 'o', label: 'O', variable: 'x', reduce: 'at' }],
      charts: [],
    };
    expect(issues(() => parseCaseDefinition(base, 'case.json'))).toEqual([
      "case.json: startDate: must be a date YYYY-MM-DD, got '2024-02-30'",
      'case.json: outcomes[0].time: is required (a finite number) when reduce is "at"',
    ]);
  });
});
