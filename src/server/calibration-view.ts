/**
 * The Calibration page's view of a calibration output folder (`interlock calibrate SPEC --out
 * DIR`, or one date of `--sequence`): per parameter the prior (from the calibration spec the
 * folder names) against the posterior draws on one grid; per data stream the posterior
 * predictive band at each reported estimate with the estimates by source. (Q4, the forecasts at
 * each date scored against later reports, is the case's: `GET /api/models/{id}/forecasts`.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseCalibrationSpec, type CalibrationSpec } from '../calibrate/spec.js';
import {
  CalibrationFolderError,
  isCalibrationFolder,
  readCalibrationFolder,
  readSequence,
} from '../calibrate/read.js';
import { makeDistribution, type DistributionSpec } from '../experiments/distributions.js';
import { resolveUnder } from './paths.js';
import type { CalibrationView, ParameterView, StreamView } from '../calibrate/view.js';

const BINS = 30;

export type { CalibrationView, ParameterView, StreamView } from '../calibrate/view.js';

function findSpec(
  root: string,
  dir: string,
  file: string | undefined,
): { spec: CalibrationSpec; file: string } | undefined {
  const candidates = [
    file ? resolveUnder(root, file) : undefined,
    resolveUnder(root, relative(root, join(dirname(dir), 'calibration.json'))),
    resolveUnder(root, relative(root, join(dirname(dirname(dir)), 'calibration.json'))),
  ];
  for (const c of candidates) {
    if (!c || !existsSync(c)) continue;
    try {
      return { spec: parseCalibrationSpec(JSON.parse(readFileSync(c, 'utf8')), c), file: c };
    } catch {
      // Not this one (moved or changed since): try the next, else the page shows no prior.
    }
  }
  return undefined;
}

function priorOf(spec: CalibrationSpec | undefined, name: string): DistributionSpec | undefined {
  if (!spec) return undefined;
  const p = spec.parameters.find((q) => q.name === name);
  if (p) return p.prior;
  for (const s of spec.data) {
    if (s.bias && name.startsWith(`bias.${s.name}`)) return s.bias.prior;
    const scale = s.error?.sd;
    if (scale && scale.kind === 'estimate' && name.startsWith(`scale.${s.name}`)) return scale.prior;
  }
  return undefined;
}

/** `dir` is already resolved under `root`; `asOf` picks one date of a sequence folder. */
export function calibrationView(root: string, dir: string, asOf?: string): CalibrationView {
  const rel = (p: string): string => relative(root, p) || '.';
  let folder = dir;
  let sequence: CalibrationView['sequence'];
  const seq = readSequence(dir);
  if (seq) {
    const step = asOf ? seq.steps.find((s) => s.asOf === asOf) : seq.steps[seq.steps.length - 1];
    if (!step) throw new CalibrationFolderError(`${rel(dir)}: the sequence has no date ${asOf}`);
    folder = join(dir, step.folder);
    sequence = {
      dates: seq.dates,
      folders: seq.steps.map((s) => rel(join(dir, s.folder))),
      current: step.asOf,
    };
  } else if (!isCalibrationFolder(dir)) {
    throw new CalibrationFolderError(
      `${rel(dir)}: not a calibration output folder (no summary.json and posterior.csv, nor sequence.json)`,
    );
  }
  const cal = readCalibrationFolder(folder);
  const found = findSpec(root, dir, cal.summary.spec?.file);
  const weightCol = cal.posterior.columns.indexOf('weight');
  const weights = weightCol >= 0 ? cal.posterior.rows.map((r) => r[weightCol]!) : undefined;
  const parameters: ParameterView[] = Object.entries(cal.summary.parameters).map(([name, s]) => {
    const col = cal.posterior.columns.indexOf(name);
    const values = col >= 0 ? cal.posterior.rows.map((r) => r[col]!) : [];
    const prior = priorOf(found?.spec, name);
    const dist = prior ? makeDistribution(prior) : undefined;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (dist) {
      // The prior's central 99% (its support where that is finite), so the two are comparable.
      const a = Number.isFinite(dist.support[0]) ? dist.support[0] : dist.quantile(0.005);
      const b = Number.isFinite(dist.support[1]) ? dist.support[1] : dist.quantile(0.995);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
    const edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
    const mass = new Array<number>(BINS).fill(0);
    let total = 0;
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const w = weights ? weights[i]! : 1;
      const b = Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)));
      mass[b]! += w;
      total += w;
    });
    return {
      name,
      prior,
      edges,
      priorMass: dist ? edges.slice(0, -1).map((e, i) => dist.cdf(edges[i + 1]!) - dist.cdf(e)) : undefined,
      posteriorMass: mass.map((m) => (total ? m / total : 0)),
      summary: { map: s.map, mean: s.mean, q05: s.q05, q50: s.q50, q95: s.q95 },
    };
  });
  const streams: StreamView[] = cal.summary.fit.streams.map((s) => ({
    name: s.name,
    variable: s.variable,
    coverage90: s.coverage90,
    rows: cal.rows
      .filter((r) => r.stream === s.name)
      .map((r) => ({
        id: String(r.id),
        time: Number(r.time),
        date: (r.date as string | null) ?? null,
        source: (r.source as string | null) ?? null,
        kind: (r.kind as string | null) ?? null,
        value: r.value as number | null,
        low: r.low as number | null,
        high: r.high as number | null,
        q05: r.q05 as number | null,
        q50: r.q50 as number | null,
        q95: r.q95 as number | null,
      }))
      .sort((a, b) => a.time - b.time),
  }));
  return {
    folder: rel(folder),
    method: cal.summary.method,
    asOf: cal.summary.spec?.asOf ?? null,
    samples: cal.posterior.rows.length,
    observations: cal.summary.fit.observations,
    coverage90: cal.summary.fit.coverage90,
    warnings: (cal.summary.diagnostics.warnings ?? []).map(String),
    specFile: found ? rel(found.file) : undefined,
    parameters,
    streams,
    fans: cal.predictive.fans ?? [],
    levels: cal.predictive.levels ?? [],
    sequence,
  };
}

export { CalibrationFolderError };
