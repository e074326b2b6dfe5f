/**
 * Forecast scoring: time-weighted Brier and log scores per analyst and question, and a
 * calibration table. Node-free.
 */
import { daysBetween, addDays, type EvidenceDocument, type ForecastQuestion, type Outcome } from './data.js';

export const FORECAST_FORMULAS = [
  'Brier = mean over days of (p_d - o)^2, o = 1 if the question resolved yes, 0 if no (0 best, 1 worst).',
  'log score = mean over days of ln(p_d) if yes, ln(1 - p_d) if no (0 best; ln 0.5 = -0.693 for a coin flip).',
  "  p_d = the analyst's latest forecast made on or before day d; days run from the analyst's first",
  '  forecast through the earlier of the resolution date and the close date, both included.',
  '  Ambiguous and open questions are not scored.',
  'final Brier = (p - o)^2 for the last forecast only; term = its ICD 203 expression of likelihood',
  '  (bands 1-5-20-45-55-80-95-99%; a shared endpoint belongs to the band nearer 50%).',
  'calibration: every forecast on a yes/no-resolved question, bucketed to the nearest tenth',
  '  (bucket b holds b - 0.05 <= p < b + 0.05); observed = share of those forecasts whose question resolved yes.',
];

/** ICD 203 expressions of likelihood (ODNI, 2015), lowest band first. */
export const ICD203_TERMS = [
  'almost no chance',
  'very unlikely',
  'unlikely',
  'roughly even chance',
  'likely',
  'very likely',
  'almost certain',
] as const;
export type Icd203Term = (typeof ICD203_TERMS)[number];

/**
 * The ICD 203 term for a probability. The standard's bands share their endpoints (5, 20, 45,
 * 55, 80, 95%); here an endpoint belongs to the band nearer 50%, so 0.45 and 0.55 are "roughly
 * even chance" and 0.8 is "likely", symmetrically on both sides.
 */
export function icd203Term(p: number): Icd203Term {
  if (p < 0.05) return 'almost no chance';
  if (p < 0.2) return 'very unlikely';
  if (p < 0.45) return 'unlikely';
  if (p <= 0.55) return 'roughly even chance';
  if (p <= 0.8) return 'likely';
  if (p <= 0.95) return 'very likely';
  return 'almost certain';
}

export interface AnalystQuestionScore {
  question: string;
  analyst: string;
  outcome: Outcome;
  forecasts: number;
  days: number;
  brier: number;
  logScore: number;
  finalProbability: number;
  finalTerm: Icd203Term;
  finalBrier: number;
}

export interface CalibrationBucket {
  bucket: number;
  count: number;
  meanForecast: number;
  observedFrequency: number;
}

export interface AnalystSummary {
  analyst: string;
  questions: number;
  meanBrier: number;
  meanLogScore: number;
}

export interface ForecastReport {
  questions: {
    id: string;
    text: string;
    closes: string;
    outcome: Outcome | null;
    resolvedOn: string | null;
    report: string | null;
    forecasts: number;
  }[];
  scores: AnalystQuestionScore[];
  analysts: AnalystSummary[];
  calibration: CalibrationBucket[];
}

function outcomeValue(outcome: Outcome): 0 | 1 | null {
  return outcome === 'yes' ? 1 : outcome === 'no' ? 0 : null;
}

/** The probability each day carries, from the first forecast to the scoring end. */
export function dailyProbabilities(
  forecasts: readonly { date: string; probability: number }[],
  end: string,
): number[] {
  const sorted = [...forecasts].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (sorted.length === 0) return [];
  const first = sorted[0]!.date;
  const days = daysBetween(first, end) + 1;
  const out: number[] = [];
  let k = 0;
  for (let d = 0; d < days; d++) {
    const day = addDays(first, d);
    while (k + 1 < sorted.length && sorted[k + 1]!.date <= day) k++;
    out.push(sorted[k]!.probability);
  }
  return out;
}

export function brierScore(probability: number, outcome: 0 | 1): number {
  return (probability - outcome) ** 2;
}

export function logScore(probability: number, outcome: 0 | 1): number {
  return Math.log(outcome === 1 ? probability : 1 - probability);
}

export function scoreQuestion(question: ForecastQuestion): AnalystQuestionScore[] {
  const resolution = question.resolution;
  if (!resolution) return [];
  const o = outcomeValue(resolution.outcome);
  if (o === null) return [];
  const end = resolution.date < question.closes ? resolution.date : question.closes;
  const analysts = [...new Set(question.forecasts.map((f) => f.analyst))].sort();
  return analysts.map((analyst) => {
    const own = question.forecasts
      .filter((f) => f.analyst === analyst && f.date <= end)
      .sort((a, b) => (a.date < b.date ? -1 : 1));
    const daily = dailyProbabilities(own, end);
    const finalProbability = own[own.length - 1]!.probability;
    return {
      question: question.id,
      analyst,
      outcome: resolution.outcome,
      forecasts: own.length,
      days: daily.length,
      brier: daily.reduce((a, p) => a + brierScore(p, o), 0) / daily.length,
      logScore: daily.reduce((a, p) => a + logScore(p, o), 0) / daily.length,
      finalProbability,
      finalTerm: icd203Term(finalProbability),
      finalBrier: brierScore(finalProbability, o),
    };
  });
}

export function calibrationTable(questions: readonly ForecastQuestion[]): CalibrationBucket[] {
  const buckets = new Map<number, { sum: number; yes: number; count: number }>();
  for (const q of questions) {
    const o = q.resolution ? outcomeValue(q.resolution.outcome) : null;
    if (o === null) continue;
    for (const f of q.forecasts) {
      const b = Math.round(f.probability * 10);
      const entry = buckets.get(b) ?? { sum: 0, yes: 0, count: 0 };
      entry.sum += f.probability;
      entry.yes += o;
      entry.count += 1;
      buckets.set(b, entry);
    }
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, e]) => ({
      bucket: b / 10,
      count: e.count,
      meanForecast: e.sum / e.count,
      observedFrequency: e.yes / e.count,
    }));
}

export function forecastReport(doc: EvidenceDocument): ForecastReport {
  const scores = doc.forecastQuestions.flatMap(scoreQuestion);
  const analysts = [...new Set(scores.map((s) => s.analyst))].sort().map((analyst) => {
    const own = scores.filter((s) => s.analyst === analyst);
    return {
      analyst,
      questions: own.length,
      meanBrier: own.reduce((a, s) => a + s.brier, 0) / own.length,
      meanLogScore: own.reduce((a, s) => a + s.logScore, 0) / own.length,
    };
  });
  return {
    questions: doc.forecastQuestions.map((q) => ({
      id: q.id,
      text: q.text,
      closes: q.closes,
      outcome: q.resolution?.outcome ?? null,
      resolvedOn: q.resolution?.date ?? null,
      report: q.resolution?.report ?? null,
      forecasts: q.forecasts.length,
    })),
    scores,
    analysts,
    calibration: calibrationTable(doc.forecastQuestions),
  };
}
