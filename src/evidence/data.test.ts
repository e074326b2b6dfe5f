import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  estimateById,
  estimatesFor,
  observationsFor,
  isIsoDate,
  parseEvidenceJson,
  serializeEvidence,
  validateEvidence,
  type ValidationIssue,
} from './data.js';
import { sampleDocument } from './testing-fixtures.js';

const CASE_FILE = new URL('../../models/north-korea-russia/evidence.json', import.meta.url);

// Tests write deliberately ill-typed values into the document, which no precise type allows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseDocument = Record<string, any>;

/** Validate a mutated sample document and return its issues (the document must be invalid). */
function issuesAfter(mutate: (doc: LooseDocument) => void): ValidationIssue[] {
  const doc = sampleDocument() as unknown as LooseDocument;
  mutate(doc);
  const result = validateEvidence(doc);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.issues;
}

describe('validation names the JSON path and the problem', () => {
  it('accepts the sample document', () => {
    expect(validateEvidence(sampleDocument()).ok).toBe(true);
  });

  it('refuses an out-of-range Admiralty reliability grade', () => {
    const issues = issuesAfter((d) => (d.sources[1].reliability = 'Z'));
    expect(issues).toEqual([
      expect.objectContaining({ path: '$.sources[1].reliability', message: expect.stringContaining("'Z'") }),
    ]);
    expect(issues[0]!.message).toContain('A, B, C, D, E, F');
  });

  it('refuses an out-of-range information credibility', () => {
    const issues = issuesAfter((d) => (d.reports[0].credibility = 7));
    expect(issues.map((i) => i.path)).toEqual(['$.reports[0].credibility']);
  });

  it('refuses unknown references', () => {
    const issues = issuesAfter((d) => {
      d.estimates[3].report = 'rep-404';
      d.hypothesisSets[0].ratings[1].hypothesis = 'H9';
      d.forecastQuestions[0].resolution.report = 'rep-x';
    });
    expect(issues.map((i) => i.path)).toEqual([
      '$.estimates[3].report',
      '$.hypothesisSets[0].ratings[1].hypothesis',
      '$.forecastQuestions[0].resolution.report',
    ]);
    expect(issues[0]!.message).toBe("unknown report 'rep-404' (not in $.reports)");
  });

  it('refuses duplicate ids and duplicate ratings of one cell by one analyst', () => {
    const issues = issuesAfter((d) => {
      d.estimates[2].id = 'est-1';
      d.hypothesisSets[0].ratings[2].hypothesis = 'H1';
    });
    expect(issues.map((i) => i.path)).toEqual(['$.estimates[2].id', '$.hypothesisSets[0].ratings[2]']);
    expect(issues[0]!.message).toBe("duplicate estimate id 'est-1' (first defined at $.estimates[0].id)");
    expect(issues[1]!.message).toContain('analyst-a already rated (E1, H1)');
  });

  it('refuses bad numbers, dates, ranges and probabilities', () => {
    const issues = issuesAfter((d) => {
      d.estimates[0].value = '1000';
      d.estimates[1].low = 3000;
      d.reports[1].published = '2024-02-30';
      d.forecastQuestions[0].forecasts[0].probability = 1;
      d.forecastQuestions[0].forecasts[1].date = '2024-05-02';
    });
    expect(issues.map((i) => i.path)).toEqual([
      '$.reports[1].published',
      '$.estimates[0].value',
      '$.estimates[1].low',
      '$.forecastQuestions[0].forecasts[0].probability',
      '$.forecastQuestions[0].forecasts[1].date',
    ]);
    expect(issues[1]!.message).toBe("must be a finite number, got '1000'");
    expect(issues[2]!.message).toBe('low 3000 is above high 2500');
    expect(issues[4]!.message).toContain('after the question resolved on 2024-05-01');
  });

  it('refuses unknown fields (they would be lost on export) and mixed units', () => {
    const issues = issuesAfter((d) => {
      d.sources[0].reliabilty = 'A';
      d.estimates[3].unit = 'troops';
    });
    expect(issues.map((i) => i.path)).toEqual(['$.sources[0].reliabilty', '$.estimates[3].unit']);
  });

  it('refuses prototype keys anywhere, with their path, and nothing reaches a prototype', () => {
    const text = serializeEvidence(sampleDocument()).replace(
      '"reliability": "B"',
      '"reliability": "B", "__proto__": {"polluted": true}',
    );
    const result = parseEvidenceJson(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: '$.sources[0].__proto__', message: 'is a reserved key (__proto__, constructor, prototype)' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const issues = issuesAfter((d) => (d.hypothesisSets[0].constructor = 'x'));
    expect(issues.map((i) => i.path)).toEqual(['$.hypothesisSets[0].constructor']);
  });

  it('checks the cross-record rules even beside an unknown field, in document order', () => {
    const issues = issuesAfter((d) => {
      d.sources[0].extra = 1;
      d.indicators[0].bearsOn = { hypothesisSet: 'nope' };
    });
    expect(issues).toEqual([
      {
        path: '$.sources[0].extra',
        message: expect.stringMatching(/^unknown field \(expected one of id, name/),
      },
      { path: '$.indicators[0].bearsOn.hypothesisSet', message: "unknown hypothesis set 'nope'" },
    ]);
  });

  it('locates JSON syntax errors by line and column', () => {
    const result = parseEvidenceJson('{\n  "format": "interlock-evidence",\n  "version": 1,,\n}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]!.path).toBe('$');
    expect(result.issues[0]!.line).toBe(3);
    expect(result.issues[0]!.message).toMatch(/^not valid JSON/);
  });

  it('checks calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-2-01')).toBe(false);
  });
});

describe('canonical serialisation', () => {
  it('is stable: serialise -> parse -> serialise gives the same text whatever the input order', () => {
    const doc = sampleDocument();
    doc.estimates.reverse();
    doc.hypothesisSets[0]!.ratings.reverse();
    const first = serializeEvidence(doc);
    const reparsed = parseEvidenceJson(first);
    expect(reparsed.ok).toBe(true);
    if (!reparsed.ok) return;
    expect(serializeEvidence(reparsed.document)).toBe(first);
    expect(first.indexOf('"est-1"')).toBeLessThan(first.indexOf('"est-2"'));
  });
});

describe('the case evidence file', () => {
  const text = readFileSync(CASE_FILE, 'utf8');
  const parsed = parseEvidenceJson(text);

  it('is valid and already in canonical form', () => {
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    if (parsed.ok) expect(serializeEvidence(parsed.document)).toBe(text);
  });

  it('holds the quantities the case model needs, with plans and capacities kept apart', () => {
    if (!parsed.ok) throw new Error('invalid');
    const doc = parsed.document;
    for (const q of [
      'nk.troops.in_russia',
      'nk.casualties.total',
      'nk.casualties.killed',
      'nk.shells.delivered',
      'nk.missiles.delivered',
    ]) {
      expect(estimatesFor(doc, q).length, q).toBeGreaterThan(0);
    }
    expect(estimatesFor(doc, 'nk.shells.delivered', { bases: ['capacity'] }).length).toBeGreaterThanOrEqual(
      4,
    );
    expect(estimateById(doc, 'est-2024-11-04-pentagon-troops')).toMatchObject({ low: 11000, high: 12000 });
    expect(estimateById(doc, 'est-2024-10-23-nis-troops-december-plan')?.basis).toBe('plan');
    const set = doc.hypothesisSets.find((s) => s.id === 'c6-purpose')!;
    expect(set.hypotheses.map((h) => h.id)).toEqual(['H1', 'H2', 'H3', 'H4']);
    // One real rater, the case's authors; the seed's own argument is shown but kept apart.
    expect([...new Set(set.ratings.map((r) => r.analyst))]).toEqual(['case-authors']);
    expect(set.evidence.filter((e) => e.argument).map((e) => e.report)).toEqual([
      'rep-seed-c7-replacement-demand',
    ]);
  });

  it('annotates every estimate with what it counts and the briefing it repeats', () => {
    if (!parsed.ok) throw new Error('invalid');
    const doc = parsed.document;
    expect(doc.estimates.every((e) => e.measure !== undefined && e.briefing !== undefined)).toBe(true);
    // Troops present and troops sent are told apart: the Pentagon's 11-12,000 "in Russia" on
    // 2024-11-04 is a presence, the 14,000 "sent since October" of 2025-04-27 a cumulative count.
    expect(estimateById(doc, 'est-2024-11-04-pentagon-troops')?.measure).toBe('present');
    expect(estimateById(doc, 'est-2025-04-27-kr-officials-troops')?.measure).toBe('cumulative-sent');
    const present = estimatesFor(doc, 'nk.troops.in_russia', { measures: ['present'] }).map((e) => e.id);
    expect(present).toContain('est-2025-07-13-dia-troops');
    expect(present).not.toContain('est-2025-04-30-nis-troops');
    // One NIS briefing of 2025-04-30 reached the press through two pages: one key.
    expect(estimateById(doc, 'est-2025-04-30-nis-kbs-casualties')?.briefing).toBe(
      estimateById(doc, 'est-2025-04-30-nis-casualties')?.briefing,
    );
  });

  it('keeps undated pages undated and forecasts only from real, dated forecasters', () => {
    if (!parsed.ok) throw new Error('invalid');
    const doc = parsed.document;
    expect(doc.reports.filter((r) => r.undated).map((r) => r.id)).toEqual([
      'rep-2024-12-01-hur-100-missiles',
      'rep-2025-04-30-nis-15000',
    ]);
    // An undated page never counts as public by a date, however late.
    const byEnd = estimatesFor(doc, 'nk.troops.in_russia', { publishedBy: '2030-01-01' }).map((e) => e.id);
    expect(byEnd).not.toContain('est-2025-04-30-nis-troops');
    expect(estimatesFor(doc, 'nk.troops.in_russia').map((e) => e.id)).toContain('est-2025-04-30-nis-troops');
    const forecasters = new Set(doc.forecastQuestions.flatMap((q) => q.forecasts.map((f) => f.analyst)));
    expect([...forecasters]).toEqual(['seed-article']);
    const seed = doc.reports.filter((r) => r.source === 'src-seed-article').map((r) => r.published);
    for (const q of doc.forecastQuestions) {
      for (const f of q.forecasts) expect(seed.every((d) => d! <= f.date)).toBe(true);
    }
  });

  it('gives hindcast observations by the date they describe, without plans or capacities', () => {
    if (!parsed.ok) throw new Error('invalid');
    const points = observationsFor(parsed.document, 'nk.troops.in_russia');
    expect(points[0]).toMatchObject({ id: 'est-2024-10-13-nis-troops', date: '2024-10-13', value: 1500 });
    expect(points.find((p) => p.id === 'est-2024-11-04-pentagon-troops')).toMatchObject({
      value: 11500,
      low: 11000,
      high: 12000,
    });
    expect(points.every((p) => p.basis === 'observed' || p.basis === 'assessed')).toBe(true);
    const dates = points.map((p) => p.date);
    expect(dates).toEqual([...dates].sort());
  });
});
