/**
 * Modules (XMILE 1.0 sections 3.7.4 and 4.7.1) and macros with variables of their own
 * (section 3.6.1 and 4.8), against hand-computed Euler series.
 */
import { describe, expect, it } from 'vitest';
import { check, col, compileOk, NS } from './helpers.js';

function file(parts: string[], stop = 5): string {
  return [
    `<xmile version="1.0" xmlns="${NS}">`,
    '<header><name>modules</name></header>',
    `<sim_specs><start>0</start><stop>${stop}</stop><dt>1</dt></sim_specs>`,
    ...parts,
    '</xmile>',
  ].join('\n');
}

const haresModel = `<model name="hares"><variables>
  <stock name="hares"><eqn>50</eqn><inflow>births</inflow></stock>
  <flow name="births"><eqn>hares * birth_fraction</eqn></flow>
  <aux name="birth fraction"><eqn>0.1</eqn></aux>
  <aux name="area" access="input"><eqn>1</eqn></aux>
  <aux name="density" access="output"><eqn>hares / area</eqn></aux>
</variables></model>`;

describe('modules', () => {
  it('an instance runs its model; inputs connect to the parent; results are named instance.variable', () => {
    const r = compileOk(
      file([
        `<model><variables>
          <aux name="area"><eqn>1000</eqn></aux>
          <module name="hares"><connect to="area" from=".area"/></module>
          <aux name="seen density"><eqn>hares.density * 2</eqn></aux>
        </variables></model>`,
        haresModel,
      ]),
    ).run();
    const hares = Array.from(col(r, 'hares.hares'));
    // Euler: hares(k+1) = hares(k) x 1.1, so 50 x 1.1^k up to rounding; the chain exactly.
    for (let k = 0; k <= 5; k++) {
      expect(hares[k]).toBeCloseTo(50 * Math.pow(1.1, k), 10);
      expect(col(r, 'hares.density')[k]).toBe(hares[k]! / 1000);
      expect(col(r, 'seen density')[k]).toBe((hares[k]! / 1000) * 2);
    }
    expect(col(r, 'hares.area')[0]).toBe(1000);
  });

  it('two instances of one model are independent; one feeds the other (Stella writes qualified ends)', () => {
    const r = compileOk(
      file([
        `<model><variables>
          <module name="a" model="hares"/>
          <module name="b" model="hares">
            <connect to="b.area" from="a.density"/>
          </module>
        </variables></model>`,
        haresModel,
      ]),
    ).run();
    for (let k = 0; k <= 5; k++) {
      const ha = col(r, 'a.hares')[k]!;
      expect(col(r, 'b.hares')[k]).toBe(ha);
      // a's area is its own equation (1); b's is a's density.
      expect(col(r, 'a.density')[k]).toBe(ha);
      expect(col(r, 'b.density')[k]).toBe(ha / ha);
    }
  });

  it('an input of the enclosing model takes an instance\'s output (to=".name", as Stella writes it)', () => {
    const r = compileOk(
      file([
        `<model><variables>
          <module name="h" model="hares"><connect to=".seen" from="h.density"/></module>
          <aux name="seen" access="input"><eqn>0</eqn></aux>
        </variables></model>`,
        haresModel,
      ]),
    ).run();
    for (let k = 0; k <= 5; k++) expect(col(r, 'seen')[k]).toBe(col(r, 'h.hares')[k]);
  });

  it('nested modules: an instance inside an instance', () => {
    const r = compileOk(
      file([
        `<model><variables>
          <aux name="rate"><eqn>3</eqn></aux>
          <module name="outer"><connect to="k" from=".rate"/></module>
        </variables></model>`,
        `<model name="outer"><variables>
          <aux name="k" access="input"><eqn>0</eqn></aux>
          <module name="inner" model="leaf"><connect to="inner.x" from="k"/></module>
        </variables></model>`,
        `<model name="leaf"><variables>
          <aux name="x" access="input"><eqn>0</eqn></aux>
          <stock name="total"><eqn>0</eqn><inflow>add</inflow></stock>
          <flow name="add"><eqn>x</eqn></flow>
        </variables></model>`,
      ]),
    ).run();
    expect(Array.from(col(r, 'outer.inner.total'))).toEqual([0, 3, 6, 9, 12, 15]);
  });

  it('an unknown model, a model inside itself, and a connection to nothing are located errors', () => {
    const unknown = check(
      file(['<model><variables>\n<module name="m" model="nowhere"/>\n</variables></model>']),
    );
    const e1 = unknown.diagnostics.find((d) => d.code === 'invalid-module');
    expect(e1?.message).toContain("'nowhere'");
    expect(e1?.line).toBe(5);
    const self = check(
      file([
        '<model><variables><module name="m" model="loop"/></variables></model>',
        '<model name="loop"><variables><module name="again" model="loop"/></variables></model>',
      ]),
    );
    expect(
      self.diagnostics.some((d) => d.code === 'invalid-module' && d.message.includes('inside itself')),
    ).toBe(true);
    const dangling = check(
      file([
        '<model><variables><aux name="a"><eqn>1</eqn></aux><module name="h" model="hares"><connect to="nothing" from="a"/></module></variables></model>',
        haresModel,
      ]),
    );
    expect(
      dangling.diagnostics.some((d) => d.code === 'invalid-module' && d.message.includes("'nothing'")),
    ).toBe(true);
  });
});

describe('macros with their own variables', () => {
  const macro = `<macro name="MYSMOOTH"><parm>input</parm><parm>t</parm><eqn>S</eqn><variables>
    <stock name="S"><eqn>input</eqn><inflow>change</inflow></stock>
    <flow name="change"><eqn>(input - S) / t</eqn></flow>
  </variables></macro>`;

  it('each call has its own stock, and behaves as the smooth it defines', () => {
    const r = compileOk(
      file(
        [
          macro,
          `<model><variables>
            <aux name="x"><eqn>STEP(10, 2)</eqn></aux>
            <aux name="y"><eqn>TIME</eqn></aux>
            <aux name="mx"><eqn>MYSMOOTH(x, 2)</eqn></aux>
            <aux name="my"><eqn>MYSMOOTH(y, 4)</eqn></aux>
            <aux name="sx"><eqn>SMTH1(x, 2)</eqn></aux>
            <aux name="sy"><eqn>SMTH1(y, 4)</eqn></aux>
          </variables></model>`,
        ],
        8,
      ),
    ).run();
    expect(Array.from(col(r, 'mx'))).toEqual(Array.from(col(r, 'sx')));
    expect(Array.from(col(r, 'my'))).toEqual(Array.from(col(r, 'sy')));
    // Hand-computed: x steps to 10 at t = 2; S(3) = 0 + (10 - 0)/2 = 5, S(4) = 5 + 5/2 = 7.5.
    expect([col(r, 'mx')[2], col(r, 'mx')[3], col(r, 'mx')[4]]).toEqual([0, 5, 7.5]);
    // The instance variables are not results of the model.
    expect(r.names.some((n) => n.includes('MYSMOOTH'))).toBe(false);
  });

  it('a macro without <eqn> is a located error at the call', () => {
    const r = check(
      file([
        '<macro name="EMPTY"><parm>a</parm><variables><aux name="z"><eqn>a</eqn></aux></variables></macro>',
        '<model><variables>\n<aux name="q"><eqn>EMPTY(1)</eqn></aux>\n</variables></model>',
      ]),
    );
    const e = r.diagnostics.find((d) => d.code === 'invalid-macro');
    expect(e?.message).toContain("'EMPTY'");
    expect(e?.line).toBe(6);
  });
});
