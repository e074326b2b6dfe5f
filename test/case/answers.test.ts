import { describe, expect, it } from 'vitest';
import {
  answersFromHeadline,
  behaviourSummary,
  growthVerdict,
  nonDominated,
  q4Answer,
} from '../../src/case/answers.js';
import type { CaseForecasts } from '../../src/case/analysis.js';
import type { ForecastSummary } from '../../src/calibrate/forecast.js';
import { HEADLINE_DEFAULTS, type HeadlineResult, type PolicyHeadline } from '../../src/case/headline.js';
import { wilsonInterval } from '../../src/case/ensemble.js';

const policy = (name: string, k: number, troops: number, satisficing: number): PolicyHeadline => ({
  policy: name,
  growing: k / 64,
  interval: wilsonInterval(k, 64),
  medianTroops24: troops,
  medianTechnology24: 8.27,
  regretMedian: 100,
  regret90: 200,
  technologyRegretMedian: 0.5,
  technologyRegret90: 1.5,
  satisficing,
});

const headline: HeadlineResult = {
  options: { ...HEADLINE_DEFAULTS, samples: 64 },
  baseline: 'escalation-management',
  policies: [
    policy('escalation-management', 25, 9567.4, 0.47),
    policy('combined-deterrence', 12, 2417.2, 0.58),
    policy('no-western-response', 34, 12740, 0.44),
  ],
  bySwitch: [],
  technologyBySwitch: [],
  recurring: [{ input: 'russian_losses_at_full_tempo', side: 'low', value: 1234.5, seeds: 5, of: 5 }],
  allRestrictions: [],
};

describe('answersFromHeadline', () => {
  const answers = answersFromHeadline(headline);
  it('answers Q1 with the baseline share of growing futures and its Wilson interval', () => {
    const [lo, hi] = wilsonInterval(25, 64);
    const q1 = answers.find((a) => a.id === 'Q1')!;
    expect(q1.answer).toContain(`in ${Math.round((25 / 64) * 100)}% of 64 sampled futures`);
    expect(q1.answer).toContain(`(95% interval ${Math.round(lo * 100)}%-${Math.round(hi * 100)}%)`);
    expect(q1.answer).toContain('9,567 troops');
    // 39% with an interval reaching above one half: no verdict either way.
    expect(q1.answer.startsWith('In a large share of futures, not distinguishable from half')).toBe(true);
    expect(q1.claims).toEqual(['C4', 'C14', 'C15']);
  });
  it('names the best policy in Q2 and ranks all by growth', () => {
    const q2 = answers.find((a) => a.id === 'Q2')!;
    expect(q2.answer.startsWith('combined-deterrence does best')).toBe(true);
    expect(q2.answer).toContain(
      'Ranked by share of growing futures: combined-deterrence 19%, escalation-management 39%, no-western-response 53%.',
    );
  });
  it('states the recurring restriction in Q3 and leaves Q4 pending', () => {
    expect(answers.find((a) => a.id === 'Q3')!.answer).toContain('russian losses at full tempo above 1,235');
    expect(answers.find((a) => a.id === 'Q4')!.status).toBe('pending');
  });
});

describe('nonDominated (Q2 on both growth and technology)', () => {
  const withTech = (p: PolicyHeadline, tech: number): PolicyHeadline => ({ ...p, medianTechnology24: tech });
  const a = withTech(policy('a', 10, 3000, 0.8), 6); // least growth, most technology
  const b = withTech(policy('b', 20, 4000, 0.7), 3); // more growth, least technology
  const c = withTech(policy('c', 30, 5000, 0.6), 7); // worse than a on both
  const d = withTech(policy('d', 20, 4000, 0.7), 5); // worse than b on technology, same growth
  it('keeps the policies no other beats on both halves, by hand', () => {
    expect(nonDominated([a, b, c, d]).map((p) => p.policy)).toEqual(['a', 'b']);
    expect(nonDominated([c]).map((p) => p.policy)).toEqual(['c']);
  });
  it('names the fewest packages and the non-dominated set in the Q2 answer', () => {
    const q2 = answersFromHeadline({ ...headline, policies: [a, b, c, d] }).find((x) => x.id === 'Q2')!;
    expect(q2.answer).toContain('On technology, b leaves the fewest packages by month 24 (median 3)');
    expect(q2.answer).toContain('than any of a and b.');
  });
});

describe('growthVerdict', () => {
  it('gives a verdict only where the interval allows one', () => {
    expect(growthVerdict([0.55, 0.7])).toBe('Yes, in most futures');
    expect(growthVerdict([0.05, 0.2])).toBe('Rarely');
    expect(growthVerdict([0.2, 0.45])).toBe('In a minority of futures');
    expect(growthVerdict([0.44, 0.6])).toMatch(/not distinguishable from half/);
  });
});

describe('q4Answer', () => {
  const summary = (over: Partial<ForecastSummary>): ForecastSummary => ({
    forecasts: 100,
    paired: 60,
    crpsModel: 0.3,
    crpsAnalyst: 0.5,
    modelBetter: 0.7,
    logModel: -8,
    logAnalyst: -9,
    revisedUp: 0.8,
    anticipated: 0.75,
    overshot: 0.3,
    coverage90: 0.9,
    pointRows: 80,
    ...over,
  });
  const forecasts = (s: ForecastSummary): CaseForecasts => ({
    months: '2024-10..2025-09',
    samples: 1000,
    summary: s,
    byDate: [
      { asOf: '2024-10-31', dataRows: 4, ...s },
      { asOf: '2025-09-30', dataRows: 26, ...s },
    ],
    byStream: [],
    steps: [],
  });
  it('calls the revisions predictable only when the model saw them coming and scored better', () => {
    expect(q4Answer(forecasts(summary({})))).toMatch(
      /^Largely, yes: at the end of each month from 2024-10-31 to 2025-09-30/,
    );
    expect(q4Answer(forecasts(summary({ crpsModel: 0.6 })))).toMatch(/^In direction, but not in size/);
    expect(q4Answer(forecasts(summary({ anticipated: 0.4 })))).toMatch(/^No:/);
    // Above the analysts only because above everything: a bias, not foresight.
    expect(q4Answer(forecasts(summary({ crpsModel: 0.6, overshot: 0.9 })))).toMatch(
      /^Not by this model: its forecasts were biased high/,
    );
    const text = q4Answer(forecasts(summary({})));
    expect(text).toContain('the later report was higher in 80% of them');
    expect(text).toContain('model 0.3, analysts’ latest figure 0.5');
  });
  it('answers Q4 when the forecasts are there, and leaves it pending otherwise', () => {
    expect(answersFromHeadline(headline, forecasts(summary({}))).find((a) => a.id === 'Q4')!.status).toBe(
      'answered',
    );
  });
});

describe('behaviourSummary', () => {
  it('describes growth, decay and a peak from the series', () => {
    const time = Array.from({ length: 11 }, (_, i) => i);
    const s = behaviourSummary(time, [
      { name: 'Teacup_Temperature', units: 'degrees', values: time.map((t) => 70 + 110 * Math.exp(-t / 10)) },
      { name: 'troops', units: 'troops', values: time.map((t) => 1000 * t * Math.exp(-t / 3)) },
      { name: 'flat', values: time.map(() => 3) },
    ]);
    expect(s[0]!.sentence).toBe('Teacup Temperature falls from 180 degrees to 110 degrees.');
    // t e^{-t/3} peaks at t = 3: 3000 / e = 1,104; at t = 10: 10000 e^{-10/3} = 356.7
    expect(s[1]!.peakTime).toBe(3);
    expect(s[1]!.sentence).toBe(
      'troops rises from 0 troops to a peak of 1,104 troops at 3, then falls to 357 troops.',
    );
    expect(s[2]!.sentence).toBe('flat stays at 3.');
  });
});
