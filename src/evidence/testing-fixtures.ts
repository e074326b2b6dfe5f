/** A small valid evidence document for tests, built fresh on each call so tests may mutate it. */
import type { EvidenceDocument } from './data.js';

export function sampleDocument(): EvidenceDocument {
  return {
    format: 'interlock-evidence',
    version: 1,
    sources: [
      { id: 'src-a', name: 'Agency A', kind: 'government', reliability: 'B', url: 'https://example.org/a' },
      { id: 'src-b', name: 'Paper B', kind: 'press', reliability: 'C' },
    ],
    reports: [
      {
        id: 'rep-1',
        source: 'src-a',
        published: '2024-01-01',
        claim: 'one thousand',
        credibility: 2,
        urls: ['https://example.org/1'],
      },
      {
        id: 'rep-2',
        source: 'src-b',
        published: '2024-01-10',
        eventDate: '2024-01-08',
        claim: 'two',
        credibility: 3,
      },
      {
        id: 'rep-3',
        source: 'src-a',
        published: '2024-02-01',
        claim: 'plan',
        credibility: 2,
        claims: ['C5'],
      },
      { id: 'rep-4', source: 'src-a', published: '2024-05-01', claim: 'three', credibility: 2 },
    ],
    estimates: [
      {
        id: 'est-1',
        quantity: 'x.count',
        value: 1000,
        unit: 'persons',
        asOf: '2024-01-01',
        basis: 'observed',
        source: 'src-a',
        report: 'rep-1',
      },
      {
        id: 'est-2',
        quantity: 'x.count',
        low: 1500,
        high: 2500,
        unit: 'persons',
        asOf: '2024-01-08',
        basis: 'assessed',
        source: 'src-b',
        report: 'rep-2',
      },
      {
        id: 'est-3',
        quantity: 'x.count',
        value: 4000,
        unit: 'persons',
        asOf: '2024-12-31',
        basis: 'plan',
        source: 'src-a',
        report: 'rep-3',
      },
      {
        id: 'est-4',
        quantity: 'x.count',
        value: 3000,
        qualifier: 'at-least',
        unit: 'persons',
        asOf: '2024-05-01',
        basis: 'assessed',
        source: 'src-a',
        report: 'rep-4',
      },
    ],
    hypothesisSets: [
      {
        id: 'set-1',
        question: 'why?',
        hypotheses: [
          { id: 'H1', text: 'first' },
          { id: 'H2', text: 'second' },
        ],
        evidence: [{ id: 'E1', text: 'item', report: 'rep-1', credibility: 'high', relevance: 'medium' }],
        ratings: [
          { analyst: 'analyst-a', evidence: 'E1', hypothesis: 'H1', rating: 'inconsistent' },
          {
            analyst: 'analyst-b',
            evidence: 'E1',
            hypothesis: 'H1',
            rating: 'consistent',
            relevance: 'low',
            note: 'disagrees',
          },
          { analyst: 'analyst-a', evidence: 'E1', hypothesis: 'H2', rating: 'very-consistent' },
        ],
      },
    ],
    indicators: [
      {
        id: 'ind-1',
        text: 'more than 2,000',
        quantity: 'x.count',
        comparison: 'above',
        threshold: 2000,
        bearsOn: { claims: ['C4'], hypothesisSet: 'set-1', hypothesis: 'H2' },
      },
    ],
    forecastQuestions: [
      {
        id: 'fq-1',
        text: 'will it?',
        opened: '2024-01-01',
        closes: '2024-06-30',
        resolution: { outcome: 'yes', date: '2024-05-01', report: 'rep-4' },
        forecasts: [
          { analyst: 'analyst-a', date: '2024-01-01', probability: 0.6 },
          { analyst: 'analyst-b', date: '2024-02-01', probability: 0.3 },
        ],
      },
    ],
  };
}
