/**
 * The persistence boundary of the evidence base. Everything above it speaks the evidence
 * document (src/evidence/data.ts); a store keeps it durable. SQLite fills it today
 * (./sqlite.ts); a PostgreSQL implementation can fill the same interface later, which is
 * why the methods return promises even though SQLite answers synchronously.
 */
import type { EvidenceDocument, ValidationIssue } from '../evidence/data.js';

export interface StoreCounts {
  sources: number;
  reports: number;
  estimates: number;
  hypothesisSets: number;
  hypotheses: number;
  evidenceItems: number;
  ratings: number;
  indicators: number;
  forecastQuestions: number;
  forecasts: number;
}

export interface ImportSummary {
  /** Records in the file, by collection. */
  imported: StoreCounts;
  /** Records in the store after the import. */
  total: StoreCounts;
}

export interface EvidenceStore {
  /** Where the store lives, for messages (a file path or a redacted URL). */
  readonly location: string;
  /**
   * Merge a validated, self-contained document into the store in one transaction: a record
   * whose id exists replaces it (a hypothesis set or forecast question with all its rows).
   * Either everything is written or nothing is.
   */
  importDocument(doc: EvidenceDocument): Promise<ImportSummary>;
  /** The whole store as a canonical document. Fails with StoreDataError on corrupt rows. */
  exportDocument(): Promise<EvidenceDocument>;
  counts(): Promise<StoreCounts>;
  close(): Promise<void>;
}

/** The store cannot be opened or used (not a database, newer schema, locked too long). */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** A row in the store breaks the rules of the evidence format (e.g. written by hand). */
export class StoreDataError extends StoreError {
  override name = 'StoreDataError';
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

export function countDocument(doc: EvidenceDocument): StoreCounts {
  return {
    sources: doc.sources.length,
    reports: doc.reports.length,
    estimates: doc.estimates.length,
    hypothesisSets: doc.hypothesisSets.length,
    hypotheses: doc.hypothesisSets.reduce((a, s) => a + s.hypotheses.length, 0),
    evidenceItems: doc.hypothesisSets.reduce((a, s) => a + s.evidence.length, 0),
    ratings: doc.hypothesisSets.reduce((a, s) => a + s.ratings.length, 0),
    indicators: doc.indicators.length,
    forecastQuestions: doc.forecastQuestions.length,
    forecasts: doc.forecastQuestions.reduce((a, q) => a + q.forecasts.length, 0),
  };
}
