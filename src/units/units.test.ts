import { describe, expect, it } from 'vitest';
import type { UnitDefinition } from '../model/types.js';
import { UnitSystem } from './parse.js';
import { type Unit, formatUnit, isDimensionless, sameUnit } from './units.js';

function unitOf(text: string, defs: UnitDefinition[] = []): Unit {
  const r = new UnitSystem(defs).parse(text);
  expect(r.error, `'${text}' should parse`).toBeUndefined();
  return r.unit!;
}

/** Primary keys and powers, sorted: an oracle written by hand for each case. */
function powers(text: string, defs: UnitDefinition[] = []): [string, number][] {
  return [...unitOf(text, defs).powers.entries()].sort(([a], [b]) => a.localeCompare(b));
}

describe('unit expressions', () => {
  it('normalises people/month, person * month^-1 and people per month to the same unit', () => {
    const expected: [string, number][] = [
      ['month', -1],
      ['people', 1],
    ];
    for (const text of [
      'people/month',
      'person * month^-1',
      'people per month',
      'Persons/Months',
      'people * per_month',
      'person/mo',
      '1/month*people',
      'person-month^(-1)',
    ]) {
      expect(powers(text), text).toEqual(expected);
    }
  });

  it('reads dimensionless spellings as the identity', () => {
    for (const text of [
      '1',
      'dmnl',
      'Dimensionless',
      'unitless',
      '',
      '  ',
      'month/month',
      'people/persons',
    ]) {
      expect(isDimensionless(unitOf(text)), text).toBe(true);
    }
  });

  it('reads per X as 1/X and leading 1/ the same way', () => {
    expect(powers('per year')).toEqual([['year', -1]]);
    expect(powers('1/yr')).toEqual([['year', -1]]);
    expect(powers('per_day')).toEqual([['day', -1]]);
  });

  it('combines products, quotients, powers and parentheses', () => {
    // credit/(people*month) = credit^1 people^-1 month^-1
    expect(powers('credit/(people*month)')).toEqual([
      ['credit', 1],
      ['month', -1],
      ['people', -1],
    ]);
    // (m/s)^2 * s^3 / m = m s
    expect(powers('(metre/second)^2 * second^3 / metre')).toEqual([
      ['metre', 1],
      ['second', 1],
    ]);
    // a/b/c is (a/b)/c
    expect(powers('widget/hour/person')).toEqual([
      ['hour', -1],
      ['people', -1],
      ['widget', 1],
    ]);
  });

  it('folds plurals of undefined names and joins words into one name', () => {
    expect(sameUnit(unitOf('widgets/week'), unitOf('Widget/wk'))).toBe(true);
    expect(powers('bodies')).toEqual([['body', 1]]);
    expect(powers('Square Miles')).toEqual([['square_mile', 1]]);
    // `ss` endings are not plurals.
    expect(powers('mass')).toEqual([['mass', 1]]);
  });

  it('treats $ and dollars as one unit', () => {
    expect(sameUnit(unitOf('$/person'), unitOf('dollars per people'))).toBe(true);
  });

  it('keeps different time units apart (no silent conversion)', () => {
    expect(sameUnit(unitOf('1/year'), unitOf('1/month'))).toBe(false);
  });

  it('reports malformed expressions with the offset of the problem', () => {
    const sys = new UnitSystem();
    expect(sys.parse('people/').error).toEqual({ message: 'unit expression ends too early', offset: 7 });
    expect(sys.parse('people/(month').error?.offset).toBe(13);
    expect(sys.parse('month^x').error).toEqual({ message: 'a unit power must be a number', offset: 6 });
    expect(sys.parse('month^1.5').error?.message).toBe('unit powers must be integers');
    expect(sys.parse('people # month').error).toEqual({ message: "unexpected character '#'", offset: 7 });
  });
});

describe('model_units definitions', () => {
  const defs: UnitDefinition[] = [
    { name: 'Rabbits', aliases: ['Rabbit', 'bunny'] },
    { name: 'models_per_person_per_year', eqn: 'models/person/year', aliases: ['mppy'] },
    { name: 'kilopeople', eqn: '1000 * people', aliases: [] },
    { name: 'fortnight', eqn: 'week^2/week*2', aliases: [] },
    { name: 'loop_a', eqn: 'loop_b', aliases: [] },
    { name: 'loop_b', eqn: 'loop_a', aliases: [] },
    { name: 'broken', eqn: 'people/', aliases: [] },
  ];

  it('resolves names and aliases of a unit to the same primary unit', () => {
    expect(powers('bunny/month', defs)).toEqual([
      ['month', -1],
      ['rabbit', 1],
    ]);
    expect(sameUnit(unitOf('Rabbit', defs), unitOf('RABBITS', defs))).toBe(true);
  });

  it('substitutes defining equations, through aliases', () => {
    expect(sameUnit(unitOf('mppy', defs), unitOf('models/(people*years)', defs))).toBe(true);
    expect(sameUnit(unitOf('models_per_person_per_year * person', defs), unitOf('model/year', defs))).toBe(
      true,
    );
  });

  it('keeps the scale of a scaled unit, so kilopeople are not people', () => {
    const k = unitOf('kilopeople', defs);
    expect(k.scale).toBe(1000);
    expect(sameUnit(k, unitOf('people', defs))).toBe(false);
    expect(sameUnit(k, unitOf('1000 people', defs))).toBe(true);
    expect(unitOf('fortnight', defs).scale).toBe(2);
  });

  it('reports circular and malformed definitions and falls back to a primary unit', () => {
    const sys = new UnitSystem(defs);
    expect(sys.parse('loop_a').unit?.powers.size).toBe(1);
    expect(sys.parse('broken').unit?.powers.get('broken')).toBe(1);
    expect(sys.problems.map((p) => p.unit).sort()).toEqual(['broken', 'loop_a']);
  });

  it('lets a model definition override a built-in name', () => {
    const own: UnitDefinition[] = [{ name: 's', eqn: 'shells', aliases: [] }];
    expect(powers('s/month', own)).toEqual([
      ['month', -1],
      ['shell', 1],
    ]);
    // Without it, s is seconds.
    expect(powers('s')).toEqual([['second', 1]]);
  });
});

describe('formatting', () => {
  it('writes numerator over denominator with the model spelling', () => {
    const sys = new UnitSystem([{ name: 'Rabbits', aliases: [] }]);
    expect(sys.format(sys.parse('rabbits/(month*people)').unit!)).toBe('Rabbits/(month*people)');
    expect(sys.format(sys.parse('per month').unit!)).toBe('1/month');
    expect(sys.format(sys.parse('dmnl').unit!)).toBe('dmnl');
    expect(formatUnit(unitOf('month^2/people^3'))).toBe('month^2/people^3');
    expect(formatUnit(unitOf('1000 people'))).toBe('1000*people');
  });
});
