/** Reading the case's evidence.json in the page with the evidence module's own (Node-free) code. */
import {
  estimateById,
  publishedDate,
  sourceById,
  validateEvidence,
  type EvidenceDocument,
} from '../evidence/data.js';
import { fmt } from './dom.js';

const cache = new WeakMap<object, EvidenceDocument | string>();

/** The validated document, or the validation problems as one message. */
export function evidenceDocument(raw: unknown): EvidenceDocument | string {
  if (!raw || typeof raw !== 'object') return 'no evidence.json beside this model';
  const hit = cache.get(raw);
  if (hit) return hit;
  const parsed = validateEvidence(raw);
  const out = parsed.ok
    ? parsed.document
    : `evidence.json does not validate: ${parsed.issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`;
  cache.set(raw, out);
  return out;
}

/** A one-line description of an estimate cited by a parameter, or undefined when unknown. */
export function findEvidenceItem(raw: unknown, id: string): string | undefined {
  const doc = evidenceDocument(raw);
  if (typeof doc === 'string') return undefined;
  const e = estimateById(doc, id);
  if (!e) return undefined;
  const value = e.value !== undefined ? fmt(e.value) : `${fmt(e.low ?? NaN)}-${fmt(e.high ?? NaN)}`;
  const source = sourceById(doc, e.source);
  return `${e.quantity}: ${e.qualifier ? `${e.qualifier} ` : ''}${value} ${e.unit} as of ${e.asOf} (${e.basis}; ${
    source?.name ?? e.source
  }${source ? ` [${source.reliability}]` : ''}, published ${publishedDate(doc, e) ?? 'undated'})`;
}
