/**
 * The files beside the case model agree with it: every parameter is documented with a source or
 * an assumption range that contains its value, every cited estimate exists in the evidence file,
 * the named loops are real causal cycles of the model, and the experiment spec is valid.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/engine.js';
import { readModelFile } from '../../src/node/files.js';
import { canonicalName } from '../../src/case/compare.js';
import { parseLoops, parseParameters, parseScenarios } from '../../src/case/definition.js';
import { estimateById, parseEvidenceJson, type EvidenceDocument } from '../../src/evidence/data.js';
import { parseSpec } from '../../src/experiments/spec.js';

const DIR = 'models/north-korea-russia';
const json = (name: string): unknown => JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8'));

const read = readModelFile(`${DIR}/model.xmile`);
const model = read.model!;
const compiled = compileModel(model).compiled!;
const parameters = parseParameters(json('parameters.json'), 'parameters.json');
const scenarios = parseScenarios(json('scenarios.json'), 'scenarios.json');
const loops = parseLoops(json('loops.json'), 'loops.json');
const posterior = json('calibration/posterior.json') as { draws: Record<string, number[]> };

function evidence(): EvidenceDocument {
  const parsed = parseEvidenceJson(readFileSync(`${DIR}/evidence.json`, 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

describe('parameters.json', () => {
  // Constants written as numbers (the engine also lists expressions of constants, which are not
  // parameters of their own).
  const literal = new Set(
    model.variables
      .filter((v) => /^\s*[-+]?[0-9.]+(e[-+]?\d+)?\s*$/i.test(v.eqn?.text ?? ''))
      .map((v) => canonicalName(v.name)),
  );
  const constants = compiled.parameters.filter(
    (p) => p.kind === 'constant' && literal.has(canonicalName(p.name)),
  );

  it('covers exactly the constants of the model, with their values', () => {
    const documented = new Map(parameters.map((p) => [canonicalName(p.name), p]));
    expect(constants.filter((c) => !documented.has(canonicalName(c.name))).map((c) => c.name)).toEqual([]);
    expect(parameters.length).toBe(constants.length);
    for (const c of constants) {
      expect(documented.get(canonicalName(c.name))!.value, c.name).toBe(c.value);
    }
  });

  it('gives each parameter a source or reason, claims, and a range containing its value', () => {
    for (const p of parameters) {
      expect(p.source.length, p.name).toBeGreaterThan(5);
      expect(p.claims.length, p.name).toBeGreaterThan(0);
      expect(p.range[0], p.name).toBeLessThanOrEqual(p.value!);
      expect(p.range[1], p.name).toBeGreaterThanOrEqual(p.value!);
    }
  });

  it('cites reported figures for sourced parameters, each an estimate of the evidence file', () => {
    const doc = evidence();
    const sourced = parameters.filter((p) => p.kind === 'sourced');
    expect(sourced.length).toBeGreaterThanOrEqual(5);
    for (const p of sourced) {
      expect(p.estimates.length, p.name).toBeGreaterThan(0);
      expect(p.source, p.name).toMatch(/reported-figures\.md/);
    }
    const missing = parameters.flatMap((p) => p.estimates.filter((id) => !estimateById(doc, id)));
    expect(missing).toEqual([]);
  });

  it('initial values rest only on what was published by November 2024', () => {
    const doc = evidence();
    const initial = ['initial_commitment', 'initial_shells_delivered'];
    for (const name of initial) {
      const p = parameters.find((x) => x.name === name)!;
      for (const id of p.estimates) {
        const e = estimateById(doc, id)!;
        const published = doc.reports.find((r) => r.id === e.report)!.published;
        expect(published <= '2024-11-30', `${name} cites ${id} published ${published}`).toBe(true);
      }
    }
  });
});

describe('scenarios.json', () => {
  it('has the six required scenarios and the three pairs of levers, all overriding real parameters', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'escalation-management',
      'interdiction',
      'area-munitions',
      'information-campaign',
      'interdiction-munitions',
      'interdiction-information',
      'munitions-information',
      'combined-deterrence',
      'no-western-response',
    ]);
    const known = new Set(compiled.parameters.map((p) => canonicalName(p.name)));
    for (const s of scenarios) {
      for (const name of Object.keys(s.overrides)) expect(known.has(canonicalName(name)), name).toBe(true);
      expect(s.description.length).toBeGreaterThan(30);
    }
  });
});

describe('loops.json', () => {
  // a -> b is a causal link when b's equation refers to a, or a is a flow of stock b.
  const byName = new Map(model.variables.map((v) => [v.name.toLowerCase(), v]));
  const links = (from: string, to: string): boolean => {
    const target = byName.get(to.toLowerCase());
    if (!target) return false;
    if (target.kind === 'stock') {
      return [...(target.inflows ?? []), ...(target.outflows ?? [])].some(
        (f) => f.toLowerCase() === from.toLowerCase(),
      );
    }
    const refs = (target.eqn?.text ?? '').toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? [];
    return refs.includes(from.toLowerCase());
  };

  it('names at least R1 (down payment), a shared-fate loop, casualty cost and a Western-response loop', () => {
    const ids = loops.map((l) => l.id);
    expect(ids).toEqual(expect.arrayContaining(['R1', 'R2', 'B1', 'B2']));
    expect(loops.find((l) => l.id === 'R1')!.claims).toContain('C11');
    expect(loops.find((l) => l.id === 'R2')!.claims).toEqual(expect.arrayContaining(['C9', 'C14']));
  });

  it('lists only real causal cycles of the model', () => {
    for (const loop of loops) {
      const path = loop.path;
      for (let i = 0; i < path.length; i++) {
        const from = path[i]!;
        const to = path[(i + 1) % path.length]!;
        expect(links(from, to), `${loop.id}: ${from} -> ${to}`).toBe(true);
      }
    }
  });

  it('rejects a path that is not a cycle (the check above can fail)', () => {
    expect(links('nk_troops_at_front', 'technology_transferred')).toBe(false);
    expect(links('technology_transfer', 'technology_transferred')).toBe(true);
  });
});

describe('experiments/thesis.json', () => {
  const raw = json('experiments/thesis.json') as Record<string, unknown>;
  const spec = parseSpec(raw, 'thesis.json');

  it('is a valid experiment spec over every scenario', () => {
    expect(spec.model).toBe('../model.xmile');
    expect(spec.scenarios).toEqual(scenarios.map((s) => s.name));
    expect(spec.outcomes.map((o) => o.name)).toEqual(
      expect.arrayContaining(['troops_m24', 'peak_troops', 'troops_series']),
    );
  });

  it('samples every assumed or sourced parameter over its range, and no lever', () => {
    const sampled = new Map(spec.uncertainties.map((u) => [u.name, u]));
    for (const p of parameters) {
      if (p.lever || p.range[0] === p.range[1]) {
        expect(sampled.has(p.name), p.name).toBe(false);
        continue;
      }
      const u = sampled.get(p.name) as unknown as { low: number; high: number; values?: number[] };
      expect(u, p.name).toBeDefined();
      // Structural switches are sampled as 0/1 choices; identifiable constants jointly from the
      // posterior's draws; everything else over its range.
      if (p.estimation === 'switch') expect(u.values).toEqual(p.range);
      else if (p.estimation === 'identifiable') {
        expect(u).toMatchObject({ dist: 'draws', group: 'posterior', values: posterior.draws[p.name] });
        expect(
          u.values!.every((x) => x >= p.range[0] && x <= p.range[1]),
          p.name,
        ).toBe(true);
      } else expect([u.low, u.high]).toEqual(p.range);
    }
  });
});

describe('README.md', () => {
  it('reports the scenario outcomes the model produces now', async () => {
    const { compareScenarios, formatNumber } = await import('../../src/case/compare.js');
    const { parseCaseDefinition } = await import('../../src/case/definition.js');
    const definition = parseCaseDefinition(json('case.json'), 'case.json');
    const runs = compareScenarios(compiled, definition, scenarios);
    const readme = readFileSync(`${DIR}/README.md`, 'utf8');
    const header = readme.split('\n').findIndex((l) => l.startsWith('| policy') && l.includes('troops m6'));
    expect(header).toBeGreaterThan(0);
    const table = readme
      .split('\n')
      .slice(header + 2, header + 2 + runs.length)
      .map((l) => l.split('|').map((c) => c.trim()));
    for (const run of runs) {
      const row = table.find((cells) => cells[1] === run.name);
      expect(row, run.name).toBeDefined();
      const o = run.outcomes;
      const expected = [
        formatNumber(o.troops_m6!),
        formatNumber(o.troops_m12!),
        formatNumber(o.troops_m24!),
        `${formatNumber(o.peak_troops!)} (${+o.peak_month!.toFixed(2)})`,
        formatNumber(o.casualties_m24!),
        formatNumber(o.technology_m24!),
        formatNumber(o.mobilisation_pressure_m12!),
      ];
      expect(row!.slice(2, 9), run.name).toEqual(expected);
    }
  });
});

describe('experiments/sensitivity.json', () => {
  const spec = parseSpec(json('experiments/sensitivity.json'), 'sensitivity.json');
  const thesis = parseSpec(json('experiments/thesis.json'), 'thesis.json');

  it("is a Morris design over the thesis experiment's parameters (calibrated ones over their posterior 90% intervals)", () => {
    expect(spec.method).toBe('morris');
    expect(spec.levels % 2).toBe(0);
    expect(spec.scenarios).toEqual(['escalation-management']);
    expect(spec.uncertainties.map((u) => u.name)).toEqual(thesis.uncertainties.map((u) => u.name));
    thesis.uncertainties.forEach((u, i) => {
      const m = spec.uncertainties[i]!;
      if (u.dist !== 'draws') return expect(m).toEqual(u);
      // Morris needs independent inputs: each calibrated parameter over its posterior 90% interval.
      const p = parameters.find((x) => x.name === u.name)!;
      expect(m).toMatchObject({ dist: 'uniform', low: p.posterior!.q05, high: p.posterior!.q95 });
    });
    expect(spec.outcomes.every((o) => o.reduce !== 'series')).toBe(true);
  });
});

describe('calibration.json', () => {
  const spec = json('calibration.json') as {
    model: string;
    seed: number;
    method: string;
    samples: number;
    bases: string[];
    parameters: { name: string; dist: string; low: number; high: number }[];
    data: {
      evidence: string;
      quantity: string;
      measure: string;
      variable: string;
      error: { dist: string };
    }[];
  };

  it('estimates exactly the identifiable parameters, over their ranges', () => {
    const identifiable = parameters.filter((p) => p.estimation === 'identifiable');
    expect(spec.parameters.map((p) => p.name).sort()).toEqual(identifiable.map((p) => p.name).sort());
    for (const p of spec.parameters) {
      const info = identifiable.find((x) => x.name === p.name)!;
      expect([p.low, p.high], p.name).toEqual(info.range);
    }
    expect(spec.model).toBe('model.xmile');
    expect(Number.isInteger(spec.seed) && spec.samples > 0).toBe(true);
  });

  it('compares like with like: each stream a measure, a model variable and enough estimates', () => {
    const doc = evidence();
    const names = new Set(model.variables.map((v) => v.name));
    const measures = spec.data.map((d) => `${d.quantity}/${d.measure}`);
    expect(measures).toEqual(
      expect.arrayContaining(['nk.troops.in_russia/present', 'nk.troops.in_russia/cumulative-sent']),
    );
    for (const d of spec.data) {
      expect(names.has(d.variable), d.variable).toBe(true);
      const matching = doc.estimates.filter(
        (e) => e.quantity === d.quantity && e.measure === d.measure && spec.bases.includes(e.basis),
      );
      // A stream may rest on a single figure (the wounded repatriated: one NIS briefing), never on none.
      expect(matching.length, `${d.quantity}/${d.measure}`).toBeGreaterThanOrEqual(1);
      // Plans and capacities never count as observations.
      expect(spec.bases).not.toContain('plan');
      expect(['normal', 'lognormal', 'student-t']).toContain(d.error.dist);
    }
  });
});

describe('calibration/ (npm run case:calibrate)', () => {
  it('was computed from the calibration.json, model structure and evidence here now', async () => {
    const { calibrationKey } = await import('../../models/north-korea-russia/tools/calibrate.js');
    const posterior = json('calibration/posterior.json') as { key: string; samples: number };
    expect(posterior.key, 'rerun npm run case:calibrate, then generate.ts').toBe(
      calibrationKey(posterior.samples),
    );
    const q4 = json('calibration/q4.json') as { key: string; samples: number };
    expect(q4.key, 'rerun npm run case:calibrate').toBe(calibrationKey(q4.samples));
  });

  it('would notice a changed spec or model structure, but not the calibrated defaults', async () => {
    const { modelKey } = await import('../../models/north-korea-russia/tools/calibrate.js');
    const text = readFileSync(`${DIR}/model.xmile`, 'utf8');
    const names = ['initial_commitment'];
    const changedDefault = text.replace(
      /(<aux name="initial_commitment">[\s\S]*?<eqn>)[^<]*(<\/eqn>)/,
      '$1 12345 $2',
    );
    expect(changedDefault).not.toBe(text);
    expect(modelKey(changedDefault, names)).toBe(modelKey(text, names));
    expect(modelKey(text.replace('nk_tour_length', 'nk_tour_len'), names)).not.toBe(modelKey(text, names));
  });
});

describe('undated pages in the calibration', () => {
  it('never count as published by a date: every row of an as-of calibration has its publication date', async () => {
    const { loadCalibrationFile } = await import('../../src/calibrate/load.js');
    const { publishedDate } = await import('../../src/evidence/data.js');
    const doc = evidence();
    const undated = doc.estimates.filter((e) => publishedDate(doc, e) === undefined).map((e) => e.id);
    expect(undated.length, 'the evidence holds undated pages').toBeGreaterThan(0);
    for (const asOf of ['2024-12-31', '2025-09-30']) {
      const loaded = loadCalibrationFile(`${DIR}/calibration.json`, { asOf });
      for (const row of loaded.definition.rows) {
        expect(undated, `${row.id} as of ${asOf}`).not.toContain(row.id);
        expect(row.published! <= asOf, row.id).toBe(true);
      }
    }
  });
});
