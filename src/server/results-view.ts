/**
 * The Explore page's view of an experiment results folder (as `interlock explore --out DIR`
 * writes it, or as a queue gathers it): per policy the fan bands of each series outcome, the
 * robustness table (percentiles, regret, satisficing), PRIM over the uncertainties with the base
 * rate and each restriction's significance, and the rank correlation of each uncertainty with an
 * outcome. Every number comes from the one analysis in `src/experiments/`; this only arranges it.
 */
import { discover } from '../experiments/discover.js';
import { compileExpression, ExpressionError } from '../experiments/expr.js';
import { fanBands, FAN_LABELS, FAN_LEVELS, shownTimes } from '../experiments/fan.js';
import { analyseRobustness } from '../experiments/robustness.js';
import type { ExploreView, Restriction, ViewOptions } from '../experiments/view.js';
import { STATUS_OK } from '../experiments/runner.js';
import { loadTable, readSeries } from '../experiments/store.js';
import { tableResolver } from '../experiments/discover.js';
import { spearman } from '../stats/rank.js';

export type { ExploreView, Restriction, ViewOptions } from '../experiments/view.js';

export class ViewError extends Error {}

export function exploreView(dir: string, options: ViewOptions = {}): ExploreView {
  const { table, meta } = loadTable(dir);
  const times = meta.times ?? [];
  const shown = shownTimes(times.length);
  const S = table.designRows;
  const fans = meta.outcomes
    .filter((o) => o.series)
    .map((o) => ({
      outcome: o.name,
      variable: o.variable,
      policies: table.policyNames.map((_, p) => {
        const rows: number[] = [];
        for (let s = 0; s < S; s++) if (table.status[p * S + s] === STATUS_OK) rows.push(p * S + s);
        return fanBands(readSeries(dir, meta, o.name, rows), rows.length, times.length, shown);
      }),
    }));

  const { resolve, known } = tableResolver(table);
  const compile = (what: string, text: string) => {
    try {
      return compileExpression(text, resolve, known).evaluate;
    } catch (err) {
      if (err instanceof ExpressionError) throw new ViewError(`${what}: ${err.message}`);
      throw err;
    }
  };
  const satisfice = options.satisfice?.trim() || meta.spec.satisfice;
  const scalar = meta.outcomes.filter((o) => !o.series).map((o) => o.name);
  const regret =
    options.regret ?? meta.outcomes.find((o) => o.kind === 'minimize' || o.kind === 'maximize')?.name;
  if (regret !== undefined && !table.outcomeNames.includes(regret))
    throw new ViewError(`regret: no outcome '${regret}' (outcomes: ${table.outcomeNames.join(', ')})`);
  // Regret needs a direction: the spec's, else lower is better for the outcome asked about.
  const kinds = table.outcomeNames.map((n, i) =>
    n === regret && table.outcomeKinds[i] !== 'maximize' ? ('minimize' as const) : table.outcomeKinds[i]!,
  );
  const robustness = analyseRobustness(
    { ...table, outcomeKinds: kinds },
    { satisfice: satisfice ? compile('satisfice', satisfice) : undefined },
  );

  let prim: ExploreView['prim'];
  const where = options.where?.trim();
  if (where) {
    const policy = options.policy ? table.policyNames.indexOf(options.policy) : undefined;
    if (policy === -1) throw new ViewError(`policy: no policy '${options.policy}'`);
    compile('where', where);
    const alpha = options.alpha ?? 0.05;
    const found = discover(table, where, { policy, simplifyAlpha: alpha });
    const box = found.boxes[found.chosen]!;
    const inputIndex = new Map(table.inputNames.map((n, i) => [n, i]));
    const fullRange = (name: string): [number, number] | undefined => {
      const i = inputIndex.get(name);
      if (i === undefined) return undefined;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of table.inputs[i]!) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return [lo, hi];
    };
    const restrictions: Restriction[] = [];
    for (const [name, [low, high]] of Object.entries(box.limits)) {
      const p = found.quasiP[name] ?? 1;
      restrictions.push({ name, low, high, full: fullRange(name), p, significant: p <= alpha });
    }
    for (const [name, cats] of Object.entries(box.categories)) {
      const p = found.quasiP[name] ?? 1;
      const labels =
        name === 'scenario' && found.scenarioNames
          ? cats.map((c) => found.scenarioNames![c] ?? String(c))
          : cats.map(String);
      restrictions.push({
        name: name === 'scenario' ? 'policy' : name,
        categories: labels,
        p,
        significant: p <= alpha,
      });
    }
    restrictions.sort((a, b) => a.p - b.p);
    prim = {
      where,
      policy: options.policy,
      runs: found.totalRuns,
      interest: found.totalInterest,
      baseRate: found.totalRuns ? found.totalInterest / found.totalRuns : NaN,
      alpha,
      coverage: box.coverage,
      density: box.density,
      mass: box.mass,
      restrictions,
      significant: restrictions.some((r) => r.significant),
      trajectory: found.boxes.map((b) => ({ coverage: b.coverage, density: b.density })),
    };
  }

  let sensitivity: ExploreView['sensitivity'];
  const sensOutcome = regret ?? scalar[0];
  if (sensOutcome) {
    const col = table.outcomes[table.outcomeNames.indexOf(sensOutcome)]!;
    const ok: number[] = [];
    for (let r = 0; r < table.rows; r++)
      if (table.status[r] === STATUS_OK && Number.isFinite(col[r]!)) ok.push(r);
    sensitivity = {
      outcome: sensOutcome,
      rows: table.inputNames
        .map((name, i) => ({
          name,
          rho: spearman(
            ok.map((r) => table.inputs[i]![r]!),
            ok.map((r) => col[r]!),
          ),
        }))
        .filter((x) => Number.isFinite(x.rho)),
    };
  }

  return {
    source: {
      specFile: meta.specFile,
      method: meta.method,
      seed: meta.seed,
      samples: meta.designRows,
      rows: meta.rows,
      completed: meta.completedRuns,
      failed: meta.failedRuns,
      state: meta.state,
    },
    policies: table.policyNames,
    uncertainties: table.inputNames,
    outcomes: meta.outcomes.map(({ name, variable, reduce, series }) => ({ name, variable, reduce, series })),
    times: shown.map((t) => times[t]!),
    fanLevels: FAN_LEVELS,
    fanLabels: FAN_LABELS,
    fans,
    robustness: { satisfice, regret, policies: robustness },
    prim,
    sensitivity,
  };
}
