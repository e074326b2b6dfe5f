import { describe, expect, it } from 'vitest';
import {
  INCONSISTENCY_POINTS,
  LEVEL_WEIGHT,
  achScoresByDate,
  analyzeHypothesisSet,
  cellConsensus,
  cellDisagreement,
  cellMean,
  disputeLevel,
  populationSd,
  roundHalfToward,
  squaredInconsistency,
} from './ach.js';
import type { ConsistencyRating, HypothesisSet } from './data.js';

// Scale values 1..5 of the Open Synthesis test vectors, as ratings.
const ON_SCALE: Record<number, ConsistencyRating> = {
  1: 'very-inconsistent',
  2: 'inconsistent',
  3: 'neutral',
  4: 'consistent',
  5: 'very-consistent',
};
const cells = (xs: number[][]) => xs.map((c) => c.map((v) => ON_SCALE[v]!));

describe('Open Synthesis test vectors (reference notes 1.2)', () => {
  it('squared inconsistency: [[4],[2]] = 1, [[1],[2]] = 5, [[1,5]] = 0', () => {
    expect(squaredInconsistency(cells([[4], [2]]))).toBe(1);
    expect(squaredInconsistency(cells([[1], [2]]))).toBe(5);
    expect(squaredInconsistency(cells([[1, 5]]))).toBe(0);
  });

  it('diagnosticity of cells 4, 2, 3 is their population SD 0.8165', () => {
    expect(populationSd([4, 2, 3])).toBeCloseTo(0.8165, 4);
  });

  it('cell means count N/A as neutral', () => {
    expect(cellMean(['not-applicable', 'very-consistent'])).toBe(4);
    expect(cellMean([])).toBeNull();
  });
});

describe('consensus rounding: exact halves go toward neutral', () => {
  it('rounds halves toward 3 and everything else to the nearest integer', () => {
    expect(roundHalfToward(1.5, 3)).toBe(2);
    expect(roundHalfToward(2.5, 3)).toBe(3); // Python round: 2
    expect(roundHalfToward(3.5, 3)).toBe(3); // Math.round: 4
    expect(roundHalfToward(4.5, 3)).toBe(4); // Math.round: 5
    expect(roundHalfToward(2.4, 3)).toBe(2);
    expect(roundHalfToward(4.6, 3)).toBe(5);
  });

  it('gives the consensus label of a cell', () => {
    expect(cellConsensus(['very-consistent', 'consistent'])).toBe('consistent');
    expect(cellConsensus(['inconsistent', 'neutral'])).toBe('neutral');
    expect(cellConsensus(['very-inconsistent', 'inconsistent'])).toBe('inconsistent');
    expect(cellConsensus(['not-applicable', 'not-applicable', 'consistent'])).toBe('not-applicable');
    // One N/A against one rating is not a majority: the rating stands.
    expect(cellConsensus(['not-applicable', 'consistent'])).toBe('consistent');
    expect(cellConsensus([])).toBeNull();
  });
});

describe('disagreement', () => {
  it('is the larger of the two sample SDs, banded with strict < limits', () => {
    expect(cellDisagreement(['consistent', 'consistent'])).toBe(0);
    expect(cellDisagreement(['very-inconsistent', 'very-consistent'])).toBeCloseTo(Math.sqrt(8), 12);
    expect(cellDisagreement(['not-applicable', 'consistent'])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(disputeLevel(0.4999)).toBe('consensus');
    expect(disputeLevel(0.5)).toBe('mild');
    expect(disputeLevel(1.5)).toBe('large');
    expect(disputeLevel(2)).toBe('extreme');
    expect(disputeLevel(Math.sqrt(8))).toBe('extreme');
  });
});

describe('weighted inconsistency (Heuer/PARC)', () => {
  it('weights high x low the same as medium x medium', () => {
    expect(LEVEL_WEIGHT.high * LEVEL_WEIGHT.low).toBeCloseTo(1, 12);
  });

  const set: HypothesisSet = {
    id: 'test',
    question: 'hand-computed case',
    hypotheses: [
      { id: 'H1', text: 'one' },
      { id: 'H2', text: 'two' },
      { id: 'H3', text: 'three' },
    ],
    evidence: [
      { id: 'E1', text: 'strong', credibility: 'high', relevance: 'high' },
      { id: 'E2', text: 'weak', credibility: 'low', relevance: 'medium' },
    ],
    ratings: [
      { analyst: 'a', evidence: 'E1', hypothesis: 'H1', rating: 'very-inconsistent' },
      { analyst: 'b', evidence: 'E1', hypothesis: 'H1', rating: 'inconsistent' },
      { analyst: 'a', evidence: 'E2', hypothesis: 'H1', rating: 'inconsistent' },
      { analyst: 'b', evidence: 'E2', hypothesis: 'H1', rating: 'inconsistent' },
      { analyst: 'a', evidence: 'E1', hypothesis: 'H2', rating: 'consistent' },
      { analyst: 'b', evidence: 'E1', hypothesis: 'H2', rating: 'neutral' },
      { analyst: 'a', evidence: 'E2', hypothesis: 'H2', rating: 'very-inconsistent' },
      { analyst: 'b', evidence: 'E2', hypothesis: 'H2', rating: 'very-inconsistent' },
      { analyst: 'a', evidence: 'E1', hypothesis: 'H3', rating: 'neutral' },
      { analyst: 'a', evidence: 'E2', hypothesis: 'H3', rating: 'very-inconsistent' },
      { analyst: 'b', evidence: 'E2', hypothesis: 'H3', rating: 'very-inconsistent' },
    ],
  };

  it('computes sum of cred x rel x mean points and ranks ascending', () => {
    const result = analyzeHypothesisSet(set);
    const byId = Object.fromEntries(result.hypotheses.map((h) => [h.id, h]));
    // H1: E1 weight 2 x mean(2, 1) + E2 weight 1/sqrt2 x mean(1, 1) = 3 + 0.7071
    expect(byId.H1!.inconsistency).toBeCloseTo(3 + Math.SQRT1_2, 12);
    // H2 and H3: only E2, both II: 1/sqrt2 x 2
    expect(byId.H2!.inconsistency).toBeCloseTo(Math.SQRT2, 12);
    expect(byId.H3!.inconsistency).toBeCloseTo(Math.SQRT2, 12);
    // H2 breaks the tie with consistency: E1 weight 2 x mean(1, 0) = 1; H3 has 0.
    expect(byId.H2!.consistency).toBeCloseTo(1, 12);
    expect(result.hypotheses.map((h) => [h.id, h.rank])).toEqual([
      ['H2', 1],
      ['H3', 2],
      ['H1', 3],
    ]);
    expect(byId.H1!.heuerScore).toBeCloseTo(2.5, 12);
    const a = byId.H1!.byAnalyst.find((x) => x.analyst === 'a')!;
    expect(a.inconsistency).toBeCloseTo(2 * 2 + Math.SQRT1_2, 12);
  });

  it('gives equal hypotheses the same rank', () => {
    const twin: HypothesisSet = {
      ...set,
      ratings: set.ratings.filter(
        (r) => r.hypothesis !== 'H1' && !(r.hypothesis === 'H2' && r.evidence === 'E1'),
      ),
    };
    const ranks = analyzeHypothesisSet(twin).hypotheses.map((h) => [h.id, h.rank]);
    expect(ranks).toEqual([
      ['H1', 1],
      ['H2', 2],
      ['H3', 2],
    ]);
  });

  it('measures diagnosticity as the spread of cell means across hypotheses', () => {
    const result = analyzeHypothesisSet(set);
    const e1 = result.evidence.find((e) => e.id === 'E1')!;
    // Cell means: H1 mean(1, 2) = 1.5, H2 mean(4, 3) = 3.5, H3 3 (one analyst).
    expect(e1.diagnosticity).toBeCloseTo(populationSd([1.5, 3.5, 3]), 12);
    const e2 = result.evidence.find((e) => e.id === 'E2')!;
    expect(e2.diagnosticity).toBeCloseTo(populationSd([2, 1, 1]), 12);
    expect(result.evidence[0]!.id).toBe('E1');
    const cell = result.cells.find((c) => c.evidence === 'E1' && c.hypothesis === 'H2')!;
    expect(cell.consensus).toBe('neutral'); // 3.5 rounds toward neutral
    expect(cell.dispute).toBe('mild'); // sample SD of [4, 3] = 0.707
  });

  it("uses an analyst's own relevance when the rating carries one", () => {
    const result = analyzeHypothesisSet({
      id: 'rel',
      question: 'relevance override',
      hypotheses: [{ id: 'H1', text: 'one' }],
      evidence: [{ id: 'E1', text: 'item', credibility: 'high', relevance: 'high' }],
      ratings: [
        { analyst: 'a', evidence: 'E1', hypothesis: 'H1', rating: 'inconsistent', relevance: 'low' },
        { analyst: 'b', evidence: 'E1', hypothesis: 'H1', rating: 'inconsistent' },
      ],
    });
    // sqrt2 x mean(1/sqrt2 x 1, sqrt2 x 1) = (1 + 2) / 2
    expect(result.hypotheses[0]!.inconsistency).toBeCloseTo(1.5, 12);
    expect(result.hypotheses[0]!.byAnalyst).toEqual([
      { analyst: 'a', inconsistency: expect.closeTo(1, 12) },
      { analyst: 'b', inconsistency: expect.closeTo(2, 12) },
    ]);
  });
});

describe('arguments apart and scores by date', () => {
  // E1 (public 2024-01-10) counts against H1; E2 (2024-03-01) against H2; E3 is the analysis
  // under test arguing for H1 over H2: shown, never scored.
  const set: HypothesisSet = {
    id: 's',
    question: 'q',
    hypotheses: [
      { id: 'H1', text: 'one' },
      { id: 'H2', text: 'two' },
    ],
    evidence: [
      { id: 'E1', text: 'a', report: 'r1', credibility: 'high', relevance: 'medium' },
      { id: 'E2', text: 'b', report: 'r2', credibility: 'medium', relevance: 'medium' },
      { id: 'E3', text: 'c', report: 'r3', argument: true, credibility: 'high', relevance: 'high' },
    ],
    ratings: [
      { analyst: 'x', evidence: 'E1', hypothesis: 'H1', rating: 'inconsistent' },
      { analyst: 'x', evidence: 'E1', hypothesis: 'H2', rating: 'neutral' },
      { analyst: 'x', evidence: 'E2', hypothesis: 'H1', rating: 'neutral' },
      { analyst: 'x', evidence: 'E2', hypothesis: 'H2', rating: 'very-inconsistent' },
      { analyst: 'x', evidence: 'E3', hypothesis: 'H1', rating: 'very-consistent' },
      { analyst: 'x', evidence: 'E3', hypothesis: 'H2', rating: 'very-inconsistent' },
    ],
  };
  const dates: Record<string, string> = { r1: '2024-01-10', r2: '2024-03-01', r3: '2024-01-01' };
  const published = (id: string) => dates[id];

  it('keeps an argument out of the scores but in the matrix', () => {
    const result = analyzeHypothesisSet(set);
    const h2 = result.hypotheses.find((h) => h.id === 'H2')!;
    // Only E2 counts against H2: weight medium x medium = 1, very-inconsistent = 2 points.
    expect(h2.inconsistency).toBeCloseTo(INCONSISTENCY_POINTS['very-inconsistent'] * 1, 12);
    const h1 = result.hypotheses.find((h) => h.id === 'H1')!;
    expect(h1.inconsistency).toBeCloseTo(LEVEL_WEIGHT.high * LEVEL_WEIGHT.medium * 1, 12);
    const e3 = result.evidence.find((e) => e.id === 'E3')!;
    expect(e3).toMatchObject({ argument: true, scored: false });
    expect(result.cells.filter((c) => c.evidence === 'E3')).toHaveLength(2);
  });

  it('scores by date count only the evidence public by then', () => {
    const byDate = achScoresByDate(set, ['2024-01-05', '2024-02-01', '2024-03-01'], published);
    expect(byDate.map((d) => d.evidence)).toEqual([[], ['E1'], ['E1', 'E2']]);
    const inc = (i: number, h: string) => byDate[i]!.hypotheses.find((x) => x.id === h)!.inconsistency;
    expect(inc(0, 'H1')).toBe(0);
    expect(inc(1, 'H1')).toBeCloseTo(Math.SQRT2, 12);
    expect(inc(1, 'H2')).toBe(0);
    // In February H2 led; once E2 was public (March) H1 did.
    expect(byDate[1]!.hypotheses.find((x) => x.id === 'H2')!.rank).toBe(1);
    expect(byDate[2]!.hypotheses.find((x) => x.id === 'H1')!.rank).toBe(1);
  });
});
