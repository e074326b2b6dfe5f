/** Macros (XMILE 3.6.1): expression macros, arguments in the caller's context, nesting, recursion. */
import { describe, expect, it } from 'vitest';
import { NS, check, col, oneError } from './helpers.js';

function withMacros(macros: string[], vars: string[]): string {
  return [
    `<xmile version="1.0" xmlns="${NS}">`,
    '<sim_specs><start>0</start><stop>2</stop></sim_specs>',
    ...macros,
    '<model><variables>',
    ...vars,
    '</variables></model>',
    '</xmile>',
  ].join('\n');
}

const DOUBLE = '<macro name="double"><parm>x</parm><eqn>x * 2</eqn></macro>';
const ADD_TIME = '<macro name="add time"><parm>y</parm><eqn>y + TIME + double(y)</eqn></macro>';

describe('macros', () => {
  it('an expression macro is expanded with its arguments', () => {
    const r = check(
      withMacros(
        [DOUBLE],
        ['<aux name="x"><eqn>10</eqn></aux>', '<aux name="b"><eqn>double(x + 1)</eqn></aux>'],
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(Array.from(col(r.compiled!.run(), 'b'))).toEqual([22, 22, 22]);
  });

  it('a macro calling a macro passes its own parameters on', () => {
    const r = check(
      withMacros([DOUBLE, ADD_TIME], ['<aux name="a"><eqn>double(3) + add_time(1)</eqn></aux>']),
    );
    expect(r.diagnostics).toEqual([]);
    // 6 + (1 + TIME + 2)
    expect(Array.from(col(r.compiled!.run(), 'a'))).toEqual([9, 10, 11]);
  });

  it("an argument named like the macro's parameter is the caller's variable", () => {
    const r = check(
      withMacros(
        ['<macro name="total"><parm>x</parm><eqn>SUM(x) + x[1]</eqn></macro>'],
        [
          '<aux name="x"><dimensions><dim name="N"/></dimensions><eqn>N</eqn></aux>',
          '<aux name="s"><eqn>total(x)</eqn></aux>',
        ],
      ).replace('<sim_specs>', '<dimensions><dim name="N" size="3"/></dimensions><sim_specs>'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(col(r.compiled!.run(), 's')[0]).toBe(7);
  });

  it('a recursive macro is an error naming it once, at the call', () => {
    const d = oneError(
      check(
        withMacros(
          ['<macro name="rec"><parm>y</parm><eqn>rec(y)</eqn></macro>'],
          ['<aux name="c"><eqn>1 + rec(1)</eqn></aux>'],
        ),
      ).diagnostics,
      'unsupported-feature',
    );
    expect(d.message).toBe(
      "in macro rec: macro 'rec' expands too deeply (recursion?) (in the equation of 'c')",
    );
    expect([d.line, d.column]).toEqual([5, '<aux name="c"><eqn>'.length + 5]);
  });

  it('a wrong number of arguments', () => {
    const d = oneError(
      check(withMacros([DOUBLE], ['<aux name="c"><eqn>double(1, 2)</eqn></aux>'])).diagnostics,
      'argument-count',
    );
    expect(d.message).toMatch(/macro double takes 1 argument\(s\), got 2/);
  });
});
