import { describe, expect, it } from 'vitest';
import type { Diagnostic, Model } from '../model/types.js';
import { parseNumber, readXmile } from './reader.js';

const NS = 'http://docs.oasis-open.org/xmile/ns/XMILE/v1.0';
const SPECS = '<sim_specs><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>';

/** A document whose lines are given one per array entry (line 1 is the <xmile> tag). */
function lines(...body: string[]): string {
  return [`<xmile version="1.0" xmlns="${NS}">`, ...body, '</xmile>'].join('\n');
}

/** A document with default sim specs on line 2 and the given root-model variables from line 4. */
function withVariables(...vars: string[]): string {
  return lines(SPECS, '<model><variables>', ...vars, '</variables></model>');
}

function read(text: string): { model: Model; diagnostics: Diagnostic[] } {
  const r = readXmile(text, 'm.xmile');
  expect(r.model).toBeDefined();
  return { model: r.model!, diagnostics: r.diagnostics };
}

function clean(text: string): Model {
  const r = read(text);
  expect(r.diagnostics).toEqual([]);
  return r.model;
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  expect(found, JSON.stringify(diagnostics)).toHaveLength(1);
  return found[0]!;
}

describe('header and sim specs', () => {
  it('reads header, start, stop, dt, method, time units', () => {
    const m = clean(
      lines(
        '<header><name>Pop</name><vendor>Acme</vendor><product version="2">Tool</product></header>',
        '<sim_specs method="RK4" time_units="Years"><start>1990</start><stop>2000.5</stop><dt>0.25</dt></sim_specs>',
        '<model/>',
      ),
    );
    expect(m.header).toEqual({ name: 'Pop', vendor: 'Acme', product: 'Tool' });
    expect(m.simSpecs).toEqual({ start: 1990, stop: 2000.5, dt: 0.25, method: 'rk4', timeUnits: 'Years' });
    expect(m.file).toBe('m.xmile');
  });

  it('defaults dt to 1 and the method to euler, and leaves the save interval undefined', () => {
    const m = clean(lines('<sim_specs><start>0</start><stop>5</stop></sim_specs>', '<model/>'));
    expect(m.simSpecs).toEqual({ start: 0, stop: 5, dt: 1, method: 'euler' });
  });

  it('takes the reciprocal of dt when reciprocal="true"', () => {
    const m = clean(
      lines('<sim_specs><start>0</start><stop>5</stop><dt reciprocal="true">8</dt></sim_specs>', '<model/>'),
    );
    expect(m.simSpecs.dt).toBe(0.125);
  });

  it('reads the save interval from an element or from the isee attribute', () => {
    const a = clean(
      lines('<sim_specs><start>0</start><stop>5</stop><save_interval>2</save_interval></sim_specs><model/>'),
    );
    expect(a.simSpecs.saveStep).toBe(2);
    const b = clean(
      lines(
        '<sim_specs isee:save_interval="0.5"><start>0</start><stop>5</stop><dt>0.25</dt></sim_specs><model/>',
      ),
    );
    expect(b.simSpecs.saveStep).toBe(0.5);
    const c = clean(
      lines('<sim_specs><start>0</start><stop>5</stop><save_step>5</save_step></sim_specs><model/>'),
    );
    expect(c.simSpecs.saveStep).toBe(5);
  });

  it('falls back to rk4 with a warning for methods it does not run, keeping the request', () => {
    const r = read(lines('<sim_specs method="rk45"><start>0</start><stop>5</stop></sim_specs>', '<model/>'));
    expect(r.model.simSpecs.method).toBe('rk4');
    expect(r.model.simSpecs.methodRequested).toBe('rk45');
    expect(only(r.diagnostics, 'unsupported-method')).toMatchObject({
      severity: 'warning',
      line: 2,
      column: 20,
    });
  });

  it('takes the first supported method of a fallback list', () => {
    const r = read(
      lines('<sim_specs method="gear, euler"><start>0</start><stop>5</stop></sim_specs><model/>'),
    );
    expect(r.model.simSpecs).toMatchObject({ method: 'euler', methodRequested: 'gear, euler' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unsupported-method']);
    expect(
      read(lines('<sim_specs method="rk2"><start>0</start><stop>5</stop></sim_specs><model/>')).model.simSpecs
        .method,
    ).toBe('rk2');
  });

  it('reports missing sim specs at the root element and returns no model', () => {
    const r = readXmile(lines('<model/>'), 'm.xmile');
    expect(r.model).toBeUndefined();
    expect(only(r.diagnostics, 'missing-sim-specs')).toMatchObject({
      severity: 'error',
      file: 'm.xmile',
      line: 1,
      column: 1,
    });
  });

  it('reports a missing start or stop at the <sim_specs> element', () => {
    const r = readXmile(lines('<model/>', '  <sim_specs><stop>5</stop></sim_specs>'), 'm.xmile');
    expect(r.model).toBeUndefined();
    expect(only(r.diagnostics, 'missing-sim-specs')).toMatchObject({ line: 3, column: 3 });
    expect(only(r.diagnostics, 'missing-sim-specs').message).toMatch(/<start>/);
  });

  it('reports non-numeric values naming the element, at the text', () => {
    const r = readXmile(
      lines('<sim_specs><start>0</start><stop>ten</stop><dt>x</dt></sim_specs><model/>'),
      'm.xmile',
    );
    expect(r.model).toBeUndefined();
    const errors = r.diagnostics.filter((d) => d.code === 'invalid-number');
    expect(errors.map((d) => [d.message, d.line, d.column])).toEqual([
      [expect.stringMatching(/<stop>.*'ten'/), 2, 34],
      [expect.stringMatching(/<dt>.*'x'/), 2, 48],
    ]);
  });

  it('rejects a stop before start and a non-positive dt', () => {
    const a = readXmile(lines('<sim_specs><start>5</start><stop>1</stop></sim_specs><model/>'));
    expect(a.model).toBeUndefined();
    expect(a.diagnostics.map((d) => d.code)).toEqual(['invalid-sim-specs']);
    const b = readXmile(lines('<sim_specs><start>0</start><stop>1</stop><dt>0</dt></sim_specs><model/>'));
    expect(b.model).toBeUndefined();
    expect(b.diagnostics.map((d) => d.code)).toEqual(['invalid-sim-specs']);
  });

  it('refuses a document whose root is not <xmile>', () => {
    const r = readXmile('<html/>');
    expect(r.model).toBeUndefined();
    expect(only(r.diagnostics, 'not-xmile')).toMatchObject({ line: 1, column: 1 });
  });

  it('turns an unexpected exception into an internal diagnostic instead of throwing', () => {
    const r = readXmile(null as unknown as string, 'm.xmile');
    expect(r.model).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'internal', file: 'm.xmile', line: 1, column: 1 }),
    ]);
  });

  it('passes XML errors through with their position', () => {
    const r = readXmile('<xmile>\n<model>\n</xmile>', 'bad.xmile');
    expect(r.model).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: 'xml-malformed', file: 'bad.xmile', line: 3, column: 1 }),
    ]);
  });
});

describe('variables', () => {
  it('reads stocks, flows and auxes with eqn, doc, units and inflow/outflow order', () => {
    const m = clean(
      withVariables(
        '<stock name="Population"><eqn>100</eqn><inflow>births</inflow><inflow>immigration</inflow>',
        '  <outflow>deaths</outflow><units>people</units><doc> Everyone. </doc></stock>',
        '<flow name="births"><eqn>Population * birth_rate</eqn></flow>',
        '<aux name="birth rate" flow_concept="true"><eqn>0.03</eqn></aux>',
      ),
    );
    expect(m.variables.map((v) => [v.kind, v.name])).toEqual([
      ['stock', 'Population'],
      ['flow', 'births'],
      ['aux', 'birth rate'],
    ]);
    const [stock, flow, aux] = m.variables;
    expect(stock).toMatchObject({
      inflows: ['births', 'immigration'],
      outflows: ['deaths'],
      units: 'people',
      doc: 'Everyone.',
      nonNegative: false,
      loc: { file: 'm.xmile', line: 4, column: 1 },
    });
    expect(stock!.eqn).toEqual({ text: '100', loc: { file: 'm.xmile', line: 4, column: 31 } });
    expect(flow!.eqn!.text).toBe('Population * birth_rate');
    expect(aux!.flowConcept).toBe(true);
    expect(aux!.nonNegative).toBeUndefined();
  });

  it('places eqn.loc on the first non-blank character and decodes entities', () => {
    const m = clean(
      withVariables(
        '<aux name="a"><eqn>',
        '    IF b &gt; 1 THEN 2 ELSE 3',
        '</eqn></aux>',
        '<aux name="b"><eqn>1</eqn></aux>',
      ),
    );
    expect(m.variables[0]!.eqn).toEqual({
      text: 'IF b > 1 THEN 2 ELSE 3',
      loc: { file: 'm.xmile', line: 5, column: 5 },
    });
  });

  it('places eqn.loc the same way for LF, CRLF and CR-only documents', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const text = withVariables(
        '<aux name="a">',
        '  <eqn>',
        '',
        '      b + 1</eqn>',
        '</aux>',
        '<aux name="b"/>',
      ).replace(/\n/g, nl);
      const m = clean(text);
      expect(m.variables[0]!.eqn).toEqual({ text: 'b + 1', loc: { file: 'm.xmile', line: 7, column: 7 } });
      expect(m.variables[1]!.loc).toEqual({ file: 'm.xmile', line: 9, column: 1 });
    }
  });

  it('unquotes quoted names in inflow and outflow lists', () => {
    const m = clean(
      withVariables(
        '<stock name="s"><eqn>0</eqn><inflow>"Flow_w/_division,_lists"</inflow><outflow>"a \\"q\\""</outflow></stock>',
      ),
    );
    expect(m.variables[0]).toMatchObject({ inflows: ['Flow_w/_division,_lists'], outflows: ['a "q"'] });
  });

  it('reads the flow multiplier', () => {
    const m = clean(withVariables('<flow name="f"><eqn>1</eqn><multiplier>1000</multiplier></flow>'));
    expect(m.variables[0]!.multiplier!.text).toBe('1000');
  });

  it('reports a variable without a name at its element, and keeps the others', () => {
    const r = read(withVariables('<aux name="x"><eqn>1</eqn></aux>', '  <aux><eqn>1</eqn></aux>'));
    expect(only(r.diagnostics, 'missing-name')).toMatchObject({ severity: 'error', line: 5, column: 3 });
    expect(r.model.variables.map((v) => v.name)).toEqual(['x']);
  });

  it('reports duplicate names compared case-insensitively with _ and blank runs equal, naming both places', () => {
    const r = read(
      withVariables(
        '<aux name="Birth Rate"><eqn>1</eqn></aux>',
        '<flow name="birth__rate"/>',
        '<aux name="BIRTH_ _RATE"/>',
      ),
    );
    const dups = r.diagnostics.filter((d) => d.code === 'duplicate-name');
    expect(dups.map((d) => [d.line, d.column, d.variable])).toEqual([
      [5, 1, 'birth__rate'],
      [6, 1, 'BIRTH_ _RATE'],
    ]);
    expect(dups[0]!.message).toMatch(/line 4, column 1/);
    expect(r.model.variables).toHaveLength(1);
  });

  it('treats the escape \\n, NBSP and a quoted spelling as the same name', () => {
    const r = read(
      withVariables(
        '<aux name="Stock with \\n Newline"/>',
        '<aux name="stock_with\u00A0newline"/>',
        '<aux name="&quot;a b&quot;"/>',
        '<aux name="A_B"/>',
      ),
    );
    expect(r.diagnostics.filter((d) => d.code === 'duplicate-name').map((d) => d.line)).toEqual([5, 7]);
  });

  it('reads conveyors, queues, leakages and overflows', () => {
    const r = read(
      withVariables(
        '<stock name="belt"><eqn>0</eqn><outflow>off</outflow><outflow>loss</outflow><conveyor discrete="true"><len>3</len><capacity>9</capacity><in_limit>2</in_limit></conveyor></stock>',
        '<stock name="line"><eqn>0</eqn>  <queue/></stock>',
        '<flow name="loss" leak_start="0.25" leak_end="0.5"><leak>0.1</leak><leak_integers/></flow>',
        '<flow name="over"><overflow/></flow>',
      ),
    );
    expect(r.diagnostics.filter((d) => d.code === 'unsupported-feature')).toEqual([]);
    const [belt, line, loss, over] = r.model.variables;
    expect(belt!.conveyor).toMatchObject({
      len: { text: '3' },
      capacity: { text: '9' },
      inLimit: { text: '2' },
      discrete: true,
    });
    expect(line!.queue).toBe(true);
    expect(loss!.leak).toMatchObject({ fraction: { text: '0.1' }, start: 0.25, end: 0.5, integers: true });
    expect(over!.overflow).toBe(true);
  });

  it('warns about a named element among the variables that it does not read', () => {
    const r = read(withVariables('<aux name="x"/>', '  <event_thing name="alarm"/>'));
    expect(only(r.diagnostics, 'unsupported-feature')).toMatchObject({
      severity: 'warning',
      variable: 'alarm',
      line: 5,
      column: 3,
    });
    expect(r.model.variables.map((v) => v.name)).toEqual(['x']);
  });

  it('reads an equation written in CDATA, placing loc inside the section', () => {
    const m = clean(
      withVariables('<aux name="a"><eqn><![CDATA[IF b < 1 THEN 0 ELSE 1]]></eqn></aux>', '<aux name="b"/>'),
    );
    expect(m.variables[0]!.eqn).toEqual({
      text: 'IF b < 1 THEN 0 ELSE 1',
      loc: { file: 'm.xmile', line: 4, column: 29 },
    });
  });

  it('ignores groups and unknown elements silently', () => {
    const m = clean(
      withVariables(
        '<group name="g"><entity name="x"/></group>',
        '<isee:thing/>',
        '<aux name="x"><eqn>1</eqn></aux>',
      ),
    );
    expect(m.variables.map((v) => v.name)).toEqual(['x']);
  });
});

describe('behavior cascade for non-negative stocks and flows', () => {
  const doc = (fileBehavior: string, modelBehavior: string, ...vars: string[]): string =>
    lines(SPECS, fileBehavior, `<model>${modelBehavior}<variables>`, ...vars, '</variables></model>');
  const nn = (m: Model): Record<string, boolean | undefined> =>
    Object.fromEntries(m.variables.map((v) => [v.name, v.nonNegative]));

  it('defaults to false', () => {
    expect(nn(clean(doc('', '', '<stock name="s"/>', '<flow name="f"/>')))).toEqual({ s: false, f: false });
  });

  it('applies a file-level <non_negative/> to stocks and flows', () => {
    expect(
      nn(clean(doc('<behavior><non_negative/></behavior>', '', '<stock name="s"/>', '<flow name="f"/>'))),
    ).toEqual({
      s: true,
      f: true,
    });
  });

  it('applies kind blocks to their kind only', () => {
    const m = clean(
      doc('<behavior><flow><non_negative/></flow></behavior>', '', '<stock name="s"/>', '<flow name="f"/>'),
    );
    expect(nn(m)).toEqual({ s: false, f: true });
  });

  it('lets model behavior override file behavior, and the variable override both', () => {
    const m = clean(
      doc(
        '<behavior><non_negative/></behavior>',
        '<behavior><stock><non_negative>false</non_negative></stock></behavior>',
        '<stock name="s1"/>',
        '<stock name="s2"><non_negative/></stock>',
        '<flow name="f1"/>',
        '<flow name="f2"><non_negative> FALSE </non_negative></flow>',
        '<flow name="f3"><non_negative> TruE </non_negative></flow>',
      ),
    );
    expect(nn(m)).toEqual({ s1: false, s2: true, f1: true, f2: false, f3: true });
  });

  it('prefers the kind block to the all block at the same level', () => {
    const m = clean(
      doc(
        '<behavior><non_negative/><flow><non_negative>false</non_negative></flow></behavior>',
        '',
        '<flow name="f"/>',
      ),
    );
    expect(nn(m)).toEqual({ f: false });
  });
});

describe('graphical functions', () => {
  it('spreads x evenly over xscale for the number of ypts', () => {
    const m = clean(
      withVariables(
        '<gf name="table" type="extrapolate"><xscale min="0" max="10"/><yscale min="0" max="1"/><ypts>0,0.5,0.7,1,1,0.2</ypts></gf>',
      ),
    );
    expect(m.graphicalFunctions).toEqual([
      {
        name: 'table',
        type: 'extrapolate',
        xpts: [0, 2, 4, 6, 8, 10],
        ypts: [0, 0.5, 0.7, 1, 1, 0.2],
        xscale: { min: 0, max: 10 },
        yscale: { min: 0, max: 1 },
        loc: { file: 'm.xmile', line: 4, column: 1 },
      },
    ]);
  });

  it('reads xpts and ypts with their own separators, embedded in a variable', () => {
    const m = clean(
      withVariables(
        '<aux name="a"><eqn>TIME</eqn><gf type="discrete"><xpts sep=";">1; 2;4</xpts><ypts sep="|">5|6|6</ypts></gf></aux>',
      ),
    );
    expect(m.variables[0]!.gf).toMatchObject({ type: 'discrete', xpts: [1, 2, 4], ypts: [5, 6, 6] });
    expect(m.graphicalFunctions).toEqual([]);
  });

  it('uses x = 0..n-1 with a warning when there is neither xscale nor xpts', () => {
    const r = read(withVariables('<gf name="g"><ypts>3,2,1</ypts></gf>'));
    expect(r.model.graphicalFunctions[0]!.xpts).toEqual([0, 1, 2]);
    expect(only(r.diagnostics, 'gf-default-xscale')).toMatchObject({
      severity: 'warning',
      line: 4,
      column: 1,
    });
  });

  it('reports a missing ypts, a length mismatch and a non-numeric point with their places', () => {
    const r = read(
      withVariables(
        '<gf name="g1"><xscale min="0" max="1"/></gf>',
        '<gf name="g2"><xpts>1,2,3</xpts><ypts>1,2</ypts></gf>',
        '<gf name="g3"><xscale min="0" max="1"/><ypts>1, 2x ,3</ypts></gf>',
      ),
    );
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.variable, d.line, d.column])).toEqual([
      ['invalid-gf', 'g1', 4, 1],
      ['invalid-gf', 'g2', 5, 15],
      ['invalid-number', 'g3', 6, 49],
    ]);
    expect(errors[0]!.message).toMatch(/no <ypts>/);
    expect(errors[1]!.message).toMatch(/3 x points but 2 y points/);
    expect(r.model.graphicalFunctions).toEqual([]);
  });

  it('warns about an unknown type and reads it as continuous', () => {
    const r = read(
      withVariables('<gf name="g" type="smooth"><xscale min="0" max="1"/><ypts>0,1</ypts></gf>'),
    );
    expect(r.model.graphicalFunctions[0]!.type).toBe('continuous');
    expect(only(r.diagnostics, 'invalid-value')).toMatchObject({ severity: 'warning', line: 4, column: 20 });
  });
});

describe('arrays', () => {
  it('reads named and numbered dimensions', () => {
    const m = clean(
      lines(
        SPECS,
        '<dimensions><dim name="Region"><elem name="North"/><elem name="South"/></dim>',
        '<dim name="N" size="3"/></dimensions><model/>',
      ),
    );
    expect(m.dimensions).toEqual([
      { name: 'Region', elements: ['North', 'South'], loc: { file: 'm.xmile', line: 3, column: 13 } },
      { name: 'N', elements: ['1', '2', '3'], loc: { file: 'm.xmile', line: 4, column: 1 } },
    ]);
  });

  it('reports a bad dimension size', () => {
    const r = read(
      lines(SPECS, '<dimensions><dim name="N" size="2.5"/><dim name="M" size="x"/></dimensions><model/>'),
    );
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['invalid-number', 3, 13],
      ['invalid-number', 3, 59],
    ]);
  });

  it('reads apply-to-all and per-element definitions, splitting subscripts on commas', () => {
    const m = clean(
      withVariables(
        '<aux name="a"><dimensions><dim name="Region"/><dim name="N"/></dimensions>',
        '  <element subscript="North, 1"><eqn>1</eqn></element>',
        '  <element subscript="South,2"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf></element></aux>',
        '<aux name="b"><dimensions><dim name="Region"/></dimensions><eqn>a[Region, 1]</eqn></aux>',
      ),
    );
    const [a, b] = m.variables;
    expect(a!.dimensions).toEqual(['Region', 'N']);
    expect(a!.elements!.map((e) => e.subscript)).toEqual([
      ['North', '1'],
      ['South', '2'],
    ]);
    expect(a!.elements![0]!.eqn).toEqual({ text: '1', loc: { file: 'm.xmile', line: 5, column: 38 } });
    expect(a!.elements![1]!.gf!.xpts).toEqual([0, 1]);
    expect(b!.dimensions).toEqual(['Region']);
    expect(b!.elements).toBeUndefined();
  });
});

describe('units, macros, modules and sub-models', () => {
  it('reads model units with equations and aliases', () => {
    const m = clean(
      lines(
        SPECS,
        '<model_units><unit name="Thousand"><eqn>1000</eqn><alias>k</alias><alias>K</alias></unit><unit name="people"/></model_units>',
        '<model/>',
      ),
    );
    expect(m.units).toEqual([
      { name: 'Thousand', eqn: '1000', aliases: ['k', 'K'] },
      { name: 'people', aliases: [] },
    ]);
  });

  it('reads macros with parameters, equation and variables', () => {
    const m = clean(
      lines(
        SPECS,
        '<macro name="LIMIT"><parm>x</parm><parm default="1">cap</parm><eqn>MIN(x, cap)</eqn>',
        '<variables><stock name="acc"><eqn>0</eqn></stock></variables></macro>',
        '<model/>',
      ),
    );
    expect(m.macros).toHaveLength(1);
    expect(m.macros[0]).toMatchObject({
      name: 'LIMIT',
      parameters: ['x', 'cap'],
      eqn: { text: 'MIN(x, cap)' },
    });
    expect(m.macros[0]!.variables.map((v) => v.name)).toEqual(['acc']);
    expect(m.macros[0]!.parameterDefaults).toEqual({
      cap: { text: '1', loc: { file: 'm.xmile', line: 3, column: 50 } },
    });
  });

  it('takes the unnamed model as root and the named ones as sub-models with modules and connections', () => {
    const m = clean(
      lines(
        SPECS,
        '<model name="Hares"><variables><aux name="food"/><gf name="g"><xpts>0,1</xpts><ypts>0,1</ypts></gf></variables></model>',
        '<model><variables>',
        '<module name="hares"><connect to="hares.food" from=".grass"/></module>',
        '<module name="Foxes"/>',
        '<aux name="grass"><eqn>3</eqn></aux></variables></model>',
      ),
    );
    expect(m.variables.map((v) => v.name)).toEqual(['grass']);
    expect(m.modules).toEqual([
      {
        name: 'hares',
        model: 'hares',
        connections: [{ to: 'hares.food', from: '.grass' }],
        loc: expect.anything(),
      },
      { name: 'Foxes', model: 'Foxes', connections: [], loc: expect.anything() },
    ]);
    expect(m.subModels.map((s) => [s.name, s.variables.length, s.graphicalFunctions?.length])).toEqual([
      ['Hares', 1, 1],
    ]);
  });

  it('warns about a module whose submodel lives in another file', () => {
    const r = read(withVariables('<module name="sub" resource="module.xml"/>'));
    expect(only(r.diagnostics, 'unsupported-feature')).toMatchObject({
      severity: 'warning',
      line: 4,
      column: 20,
    });
    expect(r.model.modules.map((m) => m.name)).toEqual(['sub']);
  });

  it('uses the module model attribute when present', () => {
    const m = clean(withVariables('<module name="h1" model="Hares"/>'));
    expect(m.modules[0]!.model).toBe('Hares');
  });

  it('treats a model with a blank name as the root', () => {
    const m = clean(
      lines(SPECS, '<model name="sub"/><model name=" "><variables><aux name="x"/></variables></model>'),
    );
    expect(m.variables.map((v) => v.name)).toEqual(['x']);
    expect(m.subModels.map((s) => s.name)).toEqual(['sub']);
  });

  it('reports a second unnamed model', () => {
    const r = read(lines(SPECS, '<model/>', '<model/>'));
    expect(only(r.diagnostics, 'duplicate-name')).toMatchObject({ severity: 'error', line: 4, column: 1 });
  });

  it('reads the legacy Stella layout: variables directly in <model>, positions in <display>', () => {
    const m = clean(
      lines(
        SPECS,
        '<model><aux name="lt"><eqn>time &lt; 5</eqn><display x="61" y="32" color="blue"/></aux>',
        '<display page_width="0"/><interface page_width="788"/></model>',
      ),
    );
    expect(m.variables).toEqual([
      expect.objectContaining({
        kind: 'aux',
        name: 'lt',
        eqn: expect.objectContaining({ text: 'time < 5' }),
      }),
    ]);
    expect(m.view).toEqual({ elements: [{ kind: 'aux', name: 'lt', x: 61, y: 32 }], connectors: [] });
  });

  it('takes a single named model as the root model', () => {
    const m = clean(lines(SPECS, '<model name="default"><variables><aux name="x"/></variables></model>'));
    expect(m.variables.map((v) => v.name)).toEqual(['x']);
    expect(m.subModels).toEqual([]);
  });
});

describe('view', () => {
  it('reads positions, flow points and connectors from the first view', () => {
    const m = clean(
      lines(
        SPECS,
        '<model><variables><stock name="s"/></variables><views><view>',
        '<stock name="s" x="10" y="20" width="45" height="35"/>',
        '<flow name="f" x="5.5" y="20"><pts><pt x="0" y="20"/><pt x="10" y="20"/></pts></flow>',
        '<aux name="a" x="1" y="2"/><alias uid="9" x="3" y="4"><of>a</of></alias>',
        '<connector uid="1" angle="45"><from>a</from><to>"f"</to></connector>',
        '<connector uid="2"><from><alias uid="9"/></from><to>f</to></connector>',
        '<connector uid="3"><from><alias uid="404"/></from><to>f</to></connector>',
        '<aux name="nowhere"/>',
        '</view><view><aux name="second" x="1" y="1"/></view></views></model>',
      ),
    );
    expect(m.view).toEqual({
      elements: [
        { kind: 'stock', name: 's', x: 10, y: 20, width: 45, height: 35 },
        {
          kind: 'flow',
          name: 'f',
          x: 5.5,
          y: 20,
          points: [
            { x: 0, y: 20 },
            { x: 10, y: 20 },
          ],
        },
        { kind: 'aux', name: 'a', x: 1, y: 2 },
        { kind: 'alias', name: 'a', x: 3, y: 4 },
      ],
      connectors: [
        { from: 'a', to: 'f', angle: 45 },
        { from: 'a', to: 'f' },
      ],
    });
  });
});

describe('parseNumber', () => {
  it('accepts XMILE numbers and refuses junk', () => {
    expect([' 1 ', '-2.5', '.5', '1e3', '1.E-2', '+4', 'inf', '-INF'].map(parseNumber)).toEqual([
      1,
      -2.5,
      0.5,
      1000,
      0.01,
      4,
      Infinity,
      -Infinity,
    ]);
    for (const bad of ['', '1,5', '0x10', '1e', 'e3', '1 2', 'NaN', '--1'])
      expect(parseNumber(bad)).toBeUndefined();
  });
});
