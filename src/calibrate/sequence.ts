/**
 * Sequential updating: the same calibration at a series of dates, each using only what was
 * published by then, so a reader sees how the posterior and its forecasts moved as evidence
 * arrived. Each date's calibration is complete in its own folder; `sequence.json` sets the
 * dates side by side.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrate, type CalibrateOptions, type CalibrationOutcome } from './calibrate.js';
import { loadCalibrationFile, type LoadedCalibration, type LoadOptions } from './load.js';
import { writeCalibration } from './output.js';
import { dayNumber } from './spec.js';

/** The last day of a month given as YYYY-MM. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0));
  return last.toISOString().slice(0, 10);
}

/**
 * Dates of a sequence: a comma-separated list of YYYY-MM-DD, or `YYYY-MM..YYYY-MM` for the last
 * day of every month in between (both ends included). Throws a RangeError naming the bad part.
 */
export function parseSequence(text: string): string[] {
  const range = /^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$/.exec(text.trim());
  if (range) {
    const [from, to] = [range[1], range[2]];
    for (const m of [from, to]) {
      const month = Number(m.slice(5));
      if (month < 1 || month > 12) throw new RangeError(`'${m}' is not a month YYYY-MM`);
    }
    if (to < from) throw new RangeError(`'${to}' is before '${from}'`);
    const out: string[] = [];
    let [y, mo] = from.split('-').map(Number);
    for (;;) {
      const key = `${y}-${String(mo).padStart(2, '0')}`;
      out.push(monthEnd(key));
      if (key === to) break;
      mo++;
      if (mo > 12) {
        mo = 1;
        y++;
      }
      if (out.length > 1200) throw new RangeError('a sequence of more than 1,200 dates');
    }
    return out;
  }
  const dates = text.split(',').map((d) => d.trim());
  for (const d of dates) {
    if (!Number.isFinite(dayNumber(d))) {
      throw new RangeError(`'${d}' is not a date YYYY-MM-DD (or give a month range YYYY-MM..YYYY-MM)`);
    }
  }
  const sorted = [...dates].sort();
  if (sorted.some((d, i) => i > 0 && d === sorted[i - 1])) throw new RangeError('a date is listed twice');
  return sorted;
}

export interface SequenceStep {
  asOf: string;
  loaded: LoadedCalibration;
  outcome: CalibrationOutcome;
}

export function sequenceJson(steps: readonly SequenceStep[]): object {
  return {
    dates: steps.map((s) => s.asOf),
    steps: steps.map(({ asOf, loaded, outcome }) => ({
      asOf,
      rows: outcome.rows.length,
      interrupted: outcome.result.interrupted,
      parameters: Object.fromEntries(
        outcome.names.map((n) => {
          const p = outcome.parameters[n];
          return [n, { mean: p.mean, sd: p.sd, q05: p.q05, q50: p.q50, q95: p.q95 }];
        }),
      ),
      points: outcome.points,
      coverage90: outcome.coverage90,
      folder: `asof-${asOf}`,
      modelHash: loaded.modelHash,
    })),
  };
}

/** Run the calibration at each date into DIR/asof-DATE, then write DIR/sequence.json. */
export async function calibrateSequence(
  specFile: string,
  dates: readonly string[],
  outDir: string,
  options: CalibrateOptions & { load?: LoadOptions; onStep?(asOf: string, index: number): void },
): Promise<{ steps: SequenceStep[]; interrupted: boolean }> {
  const steps: SequenceStep[] = [];
  mkdirSync(outDir, { recursive: true });
  let interrupted = false;
  for (let i = 0; i < dates.length; i++) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const asOf = dates[i];
    options.onStep?.(asOf, i);
    const loaded = loadCalibrationFile(specFile, { ...options.load, asOf });
    const outcome = await calibrate(loaded, options);
    writeCalibration(join(outDir, `asof-${asOf}`), loaded, outcome);
    steps.push({ asOf, loaded, outcome });
    if (outcome.result.interrupted) {
      interrupted = true;
      break;
    }
  }
  const file = join(outDir, 'sequence.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(sequenceJson(steps), null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  return { steps, interrupted };
}
