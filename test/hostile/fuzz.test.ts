/**
 * The bounded, seeded sample of `npm run fuzz`: XMILE and Vensim models, equations, experiment
 * and calibration specs, evidence files, API bodies and query strings. No case may throw where a value is promised, hang or exhaust memory.
 */
import { describe, expect, it } from 'vitest';
import { fuzz, makeCase, runCase } from '../../src/node/fuzz.js';

describe('fuzz (bounded sample)', () => {
  it('1,050 seeded cases: no crash, no hang, no memory blow-up', async () => {
    const report = await fuzz({ cases: 1050, seed: 2026, hangMs: 10_000 });
    expect(report.crashes).toEqual([]);
    expect(report.hangs).toEqual([]);
    expect(report.memory).toEqual([]);
    expect(report.perTarget).toEqual({
      xmile: 150,
      equation: 150,
      spec: 150,
      evidence: 150,
      api: 150,
      vensim: 150,
      calibration: 150,
    });
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
    expect(runCase('vensim', 'x = ( ~ |')).toBeUndefined();
    expect(runCase('calibration', '{"model": 3}')).toBeUndefined();
    expect(
      runCase('api', '{"model": "m", "parameters": {"__proto__": {"polluted": [1, 2]}}}'),
    ).toBeUndefined();
  });

  it('a case that leaves a key on Object.prototype is counted as a crash (and the key removed)', () => {
    (Object.prototype as Record<string, unknown>).fuzzProbe = 1;
    expect(runCase('equation', '1 + 2')).toBe('Object.prototype gained fuzzProbe');
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
