/**
 * The bounded, seeded sample of `npm run fuzz`: XMILE, equations, experiment specs, evidence
 * files and API bodies. No case may throw where a value is promised, hang or exhaust memory.
 */
import { describe, expect, it } from 'vitest';
import { fuzz, makeCase, runCase } from '../../src/node/fuzz.js';

describe('fuzz (bounded sample)', () => {
  it('1,000 seeded cases: no crash, no hang, no memory blow-up', async () => {
    const report = await fuzz({ cases: 1000, seed: 2026, hangMs: 10_000 });
    expect(report.crashes).toEqual([]);
    expect(report.hangs).toEqual([]);
    expect(report.memory).toEqual([]);
    expect(Object.values(report.perTarget)).toEqual([200, 200, 200, 200, 200]);
  }, 120_000);

  it('cases are reproducible from their seed and index', () => {
    expect(makeCase(5, 123)).toEqual(makeCase(5, 123));
    expect(makeCase(5, 123)).not.toEqual(makeCase(6, 123));
  });

  it('refusals the code promises (SpecError, issues, diagnostics) are not counted as crashes', () => {
    // The API target parses the body, then validates it: a schema walk never throws, so a crash
    // can only be observed on a target whose code throws; a spec that is not an object is refused
    // with SpecError (not a crash), while the evidence parser returns issues.
    expect(runCase('spec', '[1, 2]')).toBeUndefined();
    expect(runCase('evidence', '{')).toBeUndefined();
    expect(runCase('xmile', '<xmile')).toBeUndefined();
  });
});
