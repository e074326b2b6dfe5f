import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addDays, centralValue, parseEvidenceJson, type EvidenceDocument } from './data.js';
import { estimateTimeline, median } from './estimates.js';
import { indicatorStates } from './indicators.js';
import { sampleDocument } from './testing-fixtures.js';

describe('revision ratio', () => {
  it('divides each estimate by the median of later observed/assessed estimates in the window', () => {
    const t = estimateTimeline(sampleDocument(), 'x.count', 90);
    const ratio = Object.fromEntries(t.estimates.map((e) => [e.id, e.revisionRatio]));
    // est-1 (2024-01-01): later within 90 days: est-2 (midpoint 2000); est-3 is a plan, excluded.
    expect(ratio['est-1']).toBeCloseTo(0.5, 12);
    // est-2 (2024-01-10): only the plan follows within 90 days -> no ratio.
    expect(ratio['est-2']).toBeNull();
    // est-3 (plan, 2024-02-01): est-4 (2024-05-01) is 90 days later, inside the window.
    expect(ratio['est-3']).toBeCloseTo(4000 / 3000, 12);
    expect(ratio['est-4']).toBeNull();
    expect(t.estimates.map((e) => e.id)).toEqual(['est-1', 'est-2', 'est-3', 'est-4']);
    expect(t.summary).toMatchObject({ compared: 1, below: 1, equal: 0, above: 0, medianRatio: 0.5 });
  });

  it('widens with the window', () => {
    const t = estimateTimeline(sampleDocument(), 'x.count', 200);
    // est-1: later est-2 (2000) and est-4 (3000) -> median 2500.
    expect(t.estimates[0]!.revisionRatio).toBeCloseTo(0.4, 12);
    expect(t.estimates[0]!.laterCount).toBe(2);
  });

  it('agrees with a direct recomputation on a random document (sliding window check)', () => {
    // A small linear congruential generator keeps the document the same on every run.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const doc: EvidenceDocument = { ...sampleDocument(), estimates: [], reports: [] };
    const bases = ['observed', 'assessed', 'plan', 'capacity'] as const;
    for (let r = 0; r < 60; r++) {
      const published = addDays('2024-01-01', Math.floor(next() * 400));
      doc.reports.push({ id: `r${r}`, source: 'src-a', published, claim: 'c', credibility: 3 });
    }
    for (let e = 0; e < 300; e++) {
      doc.estimates.push({
        id: `e${e}`,
        quantity: 'x.count',
        value: Math.floor(next() * 1000),
        unit: 'persons',
        asOf: '2024-01-01',
        basis: bases[Math.floor(next() * 4)]!,
        source: 'src-a',
        report: `r${Math.floor(next() * 60)}`,
      });
    }
    const published = new Map(doc.reports.map((r) => [r.id, r.published]));
    const t = estimateTimeline(doc, 'x.count', 45);
    for (const entry of t.estimates) {
      const end = addDays(entry.date, 45);
      const later = doc.estimates
        .filter(
          (f) => (f.basis === 'observed' || f.basis === 'assessed') && published.get(f.report)! > entry.date,
        )
        .filter((f) => published.get(f.report)! <= end)
        .map(centralValue);
      expect(entry.laterCount, entry.id).toBe(later.length);
      expect(entry.laterMedian, entry.id).toBe(median(later));
    }
  });

  it('median of even and odd lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('indicators', () => {
  it('use the latest qualifying estimate, as of a date', () => {
    const doc = sampleDocument();
    // As of 2024-01-05 the latest is est-1 (1000): not above 2000.
    expect(indicatorStates(doc, '2024-01-05')[0]).toMatchObject({
      state: 'not-triggered',
      latest: { id: 'est-1' },
    });
    // The plan of 4000 (2024-02-01) does not count; est-2's midpoint is 2000, not above 2000.
    expect(indicatorStates(doc, '2024-03-01')[0]).toMatchObject({
      state: 'not-triggered',
      latest: { id: 'est-2' },
    });
    expect(indicatorStates(doc)[0]).toMatchObject({
      state: 'triggered',
      latest: { id: 'est-4', value: 3000 },
    });
    expect(indicatorStates(doc, '2023-12-31')[0]!.state).toBe('no-data');
  });
});

describe('C5 on the case evidence', () => {
  const parsed = parseEvidenceJson(
    readFileSync(new URL('../../models/north-korea-russia/evidence.json', import.meta.url), 'utf8'),
  );
  if (!parsed.ok) throw new Error('case evidence invalid');
  const doc = parsed.document;

  it('troop estimates of October 2024 sit far below the later consensus, later ones do not', () => {
    const t = estimateTimeline(doc, 'nk.troops.in_russia');
    const byId = Object.fromEntries(t.estimates.map((e) => [e.id, e]));
    // 1,500 against the median of the five observed/assessed figures of the next 90 days.
    expect(byId['est-2024-10-13-nis-troops']!.laterMedian).toBe(10000);
    expect(byId['est-2024-10-13-nis-troops']!.revisionRatio).toBeCloseTo(0.15, 12);
    expect(byId['est-2024-11-26-dod-troops']!.revisionRatio).toBeGreaterThan(1);
    expect(t.summary.above).toBeGreaterThan(0); // so not "always upward"
  });

  it('casualty estimates were mostly below what was reported later', () => {
    const t = estimateTimeline(doc, 'nk.casualties.total');
    expect(t.summary.below).toBeGreaterThan(t.summary.above);
  });
});
