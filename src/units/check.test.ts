import { describe, expect, it } from 'vitest';
import { readModel } from '../engine.js';
import type { Diagnostic, Model } from '../model/types.js';
import { checkUnits } from './check.js';

const NS = 'http://docs.oasis-open.org/xmile/ns/XMILE/v1.0';

interface Doc {
  text: string;
  lines: string[];
}

/**
 * An XMILE document: sim specs on line 2, model units on line 3, dimensions on line 4, the
 * variables one per line from line 6.
 */
function doc(vars: string[], opts: { timeUnits?: string; units?: string } = {}): Doc {
  const tu =
    opts.timeUnits === undefined
      ? ' time_units="year"'
      : opts.timeUnits
        ? ` time_units="${opts.timeUnits}"`
        : '';
  const lines = [
    `<xmile version="1.0" xmlns="${NS}">`,
    `<sim_specs${tu}><start>0</start><stop>20</stop><dt>0.25</dt></sim_specs>`,
    `<model_units>${opts.units ?? ''}</model_units>`,
    '<dimensions><dim name="Region"><elem name="north"/><elem name="south"/></dim></dimensions>',
    '<model><variables>',
    ...vars,
    '</variables></model>',
    '</xmile>',
  ];
  return { text: lines.join('\n'), lines };
}

function read(d: Doc): Model {
  const r = readModel(d.text, { file: 'm.xmile' });
  expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  return r.model!;
}

/** 1-based line and column of the first occurrence of `needle` (after the `after` text on that line). */
function at(d: Doc, needle: string, after = ''): { line: number; column: number } {
  for (let i = 0; i < d.lines.length; i++) {
    const from = after ? d.lines[i]!.indexOf(after) : 0;
    if (from < 0) continue;
    const c = d.lines[i]!.indexOf(needle, from);
    if (c >= 0) return { line: i + 1, column: c + 1 };
  }
  throw new Error(`'${needle}' not in the document`);
}

const aux = (name: string, eqn: string, units?: string) =>
  `<aux name="${name}"><eqn>${eqn}</eqn>${units === undefined ? '' : `<units>${units}</units>`}</aux>`;
const flow = (name: string, eqn: string, units?: string) =>
  `<flow name="${name}"><eqn>${eqn}</eqn>${units === undefined ? '' : `<units>${units}</units>`}</flow>`;

/** A correct population model: the base of every mismatch case below. */
const POPULATION = [
  '<stock name="Population"><eqn>1000</eqn><inflow>births</inflow><outflow>deaths</outflow><units>people</units></stock>',
  flow('births', 'Population * birth_rate * crowding_effect', 'people/year'),
  flow('deaths', 'Population / average_lifetime', 'persons per year'),
  aux('birth rate', '0.03', '1/yr'),
  aux('average lifetime', '70', 'years'),
  aux('capacity', '5000', 'people'),
  aux('crowding', 'Population / capacity', 'dmnl'),
  '<aux name="crowding effect"><eqn>crowding</eqn><gf><xscale min="0" max="2"/><ypts>1,0.5,0</ypts></gf><units>dmnl</units></aux>',
];

function check(d: Doc): Diagnostic[] {
  return checkUnits(read(d));
}

function single(ds: Diagnostic[], code = 'unit-mismatch'): Diagnostic {
  expect(ds, JSON.stringify(ds, null, 1)).toHaveLength(1);
  expect(ds[0]!.code).toBe(code);
  expect(ds[0]!.severity).toBe('warning');
  expect(ds[0]!.file).toBe('m.xmile');
  return ds[0]!;
}

describe('a consistent population model', () => {
  it('gives no warnings, builtins and arrays included', () => {
    const d = doc(
      [
        ...POPULATION,
        aux('smoothing time', '2', 'year'),
        aux('immigration wave', '300', 'people'),
        aux('birth rate change', '0.001', '1/year^2'),
        aux('fudge', '3'),
        aux('smoothed births', 'SMTH1(births, smoothing_time)', 'people/year'),
        aux('smoothed births 3', 'SMOOTH3(births, smoothing_time, 10)', 'people/year'),
        aux('delayed deaths', 'DELAY3(deaths, 5)', 'people/year'),
        aux('delayed deaths n', 'DELAYN(deaths, smoothing_time, 4, deaths)', 'people/year'),
        aux('growth trend', 'TREND(Population, 3)', '1/year'),
        aux('forecast', 'FORCST(Population, smoothing_time, 5)', 'people'),
        aux('log crowding', 'LN(Population / capacity) + EXP(-crowding)', 'dmnl'),
        aux('larger flow', 'MAX(births, deaths, 0)', 'people/year'),
        aux('net flow', 'ABS(births - deaths)', 'folk/year'),
        aux('elapsed', 'TIME - STARTTIME + DT', 'years'),
        aux('wave', 'PULSE(immigration_wave, 5, 10)', 'people/year'),
        aux('rate step', 'STEP(birth_rate, 10) + RAMP(birth_rate_change, 0, STOPTIME)', '1/year'),
        aux('initial population', 'INIT(Population)', 'people'),
        aux('last births', 'PREVIOUS(births, 0)', 'people/year'),
        aux('scaled', 'Population * fudge', 'people'),
        aux('area', '10', 'km^2'),
        aux('density', 'Population / area', 'people/km/km'),
        aux('side', 'SQRT(area)', 'km'),
        aux('squared', '(Population / area) ^ 2 * area^2', 'person^2'),
        aux('headroom', 'IF Population > capacity THEN 0 ELSE capacity - Population', 'people'),
        aux('share', 'ZIDZ(births, Population + 1)', 'per year'),
        aux('lookup value', 'LOOKUP(crowding_effect, 1) * crowding_effect(2)', 'dmnl'),
        '<aux name="regional"><dimensions><dim name="Region"/></dimensions><eqn>Population / 2</eqn><units>people</units></aux>',
        aux('total', 'SUM(regional[*]) + regional[north] + MIN(regional)', 'people'),
        aux('region index', 'Region', 'dmnl'),
        '<aux name="by region"><dimensions><dim name="Region"/></dimensions><element subscript="north"><eqn>births</eqn></element><element subscript="south"><eqn>deaths * 2</eqn></element><units>people/year</units></aux>',
        aux('list', '1, 2', 'people'),
      ],
      { units: '<unit name="people"><alias>folk</alias></unit>' },
    );
    expect(check(d)).toEqual([]);
  });

  it('also accepts the time unit spelled differently from the units', () => {
    const d = doc(POPULATION, { timeUnits: 'Years' });
    expect(check(d)).toEqual([]);
  });
});

describe('mismatches', () => {
  it("reports '+' of unlike units at the sum, naming both unit expressions", () => {
    const d = doc([...POPULATION, aux('bad sum', 'Population + births', 'people')]);
    const w = single(check(d));
    expect(w.variable).toBe('bad sum');
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'Population + births'));
    expect(w.message).toContain('people');
    expect(w.message).toContain('people/year');
    expect(w.message).toContain("'+'");
  });

  it('reports an equation whose units differ from the declared ones, at the equation', () => {
    const d = doc([...POPULATION, aux('per head', 'births / Population', 'people')]);
    const w = single(check(d));
    expect(w.variable).toBe('per head');
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'births / Population'));
    expect(w.message).toBe(
      "the equation of 'per head' has units 1/year, but 'per head' is declared in people",
    );
  });

  it('reports a flow whose units are not stock units per time unit, naming flow and stock', () => {
    const pop = POPULATION.map((l) => l.replace('persons per year', 'people/day'));
    const d = doc(pop);
    const ws = check(d);
    // The flow's own equation (people/year) disagrees with its declaration too.
    expect(ws.map((w) => w.message)).toContain(
      "the equation of 'deaths' has units people/year, but 'deaths' is declared in people/day",
    );
    const w = ws.find((x) => x.message.startsWith('flow'))!;
    expect(ws).toHaveLength(2);
    expect(w.variable).toBe('deaths');
    expect(w.line).toBe(at(d, '<flow name="deaths"').line);
    expect(w.message).toBe(
      "flow 'deaths' has units people/day, but as an outflow of stock 'Population' (people) it should have people/year (stock units per year)",
    );
  });

  it('reports a stock whose initial value has other units', () => {
    const pop = POPULATION.map((l) => l.replace('<eqn>1000</eqn>', '<eqn>capacity * birth_rate</eqn>'));
    const d = doc(pop);
    const w = single(check(d));
    expect(w.variable).toBe('Population');
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'capacity * birth_rate'));
  });

  it('checks flows against the model time unit, not against years', () => {
    const d = doc(POPULATION, { timeUnits: 'month' });
    const ws = check(d);
    expect(ws.map((w) => w.variable).sort()).toEqual(['births', 'deaths']);
    expect(ws.every((w) => w.message.includes('people/month'))).toBe(true);
  });

  it('needs a dimensionless argument for EXP, pointing at the argument', () => {
    const d = doc([...POPULATION, aux('e', 'EXP(Population)', 'dmnl')]);
    const w = single(check(d));
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'Population)', 'EXP('));
    expect(w.message).toContain('the argument of EXP must be dimensionless');
  });

  it('needs IF branches in the same units', () => {
    const d = doc([...POPULATION, aux('branchy', 'IF TIME > 5 THEN Population ELSE births', 'people')]);
    const w = single(check(d));
    expect(w.column).toBe(at(d, 'IF TIME').column);
    expect(w.message).toContain('IF branches have different units: people');
  });

  it('checks a chain of sums operand by operand, naming the chain so far', () => {
    // Units: people + people - people/year + people; the third operand is the odd one.
    const d = doc([...POPULATION, aux('chained', 'Population + capacity - births + capacity', 'people')]);
    const w = single(check(d));
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'Population + capacity -'));
    expect(w.message).toContain("'-' combines people ('Population + capacity') with people/year ('births')");
  });

  it('compares like with like', () => {
    const d = doc([...POPULATION, aux('cmp', 'IF Population > birth_rate THEN 1 ELSE 0', 'dmnl')]);
    const w = single(check(d));
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'Population > birth_rate'));
    expect(w.message).toContain("'>' compares people");
  });

  it('needs MIN and MAX arguments in the same units, pointing at the odd one', () => {
    const d = doc([...POPULATION, aux('m', 'MIN(births, Population)', 'people/year')]);
    const w = single(check(d));
    expect(w.column).toBe(at(d, 'Population)', 'MIN(').column);
  });

  it('needs smoothing and delay times in the time unit', () => {
    const d = doc([
      ...POPULATION,
      aux('s', 'SMTH1(births, capacity)', 'people/year'),
      aux('dl', 'DELAY1(births, 2, Population)', 'people/year'),
    ]);
    const ws = check(d);
    expect(ws).toHaveLength(2);
    expect(ws[0]!.message).toContain("the averaging time of SMTH1 'capacity' has units people");
    expect(ws[0]!.column).toBe(at(d, 'capacity)', 'SMTH1(').column);
    expect(ws[1]!.message).toContain("the initial value of DELAY1 'Population' has units people");
  });

  it('needs PULSE and STEP times in the time unit', () => {
    const d = doc([...POPULATION, aux('p', 'PULSE(capacity, capacity)', 'people/year')]);
    const w = single(check(d));
    expect(w.message).toContain('the first pulse time of PULSE');
  });

  it('gives a PULSE of people the units people per time unit', () => {
    const d = doc([...POPULATION, aux('p', 'PULSE(capacity, 5)', 'people')]);
    expect(single(check(d)).message).toContain('has units people/year');
  });

  it('checks the element equations of a non-apply-to-all array one by one', () => {
    const d = doc([
      ...POPULATION,
      '<aux name="by region"><dimensions><dim name="Region"/></dimensions><element subscript="north"><eqn>births</eqn></element>',
      '<element subscript="south"><eqn>Population</eqn></element><units>people/year</units></aux>',
    ]);
    const w = single(check(d));
    expect({ line: w.line, column: w.column }).toEqual(at(d, 'Population</eqn></element><units>'));
  });

  it('reports a non-constant power of a dimensioned value as unit-unknown', () => {
    const d = doc([...POPULATION, aux('fudge', '2'), aux('pw', 'Population ^ fudge', 'people')]);
    const w = single(check(d), 'unit-unknown');
    expect(w.variable).toBe('pw');
  });

  it('reports a dimensioned exponent', () => {
    const d = doc([...POPULATION, aux('pw', 'crowding ^ birth_rate', 'dmnl')]);
    expect(single(check(d)).message).toContain('an exponent must be dimensionless');
  });

  it('reports malformed declared units at the variable, once', () => {
    const d = doc([...POPULATION, aux('odd', 'Population * 2', 'people/(year'), aux('o2', 'odd', 'people')]);
    const w = single(check(d), 'unit-syntax');
    expect(w.variable).toBe('odd');
    expect(w.line).toBe(at(d, '<aux name="odd"').line);
    expect(w.message).toContain("expected ')'");
  });

  it('reports a malformed model_units definition', () => {
    const d = doc(POPULATION, { units: '<unit name="widget_rate"><eqn>widget/</eqn></unit>' });
    const w = single(check(d), 'unit-syntax');
    expect(w.message).toContain("unit 'widget_rate'");
  });

  it('says when flows cannot be checked for want of a time unit', () => {
    const d = doc(POPULATION, { timeUnits: '' });
    const w = single(check(d), 'unit-unknown');
    expect(w.variable).toBe('births');
    expect(w.message).toContain('the model declares no time unit');
  });
});

describe('time unit', () => {
  it('reports a malformed time unit once and then leaves flows unchecked', () => {
    const d = doc(POPULATION, { timeUnits: 'year/(' });
    const w = single(check(d), 'unit-syntax');
    expect(w.message).toContain("the model's time unit 'year/(' is malformed");
  });
});

describe('propagation rules', () => {
  it('lets literal numbers take the units a sum needs and be dimensionless in products', () => {
    const d = doc([
      ...POPULATION,
      aux('a', 'Population + 10', 'people'),
      aux('b', '100 - Population * 2', 'people'),
      aux('c', 'Population / 12', 'people'),
      aux('d', '5', 'people/year'),
    ]);
    expect(check(d)).toEqual([]);
  });

  it('stays silent about variables without units and what depends on them', () => {
    const d = doc([
      ...POPULATION,
      aux('mystery', '4'),
      aux('m1', 'Population * mystery', 'people/year'),
      aux('m2', 'mystery + 1', 'people'),
    ]);
    expect(check(d)).toEqual([]);
  });

  it('treats a product with a literal as a check, not a conversion', () => {
    // births per month written as births per year / 12 is still declared per year here.
    const d = doc([...POPULATION, aux('monthly births', 'births / 12', 'people/month')]);
    expect(single(check(d)).message).toContain('has units people/year');
  });

  it('honours model_units aliases and definitions', () => {
    const d = doc(
      [
        '<stock name="Herd"><eqn>10</eqn><inflow>calving</inflow><units>head</units></stock>',
        flow('calving', 'Herd * calving_rate', 'head_per_year'),
        aux('calving rate', '0.2', 'calf per cow per year'),
      ],
      {
        units:
          '<unit name="head"><alias>cow</alias><alias>calf</alias></unit><unit name="head_per_year"><eqn>head/year</eqn></unit>',
      },
    );
    expect(check(d)).toEqual([]);
  });

  it('ignores a Vensim range left in the units by a converter', () => {
    const d = doc([...POPULATION, aux('headcount', 'Population', 'people [0,?]')]);
    expect(check(d)).toEqual([]);
    const e = doc([...POPULATION, aux('headcount', 'births', 'people [0,?]')]);
    expect(single(check(e)).message).toMatch(/declared in people$/);
  });

  it('never throws, even on a model with unparseable equations', () => {
    const d = doc([...POPULATION, aux('broken', 'Population +', 'people'), aux('q', '?', 'people')]);
    const r = readModel(d.text, { file: 'm.xmile' });
    expect(checkUnits(r.model!)).toEqual([]);
  });
});

describe('robustness', () => {
  it('survives random equations over builtins with any number of arguments (seeded)', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const names = [
      'Population',
      'births',
      'birth_rate',
      'capacity',
      'crowding',
      'crowding_effect',
      'TIME',
      'x9',
    ];
    const fns = [
      'EXP',
      'LN',
      'MIN',
      'MAX',
      'SMTH1',
      'SMTHN',
      'DELAYN',
      'TREND',
      'FORCST',
      'PULSE',
      'RAMP',
      'STEP',
      'POWER',
      'SAFEDIV',
      'XIDZ',
      'INIT',
      'PREVIOUS',
      'SQRT',
      'LOOKUP',
      'RANDOM',
      'SUM',
      'crowding_effect',
    ];
    const ops = ['+', '-', '*', '/', '^', '>', '=', 'and', 'mod'];
    const gen = (depth: number): string => {
      const r = rnd(depth > 3 ? 2 : 6);
      if (r === 0) return names[rnd(names.length)]!;
      if (r === 1) return String(rnd(5));
      if (r === 2) return `(${gen(depth + 1)} ${ops[rnd(ops.length)]} ${gen(depth + 1)})`;
      if (r === 3) return `IF ${gen(depth + 1)} THEN ${gen(depth + 1)} ELSE ${gen(depth + 1)}`;
      if (r === 4) return `-${gen(depth + 1)}`;
      const args = Array.from({ length: rnd(5) }, () => gen(depth + 1));
      return `${fns[rnd(fns.length)]}(${args.join(', ')})`;
    };
    let warnings = 0;
    for (let i = 0; i < 300; i++) {
      const d = doc([...POPULATION, aux('fuzz', gen(0), ['people', 'dmnl', '1/year', ''][i % 4])]);
      const model = readModel(d.text, { file: 'm.xmile' }).model!;
      const ws = checkUnits(model);
      for (const w of ws) {
        expect(w.message).not.toContain('internal error');
        expect(w.line).toBeGreaterThan(0);
      }
      warnings += ws.length;
    }
    // Random equations mix units freely: most of them must be caught.
    expect(warnings).toBeGreaterThan(100);
  });
});
