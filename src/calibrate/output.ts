/**
 * A calibration's files (Node only): `summary.json` (per-parameter MAP, mean, sd and quantiles;
 * diagnostics; fit), `posterior.csv` (one row per draw), `predictive.json` (fans and point
 * forecasts) and `rows.csv` (each data row beside its posterior predictive band). Written to a
 * temporary name and renamed, so an interrupted write never leaves half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationOutcome } from './calibrate.js';
import type { LoadedCalibration } from './load.js';

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Shortest text that reads back as the same double (CSV and JSON both). */
const num = (x: number): string =>
  Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : '-Inf';
const jsonNumber = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function summaryJson(loaded: LoadedCalibration, outcome: CalibrationOutcome): object {
  const r = outcome.result;
  const parameters: Record<string, object> = {};
  for (const name of outcome.names) {
    const p = outcome.parameters[name];
    parameters[name] = {
      map: jsonNumber(p.map),
      mean: jsonNumber(p.mean),
      sd: jsonNumber(p.sd),
      q05: jsonNumber(p.q05),
      q50: jsonNumber(p.q50),
      q95: jsonNumber(p.q95),
    };
  }
  const streams = loaded.streams.map((s, i) => {
    const rows = outcome.rows.filter((row) => row.stream === s.name);
    const pointRows = rows.filter((row) => row.inside90 !== null);
    return {
      name: s.name,
      variable: s.variable,
      rows: s.rows,
      excluded: { publishedAfterAsOf: s.afterAsOf, repeatedBriefing: s.duplicates, outsideRun: s.outsideRun },
      coverage90: pointRows.length ? pointRows.filter((row) => row.inside90).length / pointRows.length : null,
      index: i,
    };
  });
  return {
    method: outcome.method,
    parameters,
    diagnostics: {
      ...r.diagnostics,
      evaluations: r.evaluations,
      failedEvaluations: r.failedEvaluations,
      failedPredictiveRuns: outcome.failedPredictive,
      interrupted: r.interrupted,
      seconds: Math.round(outcome.seconds * 1000) / 1000,
      warnings: [...loaded.warnings, ...r.warnings],
    },
    fit: {
      mapLogLikelihood: jsonNumber(outcome.mapLogLik),
      mapLogPosterior: jsonNumber(r.mapLogPost),
      observations: outcome.rows.length,
      coverage90: outcome.coverage90,
      streams,
    },
    spec: {
      file: loaded.specFile,
      model: loaded.spec.model,
      modelHash: loaded.modelHash,
      seed: loaded.spec.seed,
      samples: loaded.spec.samples,
      asOf: loaded.spec.asOf ?? null,
    },
    points: outcome.points.map((p) => ({ ...p, quantiles: p.quantiles.map(jsonNumber) })),
  };
}

export function posteriorCsv(outcome: CalibrationOutcome): string {
  const d = outcome.result.draws;
  const weighted = d.weights !== undefined;
  const chained = d.chain !== undefined;
  const header = [
    ...(chained ? ['chain'] : []),
    ...outcome.names,
    'log_likelihood',
    'log_posterior',
    ...(weighted ? ['weight'] : []),
  ];
  const lines = [header.join(',')];
  d.points.forEach((p, i) => {
    const cells: string[] = [];
    if (chained) cells.push(String(d.chain![i]));
    for (let j = 0; j < p.length; j++) cells.push(num(p[j]));
    cells.push(num(d.logLik[i]), num(d.logPost[i]));
    if (weighted) cells.push(num(d.weights![i]));
    lines.push(cells.join(','));
  });
  return lines.join('\n') + '\n';
}

export function rowsCsv(outcome: CalibrationOutcome): string {
  const header = [
    'id',
    'stream',
    'time',
    'date',
    'published',
    'source',
    'kind',
    'value',
    'low',
    'high',
    'map',
    'q05',
    'q50',
    'q95',
    'inside90',
  ];
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return num(v);
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [
      header.join(','),
      ...outcome.rows.map((r) =>
        header.map((h) => cell((r as unknown as Record<string, unknown>)[h])).join(','),
      ),
    ].join('\n') + '\n'
  );
}

export function writeCalibration(dir: string, loaded: LoadedCalibration, outcome: CalibrationOutcome): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'posterior.csv'), posteriorCsv(outcome));
  writeAtomic(join(dir, 'rows.csv'), rowsCsv(outcome));
  writeAtomic(
    join(dir, 'predictive.json'),
    JSON.stringify({ levels: [0.05, 0.25, 0.5, 0.75, 0.95], fans: outcome.fans, points: outcome.points }) +
      '\n',
  );
  // The summary last: its presence says the folder is whole.
  writeAtomic(join(dir, 'summary.json'), JSON.stringify(summaryJson(loaded, outcome), null, 2) + '\n');
}
