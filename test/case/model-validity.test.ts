/**
 * Validity tests of the North Korea-Russia case model (Sterman, Business Dynamics ch. 21):
 * structure and documentation, dimensional and diagnostic cleanliness, extreme conditions,
 * integration error and mass balance.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModel, compileModel, readModel, type CompiledModel, type Model } from '../../src/engine.js';
import { readModelFile } from '../../src/node/files.js';
import { compareScenarios, reduceOutcome } from '../../src/case/compare.js';
import { parseCaseDefinition, parseScenarios, type Scenario } from '../../src/case/definition.js';

const DIR = 'models/north-korea-russia';
const MODEL_FILE = `${DIR}/model.xmile`;

function load(): { model: Model; compiled: CompiledModel } {
  const read = readModelFile(MODEL_FILE);
  if (!read.model) throw new Error(`cannot read the model: ${JSON.stringify(read.diagnostics)}`);
  const result = compileModel(read.model);
  if (!result.compiled) throw new Error(`cannot compile: ${JSON.stringify(result.diagnostics)}`);
  return { model: read.model, compiled: result.compiled };
}

const { model, compiled } = load();
const definition = parseCaseDefinition(JSON.parse(readFileSync(`${DIR}/case.json`, 'utf8')), 'case.json');
const scenarios = parseScenarios(JSON.parse(readFileSync(`${DIR}/scenarios.json`, 'utf8')), 'scenarios.json');
const baseline = scenarios.find((s) => s.name === 'escalation-management')!;

function series(overrides: Record<string, number>, names: string[], saveStep = 0.25, dt?: number) {
  const r = compiled.run({ overrides, saveStep, vars: names, ...(dt ? { dt } : {}) });
  const out: Record<string, Float64Array> = {};
  for (const n of names) out[n] = r.column(n)!;
  return { time: r.time, ...out } as { time: Float64Array } & Record<string, Float64Array>;
}

function at(time: Float64Array, values: Float64Array, t: number): number {
  const i = time.findIndex((x) => Math.abs(x - t) < 1e-9);
  if (i < 0) throw new Error(`time ${t} not saved`);
  return values[i]!;
}

describe('structure and documentation', () => {
  it('reads, compiles and checks with no errors and no warnings', () => {
    const read = readModelFile(MODEL_FILE);
    const all = [...read.diagnostics, ...compileModel(read.model!).diagnostics, ...checkModel(read.model!)];
    expect(all.map((d) => `${d.severity}: ${d.message} ${d.variable ?? ''}`)).toEqual([]);
  });

  it('would be caught if an equation contradicted its declared units (the check above can fail)', () => {
    const text = readFileSync(MODEL_FILE, 'utf8').replace(
      '<eqn>russian_losses_at_full_tempo * offensive_tempo</eqn>',
      '<eqn>russian_losses_at_full_tempo * offensive_tempo * tolerable_manpower_gap</eqn>',
    );
    const mutated = readModel(text, { file: 'mutated.xmile' }).model!;
    const warnings = checkModel(mutated).filter((d) => d.severity === 'warning');
    expect(warnings.map((d) => d.variable)).toEqual(['russian losses']);
  });

  it('runs in months from 2024-10-01 to at least the end of 2027', () => {
    expect(model.simSpecs.start).toBe(0);
    expect(model.simSpecs.stop).toBeGreaterThanOrEqual(39);
    expect(model.simSpecs.timeUnits).toBe('month');
    expect(definition.startDate).toBe('2024-10-01');
  });

  it('gives every variable units and a documentation naming the claims it encodes', () => {
    const undocumented = model.variables.filter((v) => !v.units || !v.doc || v.doc.length < 20);
    expect(undocumented.map((v) => v.name)).toEqual([]);
    const withoutClaims = model.variables.filter((v) => !/\bC(1[0-8]|[1-9])\b/.test(v.doc ?? ''));
    // Cumulative record flows say which flow they record instead; everything else names claims.
    expect(withoutClaims.map((v) => v.name).filter((n) => !/_count$/.test(n))).toEqual([]);
  });

  it('keeps a diagram: every variable placed, every flow with a pipe, connectors from the equations', () => {
    const view = model.view!;
    expect(view).toBeDefined();
    const placed = new Set(view.elements.map((e) => e.name.replace(/ /g, '_').toLowerCase()));
    expect(model.variables.filter((v) => !placed.has(v.name.toLowerCase())).map((v) => v.name)).toEqual([]);
    const flows = view.elements.filter((e) => e.kind === 'flow');
    expect(flows.length).toBe(model.variables.filter((v) => v.kind === 'flow').length);
    expect(flows.every((f) => (f.points?.length ?? 0) >= 2)).toBe(true);
    expect(view.connectors.length).toBeGreaterThan(100);
  });

  it('encodes every claim that is part of the system (C2-C18, except evidence-only C1 and C5/C6 partly)', () => {
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
});

describe('mass balance', () => {
  it('troops sent = in staging + at the front + killed + wounded evacuated + rotated out, at every step of every scenario', () => {
    const names = [
      'nk_troops_sent_total',
      'nk_troops_in_staging',
      'nk_troops_at_front',
      'nk_killed_total',
      'nk_wounded_evacuated_total',
      'nk_rotated_out_total',
    ];
    for (const s of scenarios) {
      const r = series(s.overrides, names, model.simSpecs.dt);
      expect(r.time.length).toBe(Math.round(model.simSpecs.stop / model.simSpecs.dt) + 1);
      let worst = 0;
      for (let i = 0; i < r.time.length; i++) {
        const accounted =
          r.nk_troops_in_staging![i]! +
          r.nk_troops_at_front![i]! +
          r.nk_killed_total![i]! +
          r.nk_wounded_evacuated_total![i]! +
          r.nk_rotated_out_total![i]!;
        worst = Math.max(worst, Math.abs(r.nk_troops_sent_total![i]! - accounted));
      }
      expect(worst, s.name).toBeLessThan(1e-6 * Math.max(1, r.nk_troops_sent_total!.at(-1)!));
      // Something actually flowed, so the balance is not trivially 0 = 0.
      expect(r.nk_troops_sent_total!.at(-1)!, s.name).toBeGreaterThan(10000);
      expect(r.nk_killed_total!.at(-1)!, s.name).toBeGreaterThan(0);
    }
  });
});

describe('integration error', () => {
  it('halving dt moves no reported outcome by more than 1% of its scale', () => {
    const coarse = compareScenarios(compiled, definition, scenarios);
    const fine = compareScenarios(compiled, definition, scenarios, { dt: model.simSpecs.dt / 2 });
    const failures: string[] = [];
    coarse.forEach((run, k) => {
      for (const o of definition.outcomes) {
        const a = run.outcomes[o.name]!;
        const b = fine[k]!.outcomes[o.name]!;
        if (o.reduce === 'time-of-max') {
          // A time is read off the saved grid: allow one save step.
          if (Math.abs(a - b) > 0.25 + 1e-9) failures.push(`${run.name}.${o.name}: ${a} vs ${b}`);
          continue;
        }
        // Scale: the outcome itself, or, for values that have decayed toward zero, the largest
        // value the variable took in the run (1% of nearly nothing is not a meaningful test).
        const scale = Math.max(Math.abs(a), ...run.series[o.variable]!.map(Math.abs)) || 1;
        const tolerance = 0.01 * (Math.abs(a) > 0.05 * scale ? Math.abs(a) : scale);
        if (Math.abs(a - b) > tolerance) failures.push(`${run.name}.${o.name}: ${a} vs ${b}`);
      }
    });
    expect(failures).toEqual([]);
  });
});

describe('extreme conditions', () => {
  const TROOPS = [
    'nk_troops_in_theatre',
    'kim_troop_commitment',
    'technology_transferred',
    'nk_casualties_total',
  ];

  it('no Russian need for troops: nobody is deployed', () => {
    const r = series({ russian_losses_at_full_tempo: 0, initial_unreplaced_losses: 0 }, TROOPS);
    expect(Math.max(...r.nk_troops_in_theatre!)).toBe(0);
    expect(r.nk_casualties_total!.at(-1)).toBe(0);
  });

  it('Russian need vanishing after the start: the deployment falls to zero', () => {
    const base = series(baseline.overrides, TROOPS);
    const r = series({ russian_losses_at_full_tempo: 0 }, TROOPS);
    const peak = Math.max(...r.nk_troops_in_theatre!);
    expect(peak).toBeGreaterThan(0);
    expect(at(r.time, r.nk_troops_in_theatre!, 12)).toBeLessThan(
      0.01 * Math.max(...base.nk_troops_in_theatre!),
    );
    expect(r.nk_troops_in_theatre!.at(-1)!).toBeLessThan(1);
  });

  it('overwhelming deterrence: the deployment falls and keeps falling', () => {
    const overwhelming = {
      deterrence_policy: 1,
      interdiction_lever: 1,
      area_munitions_lever: 1,
      information_campaign_lever: 1,
      deterrence_response_level: 5,
      deterrence_credibility: 1,
    };
    const base = series(baseline.overrides, TROOPS);
    const r = series(overwhelming, TROOPS);
    expect(at(r.time, r.nk_troops_in_theatre!, 6)).toBeLessThan(
      0.05 * at(base.time, base.nk_troops_in_theatre!, 6),
    );
    // Monotone decline once the committed response is in place (policy start 2 + ramp).
    const from = r.time.findIndex((t) => t >= 4);
    for (let i = from + 1; i < r.time.length; i++) {
      expect(r.nk_troops_in_theatre![i]!).toBeLessThanOrEqual(r.nk_troops_in_theatre![i - 1]! + 1e-9);
    }
    expect(at(r.time, r.kim_troop_commitment!, 12)).toBeLessThan(1);
  });

  it('zero willingness to transfer technology: nothing is transferred and the down-payment loop is silent', () => {
    const silent = series({ russian_acceptance_of_nuclear_north_korea: 0 }, TROOPS);
    expect(Math.max(...silent.technology_transferred!)).toBe(0);
    // What a casualty earns no longer matters to the deployment: the loop is cut ...
    const dearer = series({ russian_acceptance_of_nuclear_north_korea: 0, claim_per_casualty: 3 }, TROOPS);
    for (let i = 0; i < silent.time.length; i++) {
      expect(dearer.nk_troops_in_theatre![i]).toBeCloseTo(silent.nk_troops_in_theatre![i]!, 6);
    }
    // ... whereas with Russia willing the same change moves the deployment.
    const willing = series({}, TROOPS);
    const willingDearer = series({ claim_per_casualty: 3 }, TROOPS);
    expect(at(willingDearer.time, willingDearer.nk_troops_in_theatre!, 12)).toBeGreaterThan(
      1.05 * at(willing.time, willing.nk_troops_in_theatre!, 12),
    );
  });

  it('aversion to a shared defeat raises the deployment only when Russia falters', () => {
    const faltering = { russian_recruitment_capacity: 22000 };
    const without = series(faltering, TROOPS);
    const averse = series({ ...faltering, kim_defeat_aversion: 0.5 }, TROOPS);
    expect(at(averse.time, averse.nk_troops_in_theatre!, 24)).toBeGreaterThan(
      1.2 * at(without.time, without.nk_troops_in_theatre!, 24),
    );
    // With Russia recruiting enough, its offensive never falters and the aversion changes nothing.
    const strong = { russian_recruitment_capacity: 38000, recruitment_response_to_pressure: 0.3 };
    const a = series(strong, TROOPS);
    const b = series({ ...strong, kim_defeat_aversion: 0.5 }, TROOPS);
    expect(at(b.time, b.nk_troops_in_theatre!, 24)).toBeCloseTo(at(a.time, a.nk_troops_in_theatre!, 24), 6);
  });

  it('no casualties at all: no claim from casualties, no domestic strain', () => {
    const r = series(
      { nk_base_casualty_rate: 0, ...scenarios.find((s) => s.name === 'no-western-response')!.overrides },
      ['nk_casualties_total', 'domestic_strain', 'nk_troops_in_theatre'],
    );
    expect(Math.max(...r.nk_casualties_total!)).toBe(0);
    expect(Math.max(...r.domestic_strain!)).toBe(0);
    expect(Math.max(...r.nk_troops_in_theatre!)).toBeGreaterThan(10000);
  });
});

describe('loop polarity in behaviour', () => {
  // Strengthening a reinforcing loop raises the deployment; strengthening a balancing loop lowers it.
  const troops24 = (overrides: Record<string, number>): number => {
    const r = series(overrides, ['nk_troops_in_theatre']);
    return at(r.time, r.nk_troops_in_theatre!, 24);
  };
  const cases: [string, string, number, number, 'up' | 'down'][] = [
    ['R1 down payment', 'claim_that_doubles_willingness', 80000, 20000, 'up'],
    ['R1 exchange rate', 'security_value_per_credit', 2, 4, 'up'],
    ['R2b dependence', 'russian_gratitude_for_troops', 0, 2, 'up'],
    ['B1 casualty cost', 'domestic_shock_per_visible_casualty', 3, 8, 'down'],
    ['B2 Western response', 'em_response_gain', 0.2, 0.8, 'down'],
    ['B4 capability saturation', 'kim_capability_goal', 5, 2, 'down'],
  ];
  for (const [loop, parameter, weak, strong, direction] of cases) {
    it(`${loop}: a stronger ${parameter} moves troops at month 24 ${direction}`, () => {
      const a = troops24({ [parameter]: weak });
      const b = troops24({ [parameter]: strong });
      if (direction === 'up') expect(b).toBeGreaterThan(a * 1.05);
      else expect(b).toBeLessThan(a * 0.95);
    });
  }
});

describe('scenario behaviour the report relies on', () => {
  const runs = compareScenarios(compiled, definition, scenarios);
  const byName = (name: string) => runs.find((r) => r.name === name)!;

  it('every scenario is distinct from the baseline where its lever acts', () => {
    const base = byName('escalation-management');
    for (const s of scenarios.filter((x: Scenario) => x.name !== base.name)) {
      expect(byName(s.name).outcomes.troops_m12, s.name).not.toBeCloseTo(base.outcomes.troops_m12!, 0);
    }
  });

  it('the reducers agree with the series', () => {
    const base = byName('escalation-management');
    const troops = base.series.nk_troops_in_theatre!;
    const outcome = definition.outcomes.find((o) => o.name === 'peak_troops')!;
    expect(reduceOutcome(outcome, troops, base.time)).toBe(Math.max(...troops));
    expect(base.outcomes.troops_m6).toBe(troops[base.time.indexOf(6)]);
  });
});
