/**
 * Calibrates the case model and answers Q4: `npm run case:calibrate [-- options]`.
 *
 * 1. The batch posterior: calibration.json as of its date (2025-09-30), written to
 *    calibration/posterior.json: each parameter's prior, posterior summary and how far the data
 *    narrowed it, the fit to every row, and 1,000 equally weighted joint draws. generate.ts sets
 *    the model's defaults to the posterior medians and the experiments sample these draws.
 * 2. Q4: the same calibration as of the last day of each month from October 2024 to September
 *    2025, using only what was published by then; each date's forecasts of everything published
 *    later are scored beside the analysts' own figure at that date (src/calibrate/forecast.ts).
 *    One file per date in calibration/sequence/ (a rerun skips dates already done with the same
 *    inputs, so Ctrl-C and rerun resumes); calibration/q4.json gathers them.
 *
 * Options: --samples N (batch; default the spec's), --sequence-samples N (default 64000),
 * --jobs N (default 2), --only batch|sequence, --force (redo dates already done).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate, resample, type CalibrationOutcome } from '../../../src/calibrate/calibrate.js';
import {
  forecastStreams,
  scoreForecasts,
  summariseForecasts,
  type ForecastRow,
  type ForecastStep,
} from '../../../src/calibrate/forecast.js';
import { loadCalibrationFile, type LoadedCalibration } from '../../../src/calibrate/load.js';
import { parseSequence } from '../../../src/calibrate/sequence.js';
import { Rng } from '../../../src/experiments/rng.js';
import { Progress, stopOnInterrupt } from '../../../src/cli/progress.js';

const caseDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(caseDir, 'calibration');
const specFile = join(caseDir, 'calibration.json');
/** Months of Q4: October 2024 to September 2025. */
export const Q4_MONTHS = '2024-10..2025-09';
/** Equally weighted joint draws kept for the experiments. */
export const KEPT_DRAWS = 1000;

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The model with the calibrated parameters' values blanked, its documentation and diagram left
 * out: what a posterior depends on (the calibrated defaults are set from the posterior itself, so
 * they cannot be part of its key).
 */
export function modelKey(modelText: string, calibrated: readonly string[]): string {
  // Documentation and the diagram do not change a result: a reworded doc keeps the key.
  let text = modelText.replace(/<doc>[\s\S]*?<\/doc>/g, '').replace(/<views>[\s\S]*?<\/views>/g, '');
  for (const name of calibrated) {
    text = text.replace(
      new RegExp(`(<aux name="${name}">[\\s\\S]*?<eqn>)[^<]*(</eqn>)`),
      (_m, a: string, b: string) => `${a}?${b}`,
    );
  }
  return sha(text);
}

/** The inputs a calibration result depends on: spec, model structure, evidence, sample size. */
export function calibrationKey(samples: number): string {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as { parameters: { name: string }[] };
  const model = readFileSync(join(caseDir, 'model.xmile'), 'utf8');
  const evidence = readFileSync(join(caseDir, 'evidence.json'), 'utf8');
  return sha(
    [
      JSON.stringify(spec),
      modelKey(
        model,
        spec.parameters.map((p) => p.name),
      ),
      sha(evidence),
      String(samples),
    ].join('\n'),
  );
}

const round = (x: number) => Number(x.toPrecision(6));

function writeJson(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 1) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** Parameter summaries with their priors and how much the data narrowed each. */
function parameterTable(loaded: LoadedCalibration, outcome: CalibrationOutcome) {
  const rhat = (outcome.result.diagnostics.rhat ?? {}) as Record<string, number>;
  const ess = (outcome.result.diagnostics.essBulk ?? {}) as Record<string, number>;
  return Object.fromEntries(
    outcome.names.map((name, j) => {
      const prior = loaded.priors[j];
      const [lo, hi] = prior.support;
      // The prior's sd: uniform priors (the case's) in closed form, others from their quantiles.
      const priorSd =
        prior.spec.dist === 'uniform'
          ? (hi - lo) / Math.sqrt(12)
          : (prior.quantile(0.8413) - prior.quantile(0.1587)) / 2;
      const p = outcome.parameters[name];
      return [
        name,
        {
          prior: prior.spec,
          mean: round(p.mean),
          sd: round(p.sd),
          q05: round(p.q05),
          q50: round(p.q50),
          q95: round(p.q95),
          map: round(p.map),
          // 1 - posterior sd / prior sd: 0 when the data say nothing, near 1 when they pin it down.
          contraction: round(1 - p.sd / priorSd),
          rhat: rhat[name] === undefined ? null : round(rhat[name]),
          ess: ess[name] === undefined ? null : Math.round(ess[name]),
        },
      ];
    }),
  );
}

function keptDraws(outcome: CalibrationOutcome, seed: number): Record<string, number[]> {
  const draws = resample(
    outcome.result.draws.points,
    outcome.result.draws.weights,
    KEPT_DRAWS,
    new Rng(seed, 9),
  );
  return Object.fromEntries(outcome.names.map((n, j) => [n, draws.map((d) => round(d[j]))]));
}

async function batch(samples: number | undefined, jobs: number, signal: AbortSignal): Promise<void> {
  const loaded = loadCalibrationFile(specFile, samples ? { samples } : {});
  const n = loaded.spec.samples;
  const progress = new Progress(process.stderr.isTTY === true, 'batch posterior', 'runs');
  const outcome = await calibrate(loaded, {
    jobs,
    signal,
    onProgress: (d, t) => progress.update(d, t),
  });
  progress.end();
  if (outcome.result.interrupted) throw new Error('interrupted: the batch posterior was not written');
  const file = join(outDir, 'posterior.json');
  writeJson(file, {
    description:
      'The case posterior (npm run case:calibrate): priors, posterior summaries, how far the data narrowed each parameter (contraction = 1 - posterior sd / prior sd), the fit to every row, and equally weighted joint draws for the experiments.',
    key: calibrationKey(n),
    asOf: loaded.spec.asOf ?? null,
    method: outcome.method,
    samples: n,
    seed: loaded.spec.seed,
    evaluations: outcome.result.evaluations,
    failedEvaluations: outcome.result.failedEvaluations,
    parameters: parameterTable(loaded, outcome),
    fit: {
      mapLogLik: round(outcome.mapLogLik),
      coverage90: outcome.coverage90,
      rows: outcome.rows.map((r) => ({
        ...r,
        map: round(r.map),
        q05: round(r.q05),
        q50: round(r.q50),
        q95: round(r.q95),
      })),
    },
    streams: loaded.streams,
    draws: keptDraws(outcome, loaded.spec.seed),
  });
  process.stderr.write(`wrote calibration/posterior.json (${outcome.result.evaluations} runs)\n`);
}

async function sequence(samples: number, jobs: number, force: boolean, signal: AbortSignal): Promise<void> {
  const dates = parseSequence(Q4_MONTHS);
  const full = loadCalibrationFile(specFile);
  const key = calibrationKey(samples);
  mkdirSync(join(outDir, 'sequence'), { recursive: true });
  const steps: (ForecastStep & { parameters: unknown; dataRows: number })[] = [];
  const started = performance.now();
  let ran = 0;
  for (let i = 0; i < dates.length; i++) {
    const asOf = dates[i];
    const file = join(outDir, 'sequence', `asof-${asOf}.json`);
    if (!force && existsSync(file)) {
      const done = JSON.parse(readFileSync(file, 'utf8')) as { key: string };
      if (done.key === key) {
        steps.push(done as never);
        continue;
      }
    }
    if (signal.aborted) break;
    const step = loadCalibrationFile(specFile, { asOf, samples });
    const t0 = performance.now();
    const outcome = await calibrate(step, { jobs, signal });
    if (outcome.result.interrupted) break;
    const rows: ForecastRow[] = scoreForecasts(full, step, outcome, asOf);
    const record = {
      key,
      asOf,
      dataRows: step.definition.rows.length,
      evaluations: outcome.result.evaluations,
      parameters: parameterTable(step, outcome),
      rows,
    };
    writeJson(file, record);
    steps.push(record);
    ran++;
    const each = (performance.now() - started) / 1000 / ran;
    const left = dates.length - i - 1;
    process.stderr.write(
      `Q4: ${asOf} done (${step.definition.rows.length} rows known, ${rows.length} later rows forecast, ${((performance.now() - t0) / 1000).toFixed(0)} s); ${left} dates left, about ${((left * each) / 60).toFixed(1)} min\n`,
    );
  }
  if (steps.length < dates.length) {
    throw new Error(`interrupted after ${steps.length} of ${dates.length} dates: rerun to resume`);
  }
  writeJson(join(outDir, 'q4.json'), {
    description:
      'Q4 (npm run case:calibrate): at the end of each month, the model calibrated on what was published by then forecasts every figure published later; beside it, the analysts\u2019 latest figure at that date read as a forecast. CRPS and log scores on the log scale (lower CRPS, higher log score is better).',
    key,
    samples,
    months: Q4_MONTHS,
    summary: summariseForecasts(steps),
    // Per stream: cumulative totals only ever rise, so "revised up" there is no surprise; the
    // level of troops present is where a revision says something.
    byStream: forecastStreams(steps).map((stream) => ({ stream, ...summariseForecasts(steps, stream) })),
    byDate: steps.map((s) => ({
      asOf: s.asOf,
      dataRows: s.dataRows,
      ...summariseForecasts([s]),
    })),
    steps: steps.map((s) => ({ asOf: s.asOf, rows: s.rows })),
  });
  process.stderr.write('wrote calibration/q4.json\n');
}

function main(argv: string[]): Promise<void> {
  let samples: number | undefined;
  let sequenceSamples = 64000;
  let jobs = 2;
  let only: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const int = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) {
        process.stderr.write(`${flag} needs a positive whole number\n`);
        process.exit(2);
      }
      return n;
    };
    if (flag === '--samples') samples = int();
    else if (flag === '--sequence-samples') sequenceSamples = int();
    else if (flag === '--jobs') jobs = int();
    else if (flag === '--force') force = true;
    else if (flag === '--only' && (argv[i + 1] === 'batch' || argv[i + 1] === 'sequence')) only = argv[++i];
    else {
      process.stderr.write(
        `unknown option '${flag}' (known: --samples N, --sequence-samples N, --jobs N, --only batch|sequence, --force)\n`,
      );
      process.exit(2);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const stop = stopOnInterrupt('stopping after the current step; rerun to resume');
  return (async () => {
    try {
      if (only !== 'sequence') await batch(samples, jobs, stop.signal);
      if (only !== 'batch') await sequence(sequenceSamples, jobs, force, stop.signal);
    } finally {
      stop.dispose();
    }
  })();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`case:calibrate: ${(err as Error).message}\n`);
    process.exit(err instanceof Error && err.message.startsWith('interrupted') ? 130 : 1);
  });
}
