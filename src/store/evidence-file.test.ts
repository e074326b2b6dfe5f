import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadEvidenceDocument } from './evidence-file.js';

describe('loadEvidenceDocument', () => {
  it('reads and validates the case evidence', () => {
    const result = loadEvidenceDocument(
      fileURLToPath(new URL('../../models/north-korea-russia/evidence.json', import.meta.url)),
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.document.sources.length).toBeGreaterThan(10);
  });

  it('turns an unreadable file into an issue instead of throwing', () => {
    const result = loadEvidenceDocument('no/such/evidence.json');
    expect(result).toEqual({
      ok: false,
      issues: [{ path: '$', message: 'cannot read no/such/evidence.json: no such file' }],
    });
  });
});
