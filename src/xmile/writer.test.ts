/**
 * The XMILE writer against the reader: over every XMILE/stmx file of the SDXorg suite
 * (`../shared/sd-test-models`, skipped with a message when absent), the case model and the
 * examples, read -> write -> read gives the same model, bit-identical results, and writing what
 * was read back gives the same bytes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../engine.js';
import type { Model } from '../model/types.js';
import { readXmile } from './reader.js';
import { formatNumber, writeXmile } from './writer.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = path.resolve(repoRoot, '..', 'shared', 'sd-test-models', 'tests');
const haveSuite = existsSync(suiteDir);
if (!haveSuite)
  console.warn(`writer round-trip over the suite skipped: ${path.relative(repoRoot, suiteDir)} not found`);

function modelFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...modelFiles(full));
    else if (/\.(xmile|stmx)$/i.test(entry)) out.push(full);
  }
  return out;
}

/** The model without source locations (a written file puts things on other lines). */
function withoutLocations(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutLocations);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'loc') out[k] = withoutLocations(v);
    return out;
  }
  return x;
}

function read(text: string, file: string): Model | undefined {
  const r = readXmile(text, file);
  return r.diagnostics.some((d) => d.severity === 'error') ? undefined : r.model;
}

/** Every value of every column, compared with Object.is (NaN equals NaN, 0 differs from -0). */
function sameResults(a: Model, b: Model): void {
  const ca = compileModel(a).compiled;
  const cb = compileModel(b).compiled;
  expect(!!cb).toBe(!!ca);
  if (!ca || !cb) return;
  const ra = ca.run();
  const rb = cb.run();
  expect(rb.names).toEqual(ra.names);
  for (let i = 0; i < ra.names.length; i++) {
    const x = ra.columns[i]!;
    const y = rb.columns[i]!;
    expect(y.length).toBe(x.length);
    for (let k = 0; k < x.length; k++)
      if (!Object.is(x[k], y[k])) expect.fail(`${ra.names[i]}[${k}]: ${x[k]} vs ${y[k]}`);
  }
}

function roundTrip(text: string, file: string): void {
  const first = read(text, file);
  if (!first) return; // a defective file (the reader's own tests cover its diagnostics)
  const written = writeXmile(first);
  const second = readXmile(written, file);
  expect(second.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(withoutLocations(second.model)).toEqual(withoutLocations(first));
  expect(writeXmile(second.model!)).toBe(written);
  sameResults(first, second.model!);
}

const suiteFiles = haveSuite ? modelFiles(suiteDir) : [];
const projectFiles = [
  path.join(repoRoot, 'models', 'north-korea-russia', 'model.xmile'),
  ...modelFiles(path.join(repoRoot, 'models', 'examples')),
];

describe('writeXmile', () => {
  it.each(projectFiles.map((f) => [path.relative(repoRoot, f), f]))(
    '%s: read -> write -> read is the same model, results and bytes',
    (rel, f) => roundTrip(readFileSync(f, 'utf8'), rel),
  );

  describe.skipIf(!haveSuite)('over the SDXorg suite', () => {
    it.each(suiteFiles.map((f) => [path.relative(suiteDir, f), f]))('%s round-trips', (rel, f) =>
      roundTrip(readFileSync(f, 'utf8'), rel),
    );
  });

  it('keeps what the reader keeps: units, documentation, dimensions, gfs, behaviours, modules, macros, views', () => {
    const doc = `<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>all</name><vendor>v</vendor><product>p</product></header>
<sim_specs method="RK4" time_units="Years" isee:save_interval="0.5" xmlns:isee="http://iseesystems.com/XMILE"><start>1</start><stop>3</stop><dt reciprocal="true">4</dt></sim_specs>
<model_units><unit name="people"><alias>person</alias></unit><unit name="kpeople"><eqn>1000 * people</eqn></unit></model_units>
<dimensions><dim name="C"><elem name="a"/><elem name="b"/></dim><dim name="N" size="2"/></dimensions>
<behavior><non_negative/></behavior>
<macro name="TWICE"><parm default="1">x</parm><eqn>2 * x</eqn></macro>
<model><variables>
<stock name="S"><doc>A &lt;stock&gt; &amp; "doc"
on two lines</doc><eqn>10</eqn><inflow>f</inflow><outflow>"g h"</outflow><units>people</units></stock>
<flow name="f"><eqn>TWICE(1)</eqn><non_negative>false</non_negative></flow>
<stock name="belt"><eqn>0</eqn><inflow>f</inflow><outflow>off</outflow><outflow>loss</outflow><conveyor exponential_leak="false"><len>2</len><capacity>50</capacity></conveyor></stock>
<flow name="off"/><flow name="loss" leak_end="0.5"><leak>0.1</leak></flow>
<stock name="line"><eqn>0</eqn><outflow>first</outflow><outflow>second</outflow><queue/></stock><flow name="first"/><flow name="second"><overflow/></flow>
<flow name="g h"><eqn>S / 10</eqn><multiplier>1</multiplier></flow>
<aux name="arr"><dimensions><dim name="C"/><dim name="N"/></dimensions><element subscript="a, 1"><eqn>1</eqn></element><element subscript="b,2"><gf><xscale min="0" max="1"/><ypts>0,-0,1e-300,5</ypts></gf><eqn>TIME</eqn></element></aux>
<aux name="table" flow_concept="true"><eqn>S</eqn><gf type="discrete"><xpts>0,1,2</xpts><ypts>3,4,5</ypts></gf><init_eqn>4</init_eqn></aux>
<gf name="standalone" type="extrapolate"><yscale min="0" max="9"/><xpts>0,10</xpts><ypts>0,9</ypts></gf>
<module name="m" model="sub"><connect to="input" from=".S"/></module>
</variables>
<views><view><stock name="S" x="1.5" y="2" width="40" height="30"/><flow name="f" x="3" y="4"><pts><pt x="1" y="2"/><pt x="3" y="4"/></pts></flow><alias x="9" y="9"><of>S</of></alias><connector angle="45"><from>S</from><to>g_h</to></connector></view></views>
</model>
<model name="sub"><variables><aux name="input"><eqn>0</eqn></aux><aux name="out"><eqn>input * 2</eqn></aux></variables></model>
</xmile>`;
    const first = readXmile(doc, 'all.xmile');
    expect(first.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const m = first.model!;
    // Spot checks that the interesting parts were read at all (then the round trip keeps them).
    expect(m.variables.find((v) => v.name === 'S')!.nonNegative).toBe(true);
    expect(m.variables.find((v) => v.name === 'f')!.nonNegative).toBe(false);
    expect(m.simSpecs.dt).toBe(0.25);
    expect(m.variables.find((v) => v.name === 'belt')!.conveyor?.capacity?.text).toBe('50');
    const written = writeXmile(m);
    const second = readXmile(written, 'all.xmile');
    expect(second.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(withoutLocations(second.model)).toEqual(withoutLocations(m));
    expect(writeXmile(second.model!)).toBe(written);
    expect(written).toContain('<non_negative/>');
    expect(written).toContain('&lt;stock&gt; &amp; "doc"');
    sameResults(m, second.model!);
  });

  it('writes numbers the reader reads back exactly', () => {
    for (const n of [
      0,
      -0,
      1 / 3,
      1e-300,
      -2.5e21,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Infinity,
      -Infinity,
    ]) {
      const written = formatNumber(n);
      const doc = `<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><sim_specs><start>0</start><stop>1</stop></sim_specs><model><variables><aux name="a"><eqn>1</eqn><gf><xpts>0</xpts><ypts>${written}</ypts></gf></aux></variables></model></xmile>`;
      expect(Object.is(readXmile(doc).model!.variables[0]!.gf!.ypts[0], n)).toBe(true);
    }
  });
});
