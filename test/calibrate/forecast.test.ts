/**
 * Forecasts made at a date and scored against later rows, checked against the normal-normal
 * closed form: theta ~ N(10, 5^2), rows y_i = theta + N(0, 2^2), one published a day. As of
 * day 3 the posterior is normal with precision 1/25 + 3/4, so the forecast of a later row is
 * N(m3, v3 + 4): its CRPS and log score have closed forms.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibrate/calibrate.js';
import { scoreForecasts } from '../../src/calibrate/forecast.js';
import { loadCalibrationFile } from '../../src/calibrate/load.js';
import { crpsNormal } from '../../src/stats/scores.js';
import { csv, tempFolder, xmile } from './helpers.js';

const ys = [12.1, 9.8, 11.4, 13.0, 10.7];
const dir = tempFolder({
  'model.xmile': xmile(`<aux name="theta"><eqn>0</eqn></aux>`, 1, 1),
  'y.csv': csv(ys.map((value, i) => ({ time: 0, value, published: `2024-01-0${i + 1}` }))),
});
const file = join(dir, 'spec.json');
writeFileSync(
  file,
  JSON.stringify({
    model: 'model.xmile',
    seed: 5,
    method: 'mcmc',
    samples: 16000,
    parameters: [{ name: 'theta', dist: 'normal', mean: 10, sd: 5 }],
    data: [{ file: 'y.csv', variable: 'theta', error: { dist: 'normal', sd: 2 } }],
  }),
);

describe('forecasts at a date, scored against what was published later', () => {
  it('match the closed-form predictive; the analysts are the latest row by then', async () => {
    const full = loadCalibrationFile(file);
    const step = loadCalibrationFile(file, { asOf: '2024-01-03' });
    const outcome = await calibrate(step, { jobs: 1 });
    const rows = scoreForecasts(full, step, outcome, '2024-01-03', { draws: 2000 });
    // Only the rows published after the date are forecast.
    expect(rows.map((r) => r.value)).toEqual([13.0, 10.7]);
    const precision = 1 / 25 + 3 / 4;
    const m = (10 / 25 + (12.1 + 9.8 + 11.4) / 4) / precision;
    const sd = Math.sqrt(1 / precision + 4);
    for (const r of rows) {
      expect(r.model.q50).toBeCloseTo(m, 0);
      expect(r.model.q95 - r.model.q05).toBeCloseTo(2 * 1.644854 * sd, 0);
      expect(r.model.crps!).toBeCloseTo(crpsNormal(m, sd, r.value), 1);
      const logPdf = -0.5 * ((r.value - m) / sd) ** 2 - Math.log(sd * Math.sqrt(2 * Math.PI));
      expect(r.model.logScore).toBeCloseTo(logPdf, 1);
      expect(r.model.pit!).toBeGreaterThan(0);
      // The analysts' figure at the date: the row published on day 3, with the same error.
      expect(r.analyst).toMatchObject({ value: 11.4, published: '2024-01-03' });
      expect(r.analyst!.crps).toBeCloseTo(Math.abs(11.4 - r.value), 12);
      const analystPdf = -0.5 * ((r.value - 11.4) / 2) ** 2 - Math.log(2 * Math.sqrt(2 * Math.PI));
      expect(r.analyst!.logScore).toBeCloseTo(analystPdf, 9);
    }
  });

  it('has nothing to score after the last publication', async () => {
    const full = loadCalibrationFile(file);
    const outcome = await calibrate(full, { jobs: 1 });
    expect(scoreForecasts(full, full, outcome, '2024-01-05')).toEqual([]);
  });
});
