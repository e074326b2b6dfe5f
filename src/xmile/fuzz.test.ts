/**
 * Seeded, bounded fuzzing of `readXmile`: random bytes, XML-ish token soup, random well-formed
 * XMILE-shaped trees and mutated suite documents. The reader must never throw, never report an
 * `internal` error, and place every diagnostic at a line and column inside the document.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readXmile } from './reader.js';
import { writeXmile } from './writer.js';

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

/** Checks one input; returns a description of the problem, or undefined when it is fine. */
function problem(text: string): string | undefined {
  let result;
  try {
    result = readXmile(text, 'fuzz.xmile');
  } catch (e) {
    return `threw ${e instanceof Error ? e.message : String(e)}`;
  }
  // Lines as an editor counts them (after a byte order mark), independently of the parser's LineMap.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lineLengths = body.split(/\r\n|\r|\n/).map((l) => l.length);
  for (const d of result.diagnostics) {
    if (d.code === 'internal') return `internal error: ${d.message}`;
    if (d.file !== 'fuzz.xmile') return `diagnostic without the file name: ${JSON.stringify(d)}`;
    const line = d.line ?? 0;
    const column = d.column ?? 0;
    if (!(line >= 1 && line <= lineLengths.length)) return `line outside the document: ${JSON.stringify(d)}`;
    if (!(column >= 1 && column <= lineLengths[line - 1]! + 1)) {
      return `column outside line ${line}: ${JSON.stringify(d)}`;
    }
  }
  const hasError = result.diagnostics.some((d) => d.severity === 'error');
  if (!hasError && !result.model) return 'no model and no error';
  return undefined;
}

function expectAllFine(inputs: Iterable<string>): number {
  let n = 0;
  for (const input of inputs) {
    const p = problem(input);
    if (p) expect.fail(`${p}\ninput (${input.length} chars): ${JSON.stringify(input.slice(0, 2000))}`);
    n++;
  }
  return n;
}

function* randomBytes(seed: number, count: number): Generator<string> {
  const r = rng(seed);
  const utf8 = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(int(r, 400));
    for (let j = 0; j < bytes.length; j++) bytes[j] = int(r, 256);
    yield i % 2 === 0 ? utf8.decode(bytes) : String.fromCharCode(...bytes);
  }
}

const TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '=',
  '"',
  "'",
  ' ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\uFEFF',
  '<?xml version="1.0"?>',
  '<?pi x?>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE x [',
  '<!ENTITY e "v">',
  ']>',
  '&amp;',
  '&lt;',
  '&#x41;',
  '&#0;',
  '&e;',
  '&',
  ';',
  '#',
  'xmile',
  'model',
  'variables',
  'aux',
  'stock',
  'flow',
  'gf',
  'module',
  'name',
  'eqn',
  'sim_specs',
  'start',
  'stop',
  'dt',
  'xpts',
  'ypts',
  'xscale',
  'isee:',
  'xmlns',
  '1',
  '-2.5',
  'x',
  'é',
  '\u{1F600}',
  '\uD800',
  '\u0000',
] as const;

function* tokenSoup(seed: number, count: number): Generator<string> {
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = int(r, 120);
    for (let j = 0; j < n; j++) s += pick(r, TOKENS);
    yield s;
  }
}

const TAGS = [
  'xmile',
  'header',
  'name',
  'vendor',
  'sim_specs',
  'start',
  'stop',
  'dt',
  'save_interval',
  'behavior',
  'non_negative',
  'dimensions',
  'dim',
  'elem',
  'model_units',
  'unit',
  'alias',
  'model',
  'variables',
  'stock',
  'flow',
  'aux',
  'gf',
  'xscale',
  'yscale',
  'xpts',
  'ypts',
  'module',
  'connect',
  'group',
  'macro',
  'parm',
  'eqn',
  'doc',
  'units',
  'inflow',
  'outflow',
  'element',
  'multiplier',
  'conveyor',
  'queue',
  'views',
  'view',
  'connector',
  'from',
  'to',
  'pts',
  'pt',
  'display',
  'include',
  'isee:prefs',
] as const;
const ATTRS = [
  'name',
  'size',
  'min',
  'max',
  'sep',
  'type',
  'method',
  'reciprocal',
  'subscript',
  'model',
  'to',
  'from',
  'x',
  'y',
  'width',
  'angle',
  'flow_concept',
  'isee:save_interval',
  'time_units',
  'xmlns:p',
] as const;
const VALUES = [
  '',
  '0',
  '1',
  '-1',
  '2.5',
  '1e3',
  'x',
  'true',
  'false',
  ';',
  'rk45',
  'discrete',
  'a, b',
  'a_b',
  'A B',
  ' ',
];

/** Random well-formed documents made of XMILE vocabulary: they get past the XML layer. */
function* xmileTrees(seed: number, count: number): Generator<string> {
  const r = rng(seed);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const element = (depth: number): string => {
    const tag = pick(r, TAGS);
    let attrs = '';
    const used = new Set<string>();
    for (let k = int(r, 3); k > 0; k--) {
      const a = pick(r, ATTRS);
      if (used.has(a)) continue;
      used.add(a);
      attrs += ` ${a}="${esc(pick(r, VALUES))}"`;
    }
    if (depth > 6 || r() < 0.25) return `<${tag}${attrs}/>`;
    let body = '';
    for (let k = int(r, 5); k > 0; k--) body += r() < 0.3 ? esc(pick(r, VALUES)) : element(depth + 1);
    return `<${tag}${attrs}>${body}</${tag}>`;
  };
  for (let i = 0; i < count; i++) {
    const specs = r() < 0.8 ? `<sim_specs><start>0</start><stop>${pick(r, VALUES)}</stop></sim_specs>` : '';
    let body = '';
    for (let k = int(r, 6); k > 0; k--) body += element(1);
    yield `<xmile>\n${specs}\n${body}\n</xmile>`;
  }
}

function* mutations(seed: number, count: number, corpus: string[]): Generator<string> {
  const r = rng(seed);
  const FLIPS = ['<', '>', '/', '"', "'", '&', '=', ' ', '\n', 'x', '1', ';', ']', '\u0000'];
  const slice = (s: string): [number, number] => {
    const a = int(r, s.length + 1);
    return [a, Math.min(s.length, a + int(r, 60))];
  };
  for (let i = 0; i < count; i++) {
    let s = pick(r, corpus);
    for (let m = 1 + int(r, 4); m > 0; m--) {
      const kind = int(r, 5);
      const [a, b] = slice(s);
      if (kind === 0) s = s.slice(0, a) + s.slice(b);
      else if (kind === 1) s = s.slice(0, b) + s.slice(a, b) + s.slice(b);
      else if (kind === 2) {
        const [c, d] = slice(s);
        if (b <= c) s = s.slice(0, a) + s.slice(c, d) + s.slice(b, c) + s.slice(a, b) + s.slice(d);
      } else if (kind === 3) s = s.slice(0, a) + pick(r, FLIPS) + s.slice(a + 1);
      else s = s.slice(0, a);
    }
    yield s;
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = path.resolve(repoRoot, '..', 'shared', 'sd-test-models', 'tests');

function suiteCorpus(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const full = path.join(dir, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(xmile|stmx)$/i.test(e)) out.push(readFileSync(full, 'utf8'));
    }
  };
  walk(suiteDir);
  return out;
}

/** A small corpus of hand-written documents touching every reader feature, for mutation. */
const HANDWRITTEN = [
  `<?xml version="1.0"?>\r\n<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\r\n<header><name>n</name></header>
<sim_specs method="rk45" isee:save_interval="1"><start>0</start><stop>10</stop><dt reciprocal="true">4</dt></sim_specs>
<behavior><non_negative/><flow><non_negative>false</non_negative></flow></behavior>
<dimensions><dim name="D" size="2"/><dim name="E"><elem name="a"/><elem name="b"/></dim></dimensions>
<model_units><unit name="k"><eqn>1000</eqn><alias>K</alias></unit></model_units>
<macro name="M"><parm>x</parm><eqn>x*2</eqn></macro>
<model name="sub"><variables><aux name="q"><eqn>1</eqn></aux></variables></model>
<model><variables><stock name="s"><eqn>1</eqn><inflow>"f"</inflow><conveyor><len>1</len></conveyor></stock>
<flow name="f"><eqn>IF s &gt; 1 THEN 1 ELSE 0</eqn><multiplier>2</multiplier></flow>
<aux name="a" flow_concept="true"><dimensions><dim name="D"/></dimensions><element subscript="1"><eqn>1</eqn></element>
<element subscript="2"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf></element></aux>
<gf name="g" type="discrete"><xpts sep=";">0;1;2</xpts><ypts>1,2,2</ypts></gf><module name="sub"><connect to="sub.q" from="a"/></module>
</variables><views><view><stock name="s" x="1" y="2"/><flow name="f" x="3" y="4"><pts><pt x="1" y="1"/></pts></flow>
<connector angle="3"><from>a</from><to>f</to></connector></view></views></model></xmile>`,
];

describe('readXmile under fuzzing (seeded, bounded)', () => {
  it('survives random bytes', () => {
    expect(expectAllFine(randomBytes(1, 1500))).toBe(1500);
  });

  it('survives XML-ish token soup', () => {
    expect(expectAllFine(tokenSoup(2, 2000))).toBe(2000);
  });

  it('survives random well-formed XMILE-shaped trees', () => {
    expect(expectAllFine(xmileTrees(3, 1500))).toBe(1500);
  });

  it('survives mutations of a hand-written document using every feature', () => {
    expect(expectAllFine(mutations(4, 1500, HANDWRITTEN))).toBe(1500);
  });

  it.skipIf(!existsSync(suiteDir))('survives mutations of the suite documents', () => {
    expect(expectAllFine(mutations(5, 1500, suiteCorpus()))).toBe(1500);
  });

  it('gives the same result for the same input (determinism)', () => {
    for (const input of mutations(6, 50, HANDWRITTEN)) {
      expect(readXmile(input, 'a')).toEqual(readXmile(input, 'a'));
    }
  });
});

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

/**
 * Whatever reads without errors writes and reads back the same (locations aside), and writing
 * that again gives the same bytes. Returns how many inputs got that far.
 */
function roundTrips(inputs: Iterable<string>): number {
  let n = 0;
  for (const input of inputs) {
    const first = readXmile(input, 'fuzz.xmile');
    if (!first.model || first.diagnostics.some((d) => d.severity === 'error')) continue;
    const written = writeXmile(first.model);
    const second = readXmile(written, 'fuzz.xmile');
    const errors = second.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length)
      expect.fail(`${JSON.stringify(errors[0])}\ninput: ${JSON.stringify(input.slice(0, 2000))}`);
    expect(withoutLocations(second.model), JSON.stringify(input.slice(0, 2000))).toEqual(
      withoutLocations(first.model),
    );
    expect(writeXmile(second.model!)).toBe(written);
    n++;
  }
  return n;
}

describe('writeXmile round trip under fuzzing (the reader corpus, seeded, bounded)', () => {
  it('random well-formed XMILE-shaped trees', () => {
    expect(roundTrips(xmileTrees(13, 1500))).toBeGreaterThan(0);
  });

  it('mutations of the hand-written document', () => {
    expect(roundTrips(mutations(14, 1500, HANDWRITTEN))).toBeGreaterThan(10);
  });

  it.skipIf(!existsSync(suiteDir))('mutations of the suite documents', () => {
    expect(roundTrips(mutations(15, 1500, suiteCorpus()))).toBeGreaterThan(100);
  });
});
