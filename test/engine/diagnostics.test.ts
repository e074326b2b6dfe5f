/**
 * Every diagnostic the reader and compiler give for a wrong model: its code and where it points.
 * Variables start on line 6 of `doc()`; in `<aux name="b"><eqn>...` the equation starts at
 * column 20, so the offending token's column is 20 plus its offset in the equation.
 */
import { describe, expect, it } from 'vitest';
import { compileModel, readModel } from '../../src/engine.js';
import { NS, aux, check, doc, flow, oneError, stock } from './helpers.js';

const EQN_COL = '<aux name="b"><eqn>'.length + 1;

describe('document errors', () => {
  it('malformed XML: xml-malformed at the mismatched closing tag', () => {
    const text = doc([aux('a', '1')]).replace('</model>', '');
    const d = oneError(check(text).diagnostics, 'xml-malformed');
    expect(d.file).toBe('test.xmile');
    expect(d.line).toBe(text.split('\n').length); // the </xmile> line
    expect(d.column).toBe(1);
  });

  it('entities declared in a DOCTYPE are refused, never expanded', () => {
    const text = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE xmile [<!ENTITY a "aaaaaaaaaa">]>',
      `<xmile version="1.0" xmlns="${NS}"><sim_specs><start>0</start><stop>1</stop></sim_specs>`,
      '<model><variables><aux name="x"><eqn>&a;</eqn></aux></variables></model></xmile>',
    ].join('\n');
    const r = check(text);
    const d = oneError(r.diagnostics, 'xml-entity');
    expect(d.line).toBe(2);
    expect(d.message).toMatch(/never expanded/);
    expect(r.compiled).toBeUndefined();
  });

  it('a document without <sim_specs>', () => {
    const text = `<xmile version="1.0" xmlns="${NS}">\n<model><variables>${aux('x', '1')}</variables></model></xmile>`;
    const d = oneError(check(text).diagnostics, 'missing-sim-specs');
    expect([d.line, d.column]).toEqual([1, 1]);
  });
});

describe('equation errors point at the offending name or token', () => {
  it('unknown variable: line and column of the name', () => {
    const d = oneError(check(doc([aux('a', '1'), aux('b', 'a + nope * 2')])).diagnostics, 'unknown-variable');
    expect([d.line, d.column]).toEqual([7, EQN_COL + 4]);
    expect(d.message).toContain("'nope'");
    expect(d.variable).toBe('b');
  });

  it('unknown variable on a later line of a multi-line equation', () => {
    const d = oneError(
      check(doc(['<aux name="b"><eqn>1 +\n   2 * missing_thing</eqn></aux>'])).diagnostics,
      'unknown-variable',
    );
    expect([d.line, d.column]).toEqual([7, 8]);
    expect(d.message).toContain("'missing thing'");
  });

  it('unknown function', () => {
    const d = oneError(check(doc([aux('b', '1 + FOO(2)')])).diagnostics, 'unknown-function');
    expect([d.line, d.column]).toEqual([6, EQN_COL + 4]);
    expect(d.message).toContain("'FOO'");
  });

  it('wrong argument count, for fixed and ranged arities', () => {
    const one = oneError(check(doc([aux('b', 'ABS(1, 2)')])).diagnostics, 'argument-count');
    expect([one.line, one.column]).toEqual([6, EQN_COL]);
    expect(one.message).toMatch(/ABS takes 1 argument\(s\), got 2/);
    const ranged = oneError(check(doc([aux('b', '1 + SMTH1(2)')])).diagnostics, 'argument-count');
    expect([ranged.line, ranged.column]).toEqual([6, EQN_COL + 4]);
    expect(ranged.message).toMatch(/SMTH1 takes 2 to 3 argument\(s\), got 1/);
    const gf = oneError(
      check(
        doc([
          '<gf name="g"><xscale min="0" max="1"/><ypts>0,1</ypts></gf>',
          '<aux name="b"><eqn>g(1, 2)</eqn></aux>',
        ]),
      ).diagnostics,
      'argument-count',
    );
    expect([gf.line, gf.column]).toEqual([7, EQN_COL]);
  });

  it('syntax errors: the column of the bad token', () => {
    const cases: [string, number, RegExp][] = [
      ['1 + * 2', 4, /unexpected '\*'/],
      ['(1 + 2', 6, /expected '\)' but found the end/],
      ['1 # 2', 2, /unexpected character '#'/],
      ['1 + then', 4, /unexpected keyword 'then'/],
      ['IF 1 THEN 2', 11, /expected ELSE/],
      ['1 {unclosed', 2, /unclosed comment/],
      ['a b c (', 7, /unexpected the end|end of equation/],
    ];
    for (const [eqn, offset, message] of cases) {
      const d = oneError(check(doc([aux('b', eqn)])).diagnostics, 'syntax-error');
      expect([d.line, d.column], eqn).toEqual([6, EQN_COL + offset]);
      expect(d.message, eqn).toMatch(message);
    }
  });

  it('a syntax error on a later line', () => {
    const d = oneError(check(doc(['<aux name="b"><eqn>1 +\n  2 )</eqn></aux>'])).diagnostics, 'syntax-error');
    expect([d.line, d.column]).toEqual([7, 5]);
  });

  it('an equation that is only a placeholder', () => {
    const d = oneError(check(doc([aux('b', '???')])).diagnostics, 'placeholder-equation');
    expect([d.line, d.column]).toEqual([6, EQN_COL]);
  });

  it('a missing equation', () => {
    const d = oneError(check(doc(['<aux name="b"></aux>'])).diagnostics, 'missing-equation');
    expect(d.line).toBe(6);
  });
});

describe('circular definitions', () => {
  it('an algebraic loop names every variable on the loop, and only those', () => {
    const r = check(doc([aux('a', 'b + 1'), aux('b', 'c * 2'), aux('c', 'a'), aux('d', 'a'), aux('e', '1')]));
    const d = oneError(r.diagnostics, 'algebraic-loop');
    const names = d.message
      .slice(d.message.indexOf(':') + 1)
      .split('->')
      .map((s) => s.trim());
    expect(new Set(names)).toEqual(new Set(['a', 'b', 'c']));
    // The loop is closed: it ends where it starts.
    expect(names[0]).toBe(names[names.length - 1]);
    expect(d.line).toBe(6 + ['a', 'b', 'c'].indexOf(d.variable!));
  });

  it('a variable defined by itself', () => {
    const d = oneError(check(doc([aux('x', '1'), aux('a', 'a + x')])).diagnostics, 'algebraic-loop');
    expect(d.message).toMatch(/a -> a/);
    expect(d.line).toBe(7);
  });

  it('a loop through a stock is not algebraic', () => {
    const r = check(doc([stock('S', '1', ['f']), flow('f', 'g'), aux('g', 'S * 0.1')]));
    expect(r.diagnostics).toEqual([]);
  });

  it('circular initial values of stocks', () => {
    const d = oneError(
      check(doc([stock('S', 'T', ['f']), stock('T', 'S + 1'), flow('f', '1')])).diagnostics,
      'circular-initialization',
    );
    expect(d.message).toMatch(/S -> T -> S|T -> S -> T/);
    expect(d.line).toBe(d.variable === 'S' ? 6 : 7);
  });
});

describe('structure errors', () => {
  it('a stock naming a flow that does not exist', () => {
    const d = oneError(check(doc([aux('x', '1'), stock('S', '1', ['nothere'])])).diagnostics, 'unknown-flow');
    expect(d.line).toBe(7);
    expect(d.message).toContain("'nothere'");
  });

  it('a stock naming an auxiliary as its flow gets a warning, and the auxiliary still flows', () => {
    const r = check(doc([stock('S', '1', ['x']), aux('x', '2')], { stop: 2 }));
    const w = r.diagnostics.filter((d) => d.code === 'not-a-flow');
    expect(w).toHaveLength(1);
    expect(w[0]!.severity).toBe('warning');
    expect(Array.from(r.compiled!.run().column('S')!)).toEqual([1, 3, 5]);
  });

  it('dimension mismatches: an unbound array, too many subscripts, different sizes, flows', () => {
    const a = '<aux name="a"><dimensions><dim name="C"/></dimensions><eqn>1</eqn></aux>';
    const dims = { C: ['x', 'y'], D: 3 };
    const unbound = oneError(check(doc([a, aux('b', '1 + a')], { dims })).diagnostics, 'dimension-mismatch');
    expect([unbound.line, unbound.column]).toEqual([7, EQN_COL + 4]);
    const tooMany = oneError(
      check(doc([a, aux('b', 'a[x, y]')], { dims })).diagnostics,
      'dimension-mismatch',
    );
    expect([tooMany.line, tooMany.column]).toEqual([7, EQN_COL]);
    const sizes = oneError(
      check(
        doc(
          [
            a,
            '<aux name="c"><dimensions><dim name="D"/></dimensions><eqn>1</eqn></aux>',
            aux('b', 'SUM(a[*] + c[*])'),
          ],
          { dims },
        ),
      ).diagnostics,
      'dimension-mismatch',
    );
    expect([sizes.line, sizes.column]).toEqual([8, EQN_COL + 4]);
    const flows = oneError(
      check(
        doc(
          [
            '<stock name="S"><dimensions><dim name="C"/></dimensions><eqn>1</eqn><inflow>f</inflow></stock>',
            '<flow name="f"><dimensions><dim name="D"/></dimensions><eqn>1</eqn></flow>',
          ],
          { dims },
        ),
      ).diagnostics,
      'dimension-mismatch',
    );
    expect(flows.line).toBe(6);
  });

  it('an index outside its dimension', () => {
    const a = '<aux name="a"><dimensions><dim name="C"/></dimensions><eqn>1</eqn></aux>';
    const d = oneError(
      check(doc([a, aux('b', 'a[3]')], { dims: { C: ['x', 'y'] } })).diagnostics,
      'dimension-mismatch',
    );
    expect([d.line, d.column]).toEqual([7, EQN_COL + 2]);
  });

  it('an order of DELAYN that is not a constant', () => {
    const d = oneError(check(doc([aux('b', 'DELAYN(1, 2, TIME)')])).diagnostics, 'invalid-argument');
    expect([d.line, d.column]).toEqual([6, EQN_COL]);
  });
});

describe('other compiler diagnostics', () => {
  it('an unknown dimension of a variable', () => {
    const d = oneError(
      check(doc(['<aux name="b"><dimensions><dim name="Nowhere"/></dimensions><eqn>1</eqn></aux>']))
        .diagnostics,
      'unknown-dimension',
    );
    expect(d.line).toBe(6);
    expect(d.message).toContain("'Nowhere'");
  });

  it('invalid arguments: LOOKUP of something that is not a graphical function, a seed that changes', () => {
    const notGf = oneError(
      check(doc([aux('a', '1'), aux('b', 'LOOKUP(a, 1)')])).diagnostics,
      'unknown-function',
    );
    expect([notGf.line, notGf.column]).toEqual([7, EQN_COL + 7]);
    const expr = oneError(check(doc([aux('b', 'LOOKUP(1 + 2, 1)')])).diagnostics, 'invalid-argument');
    expect([expr.line, expr.column]).toEqual([6, EQN_COL]);
    const seed = oneError(check(doc([aux('b', 'RANDOM(0, 1, TIME)')])).diagnostics, 'invalid-argument');
    expect(seed.message).toMatch(/seed of RANDOM must be a constant/);
  });

  it('a module of a model the file does not define is reported at the module', () => {
    const text = doc(['<module name="sub" model="missing"/>']).replace(
      '</xmile>',
      '<model name="sub"><variables/></model></xmile>',
    );
    const d = oneError(check(text).diagnostics, 'invalid-module');
    expect(d.message).toMatch(/'missing'/);
    expect([d.line, d.column]).toEqual([6, 1]);
  });

  it('a name defined twice', () => {
    const r = check(doc([aux('a', '1'), aux('A', '2')]));
    expect(r.diagnostics.filter((d) => d.code === 'duplicate-name').map((d) => d.line)).toEqual([7]);
  });
});

describe('diagnostics are values', () => {
  it('compileModel reports, never throws, and gives no compiled model on errors', () => {
    const read = readModel(doc([aux('b', 'nope')]), { file: 'x.xmile' });
    const r = compileModel(read.model!);
    expect(r.compiled).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.file])).toEqual([['unknown-variable', 'x.xmile']]);
  });
});
