/**
 * Hostile models and runs through the CLI: each is refused (or answered) with a located message
 * naming the budget, exit 1 or 2, within 5 s and 1 GB. The reproducers of issue 13.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCapped, MEMORY_LIMIT, TIME_LIMIT_S, xmile } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'interlock-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
}

const STACK = /^\s+at .+(:\d+:\d+\)?|<anonymous>)$/m;

function expectBounded(r: ReturnType<typeof cliCapped>): void {
  expect(r.seconds).toBeLessThan(TIME_LIMIT_S);
  expect(r.peakBytes).toBeLessThan(MEMORY_LIMIT);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe('model bombs are refused before they are built', () => {
  it('dimensions multiplying to 10^7 elements: elements budget, located at the variable', () => {
    const f = file(
      'product.xmile',
      xmile({
        dims: '<dim name="A" size="1000"/><dim name="B" size="1000"/><dim name="C" size="10"/>',
        vars: '<aux name="x"><dimensions><dim name="A"/><dim name="B"/><dim name="C"/></dimensions><eqn>1</eqn></aux>',
      }),
    );
    const r = cliCapped(['run', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:7:1: error:`);
    expect(r.stderr).toContain("the model's element count with 'x' comes to 10,000,000");
    expect(r.stderr).toContain('--budget elements=N');
    expectBounded(r);
  });

  it('DELAYN of order 10^9: delayOrder budget, located at the order argument', () => {
    const f = file('delay.xmile', xmile({ vars: '<aux name="x"><eqn>DELAYN(1, 2, 1e9, 0)</eqn></aux>' }));
    const r = cliCapped(['check', f]);
    expect(r.code).toBe(1);
    // Column 33 of line 7: the order argument "1e9" (the equation starts at column 20).
    expect(r.stdout).toContain(
      `${f}:7:33: error: the order of this DELAYN/SMTHN comes to 1,000,000,000, over the 'delayOrder' budget`,
    );
    expect(r.stdout).toContain('--budget delayOrder=N');
    expectBounded(r);
  });

  it('SMTHN in an array of 50 elements, each of order 1000: the elements budget stops it once', () => {
    const f = file(
      'smooth.xmile',
      xmile({
        dims: '<dim name="A" size="50"/>',
        vars: '<aux name="x"><dimensions><dim name="A"/></dimensions><eqn>SMTHN(TIME, 2, 1000)</eqn></aux>',
      }),
    );
    // 50 x 1000 stages against a lowered budget of 20,000 elements (the default works the same way).
    const r = cliCapped(['run', f, '--budget', 'elements=20000']);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/error:/g)).toHaveLength(1);
    expect(r.stderr).toContain("'elements' budget of 20,000");
    expectBounded(r);
  });

  it('a dimension of 10^8 is a budget error at its declaration, not "must be a whole number"', () => {
    const f = file(
      'bigdim.xmile',
      xmile({ dims: '<dim name="A" size="100000000"/>', vars: '<aux name="x"><eqn>1</eqn></aux>' }),
    );
    const r = cliCapped(['run', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /:5:\d+: error: the size of dimension 'A' comes to 100,000,000, over the 'elements' budget/,
    );
    expect(r.stderr).not.toContain('whole number');
    expectBounded(r);
  });

  it('SMTHN of order 10^9: delayOrder budget, located at the order argument', () => {
    const f = file(
      'smooth-order.xmile',
      xmile({ vars: '<aux name="x"><eqn>SMTHN(TIME, 2, 1e9)</eqn></aux>' }),
    );
    const r = cliCapped(['run', f]);
    expect(r.code).toBe(1);
    // Column 35 of line 7: the order argument "1e9" (the equation starts at column 20).
    expect(r.stderr).toContain(
      `${f}:7:35: error: the order of this DELAYN/SMTHN comes to 1,000,000,000, over the 'delayOrder' budget`,
    );
    expectBounded(r);
  });

  it('a dimension of 10^6 (49 s and 2.8 GB before) is refused at once by the elements budget', () => {
    const f = file(
      'dim6.xmile',
      xmile({
        dims: '<dim name="A" size="1000000"/>',
        vars: '<aux name="x"><dimensions><dim name="A"/></dimensions><eqn>A</eqn></aux>',
      }),
    );
    const r = cliCapped(['run', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: the size of dimension 'A' comes to 1,000,000, over the 'elements' budget of 200,000/,
    );
    expect(r.stderr).toContain('--budget elements=N');
    expectBounded(r);
  });

  it('a raised budget lets the same kind of model through', () => {
    const f = file('order.xmile', xmile({ vars: '<aux name="x"><eqn>DELAYN(1, 2, 1500, 0)</eqn></aux>' }));
    expect(cliCapped(['check', f]).code).toBe(1);
    const r = cliCapped(['run', f, '--budget', 'delayOrder=2000', '--vars', 'x']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // DELAYN of a constant input started at 0 flows: output 0 at time 0.
    expect(r.stdout.split('\n')[1]).toBe('0,0');
  });

  it('a bad --budget is a usage error', () => {
    const f = file('ok.xmile', xmile({ vars: '<aux name="x"><eqn>1</eqn></aux>' }));
    const unknown = cliCapped(['run', f, '--budget', 'bogus=1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown budget 'bogus'");
    const bad = cliCapped(['run', f, '--budget', 'steps=-3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--budget steps expects a whole number');
  });
});

describe('runs too long to keep are refused before allocating', () => {
  it('--dt 1e-6 on the case model: the saved-cells budget, with the way out', () => {
    const r = cliCapped(['run', 'models/north-korea-russia/model.xmile', '--dt', '1e-6']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('models/north-korea-russia/model.xmile');
    expect(r.stderr).toMatch(/48,000,001 rows x \d+ variables/);
    expect(r.stderr).toContain("'savedCells' budget");
    expect(r.stderr).toContain('--save-step or --vars');
    expectBounded(r);
  });

  it('too many steps is a clear budget error, not an internal error', () => {
    const f = file('long.xmile', xmile({ vars: '<aux name="x"><eqn>1</eqn></aux>' }));
    const r = cliCapped(['run', f, '--stop', '1e12']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('too many steps: the number of steps of dt 1 from 0 to 1000000000000');
    expect(r.stderr).toContain('--budget steps=N');
    expectBounded(r);
  });
});

describe('numerical warnings', () => {
  const f = () =>
    file(
      'nan.xmile',
      xmile({
        vars: [
          '<aux name="x"><eqn>TIME</eqn></aux>',
          '<aux name="y"><eqn>1/(2-x)</eqn></aux>',
          '<aux name="z"><eqn>EXP(100*x)</eqn></aux>',
        ].join('\n'),
        specs: '<start>0</start><stop>10</stop><dt>1</dt>',
      }),
    );

  it('the first time and variable that become non-finite are a located warning; the run goes on', () => {
    const r = cliCapped(['run', f()]);
    expect(r.code).toBe(0);
    // 1/(2-2) is +Inf at time 2; EXP(100 x 8) overflows at time 8.
    expect(r.stderr).toMatch(
      /nan\.xmile:8:\d+: warning: 'y' becomes infinite \(\+Inf\) at time 2; 1 other variable\(s\) follow/,
    );
    expect(r.stdout.split('\n')).toHaveLength(13);
  });

  it('check flags a division by a constant zero, located at the variable', () => {
    const g = file(
      'divzero.xmile',
      xmile({
        vars: [
          '<aux name="zero"><eqn>0</eqn></aux>',
          '<aux name="a"><eqn>TIME / zero</eqn></aux>',
          '<aux name="b"><eqn>TIME / (2 - 2)</eqn></aux>',
          '<aux name="c"><eqn>TIME / (2 - TIME)</eqn></aux>',
        ].join('\n'),
      }),
    );
    const r = cliCapped(['check', g]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${g}:8:1: warning: 'a' divides by a constant zero`);
    expect(r.stdout).toContain(`${g}:9:1: warning: 'b' divides by a constant zero`);
    // A divisor that is zero only at some time is the run-time check's business.
    expect(r.stdout).not.toContain("'c' divides");
  });

  it('--strict makes it an error', () => {
    const r = cliCapped(['run', f(), '--strict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: 'y' becomes infinite/);
    expect(r.stdout).toBe('');
  });
});
