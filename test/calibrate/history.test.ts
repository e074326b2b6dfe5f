/**
 * The history match weighs each future by L(theta, phi) / L(theta, phi0): checked against the
 * normal likelihood written out here for y = theta + phi with known noise.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyMatch } from '../../src/calibrate/history.js';
import { loadCalibrationFile } from '../../src/calibrate/load.js';
import type { Ensemble } from '../../src/case/ensemble.js';
import { csv, tempFolder, xmile } from './helpers.js';

const ys = [3.1, 2.7, 3.4];
const dir = tempFolder({
  'model.xmile': xmile(
    `<aux name="theta"><eqn>0</eqn></aux><aux name="phi"><eqn>0</eqn></aux><aux name="y"><eqn>theta + phi</eqn></aux>`,
    2,
    1,
  ),
  'y.csv': csv(ys.map((value, t) => ({ time: t, value }))),
});
const file = join(dir, 'spec.json');
writeFileSync(
  file,
  JSON.stringify({
    model: 'model.xmile',
    parameters: [{ name: 'theta', dist: 'uniform', low: -10, high: 10 }],
    data: [{ file: 'y.csv', variable: 'y', error: { dist: 'normal', sd: 0.5 } }],
  }),
);

const logLik = (theta: number, phi: number) =>
  ys.reduce((s, y) => s - 0.5 * ((y - theta - phi) / 0.5) ** 2, 0);

describe('history match', () => {
  it('weighs each future by how much its other inputs change the likelihood', () => {
    const draws = { theta: [3, 2.5, 3.6] };
    const ensemble: Ensemble = {
      inputNames: ['theta', 'phi'],
      inputs: [Float64Array.from([3, 2.5, 3.6, 3]), Float64Array.from([0.2, 0.6, -0.4, -1])],
      discrete: [false, false],
      policies: ['base'],
      outcomes: {},
      designRows: 4,
      draws: { posterior: Int32Array.from([0, 1, 2, 0]) },
    };
    const { weights, rejected } = historyMatch(loadCalibrationFile(file).definition, draws, ensemble);
    expect(rejected).toBe(0);
    const log = [0, 1, 2, 3].map((r) => {
      const theta = draws.theta[ensemble.draws.posterior![r]!]!;
      return logLik(theta, ensemble.inputs[1]![r]!) - logLik(theta, 0);
    });
    const max = Math.max(...log);
    log.forEach((l, r) => expect(weights[r]).toBeCloseTo(Math.exp(l - max), 10));
    expect(Math.max(...weights)).toBe(1);
  });

  it('refuses an ensemble without the posterior group, and a sample without a column', () => {
    const ensemble = {
      inputNames: [],
      inputs: [],
      discrete: [],
      policies: [],
      outcomes: {},
      designRows: 0,
      draws: {},
    } as Ensemble;
    const definition = loadCalibrationFile(file).definition;
    expect(() => historyMatch(definition, { theta: [] }, ensemble)).toThrow(
      /no joint draws of group 'posterior'/,
    );
    expect(() =>
      historyMatch(definition, {}, { ...ensemble, draws: { posterior: new Int32Array(0) } }),
    ).toThrow(/no column 'theta'/);
  });
});
