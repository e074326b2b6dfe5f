/**
 * The validation suite of the North Korea-Russia case model, one block per test of Sterman,
 * Business Dynamics ch. 21: boundary adequacy, structure assessment (a knockout per named loop),
 * dimensional consistency, parameter assessment, extreme conditions, integration error,
 * behaviour reproduction, behaviour anomaly and family-member sensitivity. Mass balance and
 * documentation checks come first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModel, compileModel, readModel, type CompiledModel, type Model } from '../../src/engine.js';
import { readModelFile } from '../../src/node/files.js';
import { compareScenarios } from '../../src/case/compare.js';
import { modelTimeOf, valueAt } from '../../src/case/hindcast.js';
import { theilStatistics } from '../../src/case/fit.js';
import {
  parseCaseDefinition,
  parseLoops,
  parseParameters,
  parseScenarios,
} from '../../src/case/definition.js';
import { centralValue, estimatesFor, parseEvidenceJson, type MeasureType } from '../../src/evidence/data.js';

const DIR = 'models/north-korea-russia';
const MODEL_FILE = `${DIR}/model.xmile`;
const json = (name: string): unknown => JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8'));

function load(): { model: Model; compiled: CompiledModel } {
  const read = readModelFile(MODEL_FILE);
  if (!read.model) throw new Error(`cannot read the model: ${JSON.stringify(read.diagnostics)}`);
  const result = compileModel(read.model);
  if (!result.compiled) throw new Error(`cannot compile: ${JSON.stringify(result.diagnostics)}`);
  return { model: read.model, compiled: result.compiled };
}

const { model, compiled } = load();
const definition = parseCaseDefinition(json('case.json'), 'case.json');
const scenarios = parseScenarios(json('scenarios.json'), 'scenarios.json');
const parameters = parseParameters(json('parameters.json'), 'parameters.json');
const loops = parseLoops(json('loops.json'), 'loops.json');
const evidenceParse = parseEvidenceJson(readFileSync(`${DIR}/evidence.json`, 'utf8'));
if (!evidenceParse.ok) throw new Error('invalid evidence');
const evidence = evidenceParse.document;

/** Stocks counted in people: none may ever go negative. */
const PEOPLE_STOCKS = model.variables
  .filter((v) => v.kind === 'stock' && v.units === 'people')
  .map((v) => v.name);
const ALL = model.variables.map((v) => v.name);

function run(
  overrides: Record<string, number>,
  names: string[],
  options: { saveStep?: number; dt?: number; method?: 'euler' | 'rk4' } = {},
) {
  const r = compiled.run({
    overrides,
    saveStep: options.saveStep ?? 0.25,
    vars: names,
    ...(options.dt ? { dt: options.dt } : {}),
    ...(options.method ? { method: options.method } : {}),
  });
  const out: Record<string, Float64Array> = {};
  for (const n of names) out[n] = r.column(n)!;
  return { time: r.time, ...out } as { time: Float64Array } & Record<string, Float64Array>;
}

function at(r: { time: Float64Array } & Record<string, Float64Array>, name: string, t: number): number {
  const i = r.time.findIndex((x) => Math.abs(x - t) < 1e-9);
  if (i < 0) throw new Error(`time ${t} not saved`);
  return r[name]![i]!;
}

/** Every saved value finite, and no people stock below zero (a rounding hair allowed). */
function sane(overrides: Record<string, number>): string[] {
  const r = run(overrides, ALL, { saveStep: 0.5 });
  const problems: string[] = [];
  for (const name of ALL) {
    const xs = r[name]!;
    if (xs.some((x) => !Number.isFinite(x))) problems.push(`${name} not finite`);
  }
  for (const name of PEOPLE_STOCKS) {
    const min = Math.min(...r[name]!);
    if (min < -1e-6) problems.push(`${name} reaches ${min}`);
  }
  return problems;
}

describe('documentation and mass balance', () => {
  it('gives every variable units and a documentation naming the claims it encodes', () => {
    const undocumented = model.variables.filter((v) => !v.units || !v.doc || v.doc.length < 20);
    expect(undocumented.map((v) => v.name)).toEqual([]);
    const withoutClaims = model.variables.filter((v) => !/\bC(1[0-8]|[1-9])\b/.test(v.doc ?? ''));
    expect(withoutClaims.map((v) => v.name).filter((n) => !/_count$/.test(n))).toEqual([]);
  });

  it('encodes every claim that is part of the system (C2-C18 but the evidence-only C1, C5, C6)', () => {
    const docs = model.variables.map((v) => v.doc ?? '').join(' ');
    for (const claim of [
      'C2',
      'C3',
      'C4',
      'C7',
      'C8',
      'C9',
      'C10',
      'C11',
      'C12',
      'C13',
      'C14',
      'C15',
      'C16',
      'C17',
      'C18',
    ]) {
      expect(docs, claim).toMatch(new RegExp(`\\b${claim}\\b`));
    }
  });

  it('keeps a diagram: every variable placed, every flow with a pipe, connectors from the equations', () => {
    const view = model.view!;
    const placed = new Set(view.elements.map((e) => e.name.replace(/ /g, '_').toLowerCase()));
    expect(model.variables.filter((v) => !placed.has(v.name.toLowerCase())).map((v) => v.name)).toEqual([]);
    const flows = view.elements.filter((e) => e.kind === 'flow');
    expect(flows.length).toBe(model.variables.filter((v) => v.kind === 'flow').length);
    expect(flows.every((f) => (f.points?.length ?? 0) >= 2)).toBe(true);
  });

  it('troops sent + wounded back on duty = in training + at the front + killed + wounded (those under treatment included) + gone home, at every step of every scenario', () => {
    const names = [
      'nk_troops_sent_total',
      'nk_troops_training',
      'nk_troops_at_front',
      'nk_killed_total',
      'nk_wounded_total',
      'nk_rotated_out_total',
      'nk_returned_to_duty_total',
    ];
    // A wounded soldier back on duty is counted among the wounded and again where he is now.
    const sign = (n: string) => (n === 'nk_returned_to_duty_total' ? -1 : 1);
    for (const s of scenarios) {
      const r = run(s.overrides, names, { saveStep: model.simSpecs.dt });
      let worst = 0;
      for (let i = 0; i < r.time.length; i++) {
        const accounted = names.slice(1).reduce((sum, n) => sum + sign(n) * r[n]![i]!, 0);
        worst = Math.max(worst, Math.abs(r.nk_troops_sent_total![i]! - accounted));
      }
      expect(worst, s.name).toBeLessThan(1e-6 * Math.max(1, r.nk_troops_sent_total!.at(-1)!));
      expect(r.nk_troops_sent_total!.at(-1)!, s.name).toBeGreaterThan(5000);
    }
  });

  it('declares no stock non-negative: outflows are limited in their equations, not by the clamp', () => {
    expect(model.variables.filter((v) => v.kind === 'stock' && v.nonNegative).map((v) => v.name)).toEqual([]);
  });
});

describe('boundary adequacy (documented in the README)', () => {
  const readme = readFileSync(`${DIR}/README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Model boundary'));
  const boundary = section.slice(0, section.indexOf('\n## ', 5));

  it('has a boundary chart: endogenous, exogenous and excluded', () => {
    expect(boundary).toMatch(/Endogenous/);
    expect(boundary).toMatch(/Exogenous/);
    expect(boundary).toMatch(/Excluded/);
  });

  it('names every stock as endogenous and keeps geography, targeting and weapon effects out', () => {
    const endogenous = boundary.slice(boundary.indexOf('Endogenous'), boundary.indexOf('Exogenous'));
    const stocks = model.variables.filter((v) => v.kind === 'stock').map((v) => v.name);
    expect(stocks.filter((s) => !endogenous.includes(`\`${s}\``))).toEqual([]);
    const excluded = boundary.slice(boundary.indexOf('Excluded'));
    for (const word of ['geography', 'targeting', 'weapon effects']) expect(excluded).toContain(word);
  });

  it('has no exogenous time series: every input is a constant of parameters.json', () => {
    const graphical = model.variables.filter((v) => v.gf !== undefined);
    expect(graphical.map((v) => v.name)).toEqual([]);
    expect(model.variables.filter((v) => /\bTIME\b/.test(v.eqn?.text ?? '')).map((v) => v.name)).toEqual([]);
  });
});

describe('structure assessment: each named loop changes the behaviour when cut', () => {
  it('every loop of loops.json has a knockout', () => {
    expect(loops.filter((l) => !l.knockout).map((l) => l.id)).toEqual([]);
    expect(loops.map((l) => l.id)).toEqual(
      expect.arrayContaining(['B0', 'R1', 'R2', 'R3', 'B1', 'B2', 'B3', 'B4', 'B5']),
    );
  });
  for (const loop of loops) {
    const k = loop.knockout!;
    const outcome = k.outcome ?? 'nk_troops_in_theatre';
    const time = k.time ?? 24;
    const given = k.given ?? {};
    const where = k.given
      ? ` (given ${Object.entries(given)
          .map(([n, v]) => `${n} = ${v}`)
          .join(', ')})`
      : '';
    it(`${loop.id} ${loop.name}: cutting it moves ${outcome} at month ${time} ${k.direction}${where}`, () => {
      const base = at(run(given, [outcome]), outcome, time);
      const cut = at(run({ ...given, ...k.overrides }, [outcome]), outcome, time);
      if (k.direction === 'up') expect(cut).toBeGreaterThan(base * 1.01);
      else expect(cut).toBeLessThan(base * 0.99);
    });
  }
});

describe('structure assessment: mechanisms outside the named loops act', () => {
  it('the treaty (C2) is a cost of withdrawal: without it the deployment shrinks faster', () => {
    // A withdrawal is needed to see it: with no Russian need for troops the commitment falls.
    const noNeed = { russian_losses_at_full_tempo: 0, initial_unreplaced_losses: 0 };
    const troops = (cost: number) =>
      at(
        run({ ...noNeed, treaty_withdrawal_cost: cost }, ['nk_troops_in_theatre']),
        'nk_troops_in_theatre',
        12,
      );
    expect(troops(0)).toBeLessThan(0.5 * troops(2));
  });

  it('hedging (C13) raises the help Russia gives whatever the troops do', () => {
    const tech = (h: number) =>
      at(run({ alliance_hedging_value: h }, ['technology_transferred']), 'technology_transferred', 24);
    expect(tech(1)).toBeGreaterThan(1.05 * tech(0));
  });

  it('mobilisation pressure has a consequence: conscription rises with it (C7)', () => {
    const r = run({ russian_recruitment_capacity: 22000, russian_losses_at_full_tempo: 45000 }, [
      'mobilisation_pressure',
      'russian_recruitment_sought',
    ]);
    const calm = run({ russian_recruitment_capacity: 38000, russian_losses_at_full_tempo: 30000 }, [
      'mobilisation_pressure',
      'russian_recruitment_sought',
    ]);
    expect(at(r, 'mobilisation_pressure', 12)).toBeGreaterThan(at(calm, 'mobilisation_pressure', 12));
    expect(at(r, 'russian_recruitment_sought', 12) - 22000).toBeGreaterThan(
      at(calm, 'russian_recruitment_sought', 12) - 38000,
    );
  });
});

describe('dimensional consistency', () => {
  it('reads, compiles and checks with no errors and no warnings (interlock check is clean)', () => {
    const read = readModelFile(MODEL_FILE);
    const all = [...read.diagnostics, ...compileModel(read.model!).diagnostics, ...checkModel(read.model!)];
    expect(all.map((d) => `${d.severity}: ${d.message} ${d.variable ?? ''}`)).toEqual([]);
  });

  it('would be caught if an equation contradicted its declared units (the check above can fail)', () => {
    const text = readFileSync(MODEL_FILE, 'utf8').replace(
      '<eqn>nk_troops_mobilising / nk_mobilisation_time</eqn>',
      '<eqn>nk_troops_mobilising * nk_mobilisation_time</eqn>',
    );
    const mutated = readModel(text, { file: 'mutated.xmile' }).model!;
    const warnings = checkModel(mutated).filter((d) => d.severity === 'warning');
    expect(warnings.map((d) => d.variable)).toContain('nk embarkation');
  });
});

describe('parameter assessment: every number sourced or ranged', () => {
  const literal = /^\s*[-+]?[0-9.]+(e[-+]?\d+)?\s*$/i;
  const constants = model.variables.filter((v) => v.kind === 'aux' && literal.test(v.eqn?.text ?? ''));

  it('every constant is in parameters.json with a source, a range containing it and an estimation class', () => {
    const byName = new Map(parameters.map((p) => [p.name, p]));
    expect(constants.filter((c) => !byName.has(c.name)).map((c) => c.name)).toEqual([]);
    expect(parameters.length).toBe(constants.length);
    for (const p of parameters) {
      expect(p.source.length, p.name).toBeGreaterThan(5);
      expect(p.estimation, p.name).toBeDefined();
      expect(p.value! >= p.range[0] && p.value! <= p.range[1], p.name).toBe(true);
    }
  });

  it('deep parameters sit at the centre of their range; identifiable ones at their posterior median (none tuned on the outcome)', () => {
    const posterior = json('calibration/posterior.json') as {
      parameters: Record<string, { q50: number; contraction: number }>;
    };
    for (const p of parameters.filter((x) => x.estimation === 'deep')) {
      expect(p.value, p.name).toBeCloseTo((p.range[0] + p.range[1]) / 2, 9);
      expect(p.range[0] < p.range[1], p.name).toBe(true);
    }
    const identifiable = parameters.filter((p) => p.estimation === 'identifiable');
    expect(identifiable.length).toBeGreaterThanOrEqual(6);
    for (const p of identifiable) {
      const q50 = posterior.parameters[p.name]?.q50;
      expect(q50, `${p.name} is in calibration/posterior.json`).toBeDefined();
      expect(p.value, p.name).toBe(Number(q50.toPrecision(4)));
      expect(p.range[0] < p.range[1], p.name).toBe(true);
    }
    for (const p of parameters.filter((x) => x.estimation === 'switch'))
      expect(p.range, p.name).toEqual([0, 1]);
  });

  it('no number hides in an equation: the only literals outside constants are 0 and 1', () => {
    const numbers = model.variables
      .filter((v) => v.kind !== 'aux' || !literal.test(v.eqn?.text ?? ''))
      .flatMap((v) =>
        (
          (v.eqn?.text ?? '').replace(/[A-Za-z_][A-Za-z0-9_]*/g, ' ').match(/\d+(\.\d+)?(e[-+]?\d+)?/gi) ?? []
        ).map((n) => `${v.name}: ${n}`),
      );
    expect(numbers.filter((n) => !/: [01]$/.test(n))).toEqual([]);
  });
});

describe('extreme conditions', () => {
  const uncertain = parameters.filter((p) => p.range[0] < p.range[1] && !p.lever);

  it('every parameter at each end of its range: finite values, no negative people', () => {
    const problems: string[] = [];
    for (const p of uncertain) {
      for (const end of p.range) {
        for (const issue of sane({ [p.name]: end })) problems.push(`${p.name} = ${end}: ${issue}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every initial value at zero, initial_commitment = 0 included: finite, and nobody is sent', () => {
    const zeros: Record<string, number> = {};
    for (const p of parameters.filter((x) => x.name.startsWith('initial_'))) zeros[p.name] = 0;
    expect(Object.keys(zeros)).toEqual(
      expect.arrayContaining(['initial_commitment', 'initial_unreplaced_losses']),
    );
    expect(sane(zeros)).toEqual([]);
    expect(sane({ initial_commitment: 0 })).toEqual([]);
    const r = run({ initial_commitment: 0 }, ['nk_troops_sent_total', 'kim_troop_commitment']);
    expect(at(r, 'nk_troops_sent_total', 1)).toBeLessThan(
      at(run({}, ['nk_troops_sent_total']), 'nk_troops_sent_total', 1),
    );
  });

  it('every lever at full, at the strongest deterrent and beyond: finite, no negative people', () => {
    const full = {
      deterrence_policy: 1,
      interdiction_lever: 1,
      area_munitions_lever: 1,
      information_campaign_lever: 1,
    };
    expect(sane(full)).toEqual([]);
    expect(
      sane({
        ...full,
        deterrence_response_level: 20,
        deterrence_credibility: 1,
        interdiction_max_attrition_rate: 0.3,
      }),
    ).toEqual([]);
    expect(sane({ em_response_gain: 50, status_quo_lever_use: 1 })).toEqual([]);
  });

  it('every parameter at the same end of its range at once, with every lever at full: finite, no negative people', () => {
    const full = {
      deterrence_policy: 1,
      interdiction_lever: 1,
      area_munitions_lever: 1,
      information_campaign_lever: 1,
    };
    for (const end of [0, 1] as const) {
      const joint = Object.fromEntries(uncertain.map((p) => [p.name, p.range[end]]));
      expect(sane(joint), `every parameter at its ${end ? 'top' : 'bottom'}`).toEqual([]);
      expect(sane({ ...joint, ...full }), `at its ${end ? 'top' : 'bottom'}, levers at full`).toEqual([]);
    }
  });

  it('no Russian need for troops: the deployment dies away', () => {
    const r = run({ russian_losses_at_full_tempo: 0, initial_unreplaced_losses: 0 }, [
      'nk_troops_in_theatre',
    ]);
    const peak = Math.max(...r.nk_troops_in_theatre!);
    // The first contingent lands, then the commitment adjusts toward zero (slower once the treaty
    // binds): a small fraction of its peak by month 24, and nearly nothing by the end.
    expect(at(r, 'nk_troops_in_theatre', 24)).toBeLessThan(0.15 * peak);
    expect(r.nk_troops_in_theatre!.at(-1)!).toBeLessThan(0.02 * peak);
  });

  it('zero Russian acceptance of a nuclear North Korea: no technology at all', () => {
    const r = run({ russian_acceptance_of_nuclear_north_korea: 0 }, ['technology_transferred']);
    expect(Math.max(...r.technology_transferred!)).toBe(0);
  });

  it('overwhelming, credible deterrence: the commitment falls before losses are felt', () => {
    const strong = {
      deterrence_policy: 1,
      interdiction_lever: 1,
      area_munitions_lever: 1,
      information_campaign_lever: 1,
      deterrence_response_level: 5,
      deterrence_credibility: 1,
    };
    const names = ['kim_desired_commitment', 'kim_troop_commitment', 'nk_casualties_total'];
    const believed = run(strong, names);
    const doubted = run({ ...strong, deterrence_credibility: 0 }, names);
    // A month after the deterrent is in force (month 3), casualties are still the same in both
    // runs, but the believed threat has already cut the commitment Kim wants; the doubted one acts
    // only through losses as they are felt, later.
    expect(at(believed, 'nk_casualties_total', 3)).toBeCloseTo(at(doubted, 'nk_casualties_total', 3), -1);
    expect(at(believed, 'kim_desired_commitment', 3)).toBeLessThan(
      0.9 * at(doubted, 'kim_desired_commitment', 3),
    );
    // And the commitment itself follows: lower under belief through the first year.
    for (const t of [4, 6, 12])
      expect(at(believed, 'kim_troop_commitment', t)).toBeLessThan(at(doubted, 'kim_troop_commitment', t));
  });
});

describe('integration error', () => {
  const scaleOf = (xs: Float64Array) => Math.max(...xs.map(Math.abs)) || 1;
  const outcomes = [
    'nk_troops_in_theatre',
    'nk_troops_sent_total',
    'nk_casualties_total',
    'technology_transferred',
    'mobilisation_pressure',
  ];

  for (const [label, options] of [
    ['dt halved', { dt: model.simSpecs.dt / 2 }],
    ['RK4', { method: 'rk4' as const }],
  ] as const) {
    it(`${label}: every scenario's key series stay within 1% of their scale`, () => {
      const failures: string[] = [];
      for (const s of scenarios) {
        const a = run(s.overrides, outcomes);
        const b = run(s.overrides, outcomes, options);
        for (const name of outcomes) {
          const scale = scaleOf(a[name]!);
          const worst = Math.max(...a[name]!.map((x, i) => Math.abs(x - b[name]![i]!)));
          if (worst > 0.01 * scale) failures.push(`${s.name}.${name}: ${worst} of ${scale}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('behaviour reproduction: fit to the evidence (Theil decomposition)', () => {
  // The calibrated streams; killed-and-wounded against South Korea's NIS, the reference the other
  // sources' biases are estimated against (calibration.json).
  const streams: [string, MeasureType, string, string?][] = [
    ['nk.troops.in_russia', 'present', 'nk_troops_in_theatre'],
    ['nk.troops.in_russia', 'cumulative-sent', 'nk_troops_sent_total'],
    ['nk.casualties.killed', 'killed', 'nk_killed_total'],
    ['nk.casualties.total', 'killed-and-wounded', 'nk_casualties_total', 'src-kr-nis'],
  ];
  const fitOf = (overrides: Record<string, number>, s: (typeof streams)[number]) => {
    const [quantity, measure, variable, source] = s;
    const r = run(overrides, [variable], { saveStep: 1 / 32 });
    const obs = estimatesFor(evidence, quantity, { measures: [measure], bases: ['observed', 'assessed'] })
      .filter((e) => e.asOf <= '2025-09-30')
      .filter((e) => !source || e.source === source);
    const simulated = obs.map((e) =>
      valueAt([...r.time], [...r[variable]!], modelTimeOf(definition, e.asOf)),
    );
    const observed = obs.map(centralValue);
    const logErrors = simulated.map((x, i) => Math.log(x / observed[i]!));
    return {
      n: obs.length,
      theil: theilStatistics(simulated, observed),
      meanLogError: logErrors.reduce((a, b) => a + b, 0) / logErrors.length,
    };
  };

  // The posterior's best-fit point (its MAP): the defaults are the marginal medians of a correlated
  // posterior, which fit a little worse, so the reproduction is judged where the posterior peaks.
  const posterior = JSON.parse(readFileSync(`${DIR}/calibration/posterior.json`, 'utf8')) as {
    parameters: Record<string, { map: number }>;
  };
  const bestFit = Object.fromEntries(
    Object.entries(posterior.parameters)
      .filter(([name]) => !name.startsWith('bias.'))
      .map(([name, p]) => [name, p.map]),
  );
  for (const s of streams) {
    const [quantity, measure, variable, source] = s;
    it(`${quantity} (${measure}${source ? `, ${source}` : ''}) against ${variable} at the posterior's best fit: unbiased within a factor of 1.5`, () => {
      expect(Object.keys(bestFit).length).toBeGreaterThanOrEqual(10);
      const fit = fitOf(bestFit, s);
      expect(fit.n).toBeGreaterThanOrEqual(3);
      expect(fit.theil.um + fit.theil.us + fit.theil.uc).toBeCloseTo(1, 9);
      expect(Math.abs(fit.meanLogError)).toBeLessThan(Math.log(1.5));
    });
  }

  it('would fail for a model that sends twice the troops (the check above can fail)', () => {
    const doubled = { ...bestFit, initial_commitment: 2 * bestFit.initial_commitment! };
    expect(fitOf(doubled, streams[1]!).meanLogError).toBeGreaterThan(Math.log(1.5));
  });
});

describe('behaviour anomaly: the pipeline is what keeps the first weeks right', () => {
  it('with the pipeline the model lands ~1,500 by 13 October; without it, the whole contingent at once', () => {
    const t = modelTimeOf(definition, '2024-10-13');
    const saved = (r: ReturnType<typeof run>) => valueAt([...r.time], [...r.nk_troops_sent_total!], t);
    const withPipeline = saved(run({}, ['nk_troops_sent_total'], { saveStep: 1 / 32 }));
    const instant = saved(
      run(
        { nk_order_time: 0.05, nk_mobilisation_time: 0.05, nk_sealift_time: 0.05, nk_sealift_capacity: 1e7 },
        ['nk_troops_sent_total'],
        { saveStep: 1 / 32 },
      ),
    );
    expect(withPipeline).toBeGreaterThan(500);
    expect(withPipeline).toBeLessThan(3000);
    expect(instant).toBeGreaterThan(8000);
  });
});

describe('family-member sensitivity: a smaller ally of the same kind behaves alike', () => {
  it('halving the North Korean side halves the deployment and keeps its shape', () => {
    const names = ['nk_troops_in_theatre'];
    // Every people-denominated scale of the North Korean side (and the claim it earns) at half its
    // default, and the share of need Russia seeks halved.
    const halved = [
      'nk_expeditionary_pool',
      'initial_commitment',
      'nk_sealift_capacity',
      'escalation_reference',
      'strain_reference_losses',
      // Russia's most help a month and the help that doubles capability: the smaller ally gets
      // help in proportion, and the same help means as much to it.
      'max_technology_transfer_rate',
      'technology_to_double_capability',
      'initial_claim_on_russia',
      'claim_per_shell',
      'claim_per_missile',
    ];
    const half = Object.fromEntries(
      halved.map((name) => {
        const p = parameters.find((x) => x.name === name);
        if (p?.value === undefined) throw new Error(`no default for ${name}`);
        return [name, p.value / 2];
      }),
    );
    const a = run({}, names);
    const b = run(half, names);
    const peakTime = (r: ReturnType<typeof run>) =>
      r.time[r.nk_troops_in_theatre!.indexOf(Math.max(...r.nk_troops_in_theatre!))]!;
    expect(Math.abs(peakTime(a) - peakTime(b))).toBeLessThanOrEqual(2);
    const ratio = Math.max(...b.nk_troops_in_theatre!) / Math.max(...a.nk_troops_in_theatre!);
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
  });
});

describe('scenarios the report relies on', () => {
  it('every scenario differs from the baseline', () => {
    const runs = compareScenarios(compiled, definition, scenarios);
    const base = runs.find((r) => r.name === 'escalation-management')!;
    for (const r of runs.filter((x) => x.name !== base.name)) {
      expect(r.outcomes.troops_m12, r.name).not.toBeCloseTo(base.outcomes.troops_m12!, 0);
    }
  });
});
