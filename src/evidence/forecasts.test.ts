import { describe, expect, it } from 'vitest';
import type { ForecastQuestion } from './data.js';
import {
  brierScore,
  calibrationTable,
  dailyProbabilities,
  icd203Term,
  logScore,
  scoreQuestion,
} from './forecasts.js';

describe('single forecast scores', () => {
  it('matches the Brier test vectors (one-sided; Fatebook two-sided is twice this)', () => {
    expect(brierScore(0.8, 1)).toBeCloseTo(0.04, 12); // Fatebook 0.8/YES -> 0.08
    expect(brierScore(0.8, 0)).toBeCloseTo(0.64, 12); // Fatebook 0.8/NO -> 1.28
    expect(brierScore(0.5, 1)).toBeCloseTo(0.25, 12);
  });

  it('log score converts to the Metaculus binary baseline score 100(1 + log2 p)', () => {
    const baseline = (p: number) => 100 * (1 + logScore(p, 1) / Math.LN2);
    expect(baseline(0.5)).toBeCloseTo(0, 10);
    expect(baseline(0.9)).toBeCloseTo(84.8, 1);
    expect(baseline(0.99)).toBeCloseTo(98.6, 1);
    expect(baseline(0.1)).toBeCloseTo(-232.2, 1);
    expect(logScore(0.9, 0)).toBeCloseTo(Math.log(0.1), 12);
  });
});

const question = (over: Partial<ForecastQuestion>): ForecastQuestion => ({
  id: 'q',
  text: 'test question',
  opened: '2025-01-01',
  closes: '2025-12-31',
  forecasts: [],
  ...over,
});

describe('ICD 203 terms', () => {
  it('puts shared endpoints in the band nearer 50%', () => {
    expect(icd203Term(0.01)).toBe('almost no chance');
    expect(icd203Term(0.05)).toBe('very unlikely');
    expect(icd203Term(0.2)).toBe('unlikely');
    expect(icd203Term(0.45)).toBe('roughly even chance');
    expect(icd203Term(0.55)).toBe('roughly even chance');
    expect(icd203Term(0.56)).toBe('likely');
    expect(icd203Term(0.8)).toBe('likely');
    expect(icd203Term(0.95)).toBe('very likely');
    expect(icd203Term(0.96)).toBe('almost certain');
  });
});

describe('time-weighted scores', () => {
  it('carries each forecast forward day by day to the resolution date', () => {
    const forecasts = [
      { analyst: 'a', date: '2025-01-01', probability: 0.5 },
      { analyst: 'a', date: '2025-01-03', probability: 0.9 },
    ];
    expect(dailyProbabilities(forecasts, '2025-01-05')).toEqual([0.5, 0.5, 0.9, 0.9, 0.9]);
    const [score] = scoreQuestion(
      question({ forecasts, resolution: { outcome: 'yes', date: '2025-01-05', report: 'r' } }),
    );
    // Days 1-2 at 0.5, days 3-5 at 0.9: (2 x 0.25 + 3 x 0.01) / 5
    expect(score!.days).toBe(5);
    expect(score!.brier).toBeCloseTo(0.106, 12);
    expect(score!.logScore).toBeCloseTo((2 * Math.log(0.5) + 3 * Math.log(0.9)) / 5, 12);
    expect(score!.finalBrier).toBeCloseTo(0.01, 12);
  });

  it('stops at the close date when the resolution comes later', () => {
    const [score] = scoreQuestion(
      question({
        closes: '2025-01-02',
        forecasts: [{ analyst: 'a', date: '2025-01-01', probability: 0.2 }],
        resolution: { outcome: 'no', date: '2025-03-01', report: 'r' },
      }),
    );
    expect(score!.days).toBe(2);
    expect(score!.brier).toBeCloseTo(0.04, 12);
  });

  it('does not score ambiguous or unresolved questions', () => {
    const forecasts = [{ analyst: 'a', date: '2025-01-01', probability: 0.5 }];
    expect(
      scoreQuestion(question({ forecasts, resolution: { outcome: 'ambiguous', date: '2025-02-01' } })),
    ).toEqual([]);
    expect(scoreQuestion(question({ forecasts }))).toEqual([]);
  });
});

describe('calibration table', () => {
  it('buckets to the nearest tenth and counts the share that resolved yes', () => {
    const table = calibrationTable([
      question({
        id: 'yes',
        forecasts: [
          { analyst: 'a', date: '2025-01-01', probability: 0.72 },
          { analyst: 'b', date: '2025-01-01', probability: 0.68 },
          { analyst: 'c', date: '2025-01-01', probability: 0.15 },
        ],
        resolution: { outcome: 'yes', date: '2025-02-01', report: 'r' },
      }),
      question({
        id: 'no',
        forecasts: [{ analyst: 'a', date: '2025-01-01', probability: 0.7 }],
        resolution: { outcome: 'no', date: '2025-02-01', report: 'r' },
      }),
      question({
        id: 'ambiguous',
        forecasts: [{ analyst: 'a', date: '2025-01-01', probability: 0.7 }],
        resolution: { outcome: 'ambiguous', date: '2025-02-01' },
      }),
    ]);
    expect(table).toHaveLength(2);
    expect(table[0]).toMatchObject({ bucket: 0.2, count: 1, observedFrequency: 1 });
    expect(table[1]!.bucket).toBe(0.7);
    expect(table[1]!.count).toBe(3);
    expect(table[1]!.meanForecast).toBeCloseTo(0.7, 12);
    expect(table[1]!.observedFrequency).toBeCloseTo(2 / 3, 12);
  });
});
