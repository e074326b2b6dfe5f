/**
 * Calibration test helpers: write a model, data and spec to a temporary folder, generate noisy
 * data from the model itself, and compute grid posteriors by brute force, independently of the
 * calibration code (the model is run through the public engine API and the likelihood is written
 * out here).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileModel, readModel, type CompiledModel } from '../../src/engine.js';
import { normalQuantile } from '../../src/experiments/distributions.js';
import { Rng } from '../../src/experiments/rng.js';

export const NS = 'http://docs.oasis-open.org/xmile/ns/XMILE/v1.0';

export function xmile(vars: string, stop: number, dt: number): string {
  return `<xmile version="1.0" xmlns="${NS}"><header><name>t</name></header>
<sim_specs><start>0</start><stop>${stop}</stop><dt>${dt}</dt></sim_specs>
<model><variables>
${vars}
</variables></model></xmile>
`;
}

/** First-order decay: S drains with time constant tau from s0. */
export const DECAY = xmile(
  `<stock name="S"><eqn>s0</eqn><outflow>drain</outflow></stock>
<flow name="drain"><eqn>S / tau</eqn></flow>
<aux name="tau"><eqn>4</eqn></aux>
<aux name="s0"><eqn>100</eqn></aux>`,
  20,
  0.125,
);

/** Logistic growth with rate r and capacity K, from P0 = 10. */
export const LOGISTIC = xmile(
  `<stock name="P"><eqn>10</eqn><inflow>growth</inflow></stock>
<flow name="growth"><eqn>r * P * (1 - P / K)</eqn></flow>
<aux name="r"><eqn>0.4</eqn></aux>
<aux name="K"><eqn>1000</eqn></aux>`,
  30,
  0.25,
);

export function compiled(text: string): CompiledModel {
  const read = readModel(text, { file: 'test.xmile' });
  const c = compileModel(read.model!);
  if (!c.compiled) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
  return c.compiled;
}

/** The model's series of `variable` at integer-spaced `times`, for parameter values. */
export function seriesAt(
  model: CompiledModel,
  values: Record<string, number>,
  variable: string,
  times: number[],
): number[] {
  const r = model.run({ overrides: values });
  const column = r.column(variable)!;
  return times.map((t) => {
    let k = 0;
    while (k < r.time.length - 1 && r.time[k] < t - 1e-9) k++;
    return column[k];
  });
}

export function gaussianNoise(seed: number): () => number {
  const rng = new Rng(seed, 77);
  return () => normalQuantile(rng.nextOpen());
}

export function tempFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'interlock-cal-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function csv(rows: Record<string, number | string>[]): string {
  const header = Object.keys(rows[0]);
  return [header.join(','), ...rows.map((r) => header.map((h) => String(r[h])).join(','))].join('\n') + '\n';
}

export interface GridPosterior {
  mean: number[];
  sd: number[];
}

/**
 * Posterior mean and sd on a regular grid over a box (uniform prior on the box, or the log prior
 * given), with the log-likelihood supplied by the test.
 */
export function gridPosterior(
  lows: number[],
  highs: number[],
  n: number,
  logLik: (x: number[]) => number,
  logPrior: (x: number[]) => number = () => 0,
): GridPosterior {
  const d = lows.length;
  const points: number[][] = [];
  const idx = new Array<number>(d).fill(0);
  for (;;) {
    points.push(idx.map((k, j) => lows[j] + ((k + 0.5) / n) * (highs[j] - lows[j])));
    let j = 0;
    while (j < d && ++idx[j] === n) idx[j++] = 0;
    if (j === d) break;
  }
  const lp = points.map((x) => logLik(x) + logPrior(x));
  const max = Math.max(...lp);
  const w = lp.map((v) => Math.exp(v - max));
  const total = w.reduce((a, b) => a + b, 0);
  const mean = new Array<number>(d).fill(0);
  points.forEach((x, i) => x.forEach((v, j) => (mean[j] += (w[i] / total) * v)));
  const variance = new Array<number>(d).fill(0);
  points.forEach((x, i) => x.forEach((v, j) => (variance[j] += (w[i] / total) * (v - mean[j]) ** 2)));
  return { mean, sd: variance.map(Math.sqrt) };
}
