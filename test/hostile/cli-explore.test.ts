/**
 * Hostile experiments through the built CLI (the reproducers of issue 13): each is refused with
 * a message naming the budget or the way out, exit 1 or 2, within 5 s and 1 GB; a folder a kill
 * left behind is read with a warning saying how many runs it holds.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCapped, MEMORY_LIMIT, TIME_LIMIT_S } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'interlock-hostile-explore-'));
const spec = path.join(tmp, 'spec.json');
const out = path.join(tmp, 'out');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  writeFileSync(
    spec,
    JSON.stringify({
      model: 'builtin:ishigami',
      samples: 20,
      uncertainties: ['x1', 'x2', 'x3'].map((name) => ({ name, low: -3, high: 3 })),
      outcomes: [{ name: 'y', kind: 'maximize' }],
    }),
  );
  const r = cliCapped(['explore', spec, '--out', out, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
});

function expectBounded(r: ReturnType<typeof cliCapped>): void {
  expect(r.seconds).toBeLessThan(TIME_LIMIT_S);
  expect(r.peakBytes).toBeLessThan(MEMORY_LIMIT);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('explore budgets and folders', () => {
  it('10^9 samples: the runs budget, refused before the design is built', () => {
    const r = cliCapped(['explore', spec, '--out', path.join(tmp, 'big'), '--samples', '1000000000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("comes to 1,000,000,000, over the 'runs' budget of 10,000,000");
    expect(r.stderr).toContain('--budget runs=N');
    expectBounded(r);
  });

  it('-j 1000: the workers budget, no thread started', () => {
    const r = cliCapped(['explore', spec, '--out', path.join(tmp, 'many'), '-j', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the worker threads asked for comes to 1,000, over the 'workers' budget of \d+/);
    expect(r.stderr).toContain('--budget workers=N');
    expectBounded(r);
  });

  it('rerunning into a folder of finished runs is refused and leaves it as it was', () => {
    const before = readFileSync(path.join(out, 'status.u8'));
    const mtime = statSync(path.join(out, 'metadata.json')).mtimeMs;
    const r = cliCapped(['explore', spec, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already holds experiment results (20 of 20 runs, complete)');
    expect(r.stderr).toContain('--resume finishes them, --force replaces them');
    expect(readFileSync(path.join(out, 'status.u8'))).toEqual(before);
    expect(statSync(path.join(out, 'metadata.json')).mtimeMs).toBe(mtime);
    expectBounded(r);
  });

  it('a folder left by a kill ("running", runs missing): analysis warns with the count', () => {
    const killed = path.join(tmp, 'killed');
    const r0 = cliCapped(['explore', spec, '--out', killed, '--quiet']);
    expect(r0.code).toBe(0);
    // As SIGKILL leaves it: the state still says running and the last 8 runs never finished.
    const meta = path.join(killed, 'metadata.json');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace(/"state":\s*"complete"/, '"state": "running"'));
    const status = readFileSync(path.join(killed, 'status.u8'));
    status.fill(0, 12);
    writeFileSync(path.join(killed, 'status.u8'), status);
    for (const args of [
      ['robustness', killed],
      ['discover', killed, '--where', 'y > 0'],
      ['report', killed, '--out', path.join(tmp, 'report.html')],
    ]) {
      const r = cliCapped(args);
      expect(r.stderr, args[0]).toContain(
        `warning: ${killed} is incomplete (stopped while running): it holds 12 of 20 runs`,
      );
      expect(r.stderr).toContain('--resume` finishes it');
      expectBounded(r);
    }
  });
});
