/**
 * The XMILE writer: a `Model` (from any reader) as an XMILE 1.0 document. It writes what the
 * reader keeps (sim specs, dimensions, units, macros, variables with their equations, units,
 * documentation, dimensions, per-element definitions, graphical functions, non-negative flags,
 * modules and sub-models, views), so that reading what it writes gives the same model. The
 * non-negative cascade of `<behavior>` blocks has been resolved by the reader; it is written
 * per stock and flow. Output is deterministic: the same model gives the same bytes.
 * No Node imports: this runs in the browser too.
 */
import type {
  ConveyorOptions,
  Dimension,
  ElementDefinition,
  Equation,
  GraphicalFunction,
  MacroDefinition,
  Model,
  ModelView,
  ModuleInstance,
  SubModel,
  UnitDefinition,
  Variable,
} from '../model/types.js';

export const XMILE_NS = 'http://docs.oasis-open.org/xmile/ns/XMILE/v1.0';
const ISEE_NS = 'http://iseesystems.com/XMILE';

/** Text content: the three characters XML reserves, and CR (which parsers would fold into LF). */
function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute value: also quotes and the white space attribute normalisation would turn into spaces. */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** A number as the reader reads it back exactly (shortest round-trip form; -0 and infinities kept). */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (n === Infinity) return 'INF';
  if (n === -Infinity) return '-INF';
  return String(n);
}

class Out {
  private readonly lines: string[] = [];
  private depth = 0;
  line(s: string): void {
    this.lines.push(`${'  '.repeat(this.depth)}${s}`);
  }
  open(s: string): void {
    this.line(s);
    this.depth++;
  }
  close(s: string): void {
    this.depth--;
    this.line(s);
  }
  /** `<tag>text</tag>` on one line. */
  leaf(tag: string, content: string, attrs = ''): void {
    this.line(`<${tag}${attrs}>${text(content)}</${tag}>`);
  }
  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function writeXmile(model: Model): string {
  const o = new Out();
  o.line('<?xml version="1.0" encoding="utf-8"?>');
  o.open(`<xmile version="1.0" xmlns="${XMILE_NS}" xmlns:isee="${ISEE_NS}">`);
  writeHeader(o, model);
  writeSimSpecs(o, model);
  writeUnits(o, model.units);
  writeDimensions(o, model.dimensions);
  for (const m of model.macros) writeMacro(o, m);
  const root: SubModel = {
    variables: model.variables,
    modules: model.modules,
    graphicalFunctions: model.graphicalFunctions,
  };
  if (model.view) root.view = model.view;
  writeModel(o, root);
  for (const sub of model.subModels) writeModel(o, sub);
  o.close('</xmile>');
  return o.toString();
}

function writeHeader(o: Out, model: Model): void {
  o.open('<header>');
  const h = model.header;
  if (h.name !== undefined) o.leaf('name', h.name);
  if (h.vendor !== undefined) o.leaf('vendor', h.vendor);
  if (h.product !== undefined) o.leaf('product', h.product);
  o.close('</header>');
}

function writeSimSpecs(o: Out, model: Model): void {
  const s = model.simSpecs;
  let attrs = ` method="${attr(s.methodRequested ?? s.method)}"`;
  if (s.timeUnits !== undefined) attrs += ` time_units="${attr(s.timeUnits)}"`;
  if (s.saveStep !== undefined) attrs += ` isee:save_interval="${formatNumber(s.saveStep)}"`;
  o.open(`<sim_specs${attrs}>`);
  o.leaf('start', formatNumber(s.start));
  o.leaf('stop', formatNumber(s.stop));
  o.leaf('dt', formatNumber(s.dt));
  o.close('</sim_specs>');
}

function writeUnits(o: Out, units: UnitDefinition[]): void {
  if (units.length === 0) return;
  o.open('<model_units>');
  for (const u of units) {
    if (u.eqn === undefined && u.aliases.length === 0) {
      o.line(`<unit name="${attr(u.name)}"/>`);
      continue;
    }
    o.open(`<unit name="${attr(u.name)}">`);
    if (u.eqn !== undefined) o.leaf('eqn', u.eqn);
    for (const a of u.aliases) o.leaf('alias', a);
    o.close('</unit>');
  }
  o.close('</model_units>');
}

function isNumbered(d: Dimension): boolean {
  return d.elements.length > 0 && d.elements.every((e, i) => e === String(i + 1));
}

function writeDimensions(o: Out, dims: Dimension[]): void {
  if (dims.length === 0) return;
  o.open('<dimensions>');
  for (const d of dims) {
    if (isNumbered(d)) {
      o.line(`<dim name="${attr(d.name)}" size="${d.elements.length}"/>`);
      continue;
    }
    if (d.elements.length === 0) {
      // A dimension the reader could not size (its error was reported); kept by name.
      o.line(`<dim name="${attr(d.name)}"/>`);
      continue;
    }
    o.open(`<dim name="${attr(d.name)}">`);
    for (const e of d.elements) o.line(`<elem name="${attr(e)}"/>`);
    o.close('</dim>');
  }
  o.close('</dimensions>');
}

function writeMacro(o: Out, m: MacroDefinition): void {
  o.open(`<macro name="${attr(m.name)}">`);
  for (const p of m.parameters) {
    const def = m.parameterDefaults?.[p];
    o.leaf('parm', p, def ? ` default="${attr(def.text)}"` : '');
  }
  if (m.eqn) writeEquation(o, 'eqn', m.eqn);
  if (m.variables.length > 0) {
    o.open('<variables>');
    for (const v of m.variables) writeVariable(o, v);
    o.close('</variables>');
  }
  o.close('</macro>');
}

function writeModel(o: Out, m: SubModel): void {
  o.open(m.name !== undefined ? `<model name="${attr(m.name)}">` : '<model>');
  const gfs = m.graphicalFunctions ?? [];
  if (m.variables.length + gfs.length + m.modules.length === 0) o.line('<variables/>');
  else {
    o.open('<variables>');
    for (const v of m.variables) writeVariable(o, v);
    for (const gf of gfs) writeGf(o, gf, gf.name);
    for (const mod of m.modules) writeModule(o, mod);
    o.close('</variables>');
  }
  if (m.view) writeView(o, m.view);
  o.close('</model>');
}

function writeEquation(o: Out, tag: string, e: Equation): void {
  o.leaf(tag, e.text);
}

function writeVariable(o: Out, v: Variable): void {
  let extra = v.kind === 'aux' && v.flowConcept ? ' flow_concept="true"' : '';
  if (v.leak?.start !== undefined) extra += ` leak_start="${formatNumber(v.leak.start)}"`;
  if (v.leak?.end !== undefined) extra += ` leak_end="${formatNumber(v.leak.end)}"`;
  o.open(`<${v.kind} name="${attr(v.name)}"${extra}>`);
  if (v.doc !== undefined) o.leaf('doc', v.doc);
  if (v.elementEquations && v.elementEquations.length > 1) {
    for (const e of v.elementEquations) writeEquation(o, 'eqn', e);
  } else if (v.eqn) writeEquation(o, 'eqn', v.eqn);
  if (v.initEqn) writeEquation(o, 'init_eqn', v.initEqn);
  if (v.gf) writeGf(o, v.gf);
  for (const f of v.inflows ?? []) o.leaf('inflow', f);
  for (const f of v.outflows ?? []) o.leaf('outflow', f);
  if (v.multiplier) writeEquation(o, 'multiplier', v.multiplier);
  if (v.conveyor) writeConveyor(o, v.conveyor);
  if (v.queue) o.line('<queue/>');
  if (v.leak) {
    if (v.leak.fraction) writeEquation(o, 'leak', v.leak.fraction);
    else o.line('<leak/>');
    if (v.leak.integers) o.line('<leak_integers/>');
  }
  if (v.overflow) o.line('<overflow/>');
  if (v.nonNegative) o.line('<non_negative/>');
  if (v.units !== undefined) o.leaf('units', v.units);
  if (v.dimensions && v.dimensions.length > 0) {
    o.open('<dimensions>');
    for (const d of v.dimensions) o.line(`<dim name="${attr(d)}"/>`);
    o.close('</dimensions>');
  }
  for (const el of v.elements ?? []) writeElement(o, el);
  o.close(`</${v.kind}>`);
}

function writeConveyor(o: Out, c: ConveyorOptions): void {
  let a = '';
  for (const [at, key] of [
    ['discrete', 'discrete'],
    ['batch_integrity', 'batchIntegrity'],
    ['one_at_a_time', 'oneAtATime'],
    ['exponential_leak', 'exponentialLeak'],
  ] as const) {
    if (c[key] !== undefined) a += ` ${at}="${c[key] ? 'true' : 'false'}"`;
  }
  o.open(`<conveyor${a}>`);
  for (const [tag, key] of [
    ['len', 'len'],
    ['capacity', 'capacity'],
    ['in_limit', 'inLimit'],
    ['sample', 'sample'],
    ['arrest', 'arrest'],
  ] as const) {
    const e = c[key];
    if (e) writeEquation(o, tag, e);
  }
  o.close('</conveyor>');
}

function writeElement(o: Out, el: ElementDefinition): void {
  const sub = attr(el.subscript.join(', '));
  if (!el.eqn && !el.gf) {
    o.line(`<element subscript="${sub}"/>`);
    return;
  }
  o.open(`<element subscript="${sub}">`);
  if (el.eqn) writeEquation(o, 'eqn', el.eqn);
  if (el.gf) writeGf(o, el.gf);
  o.close('</element>');
}

function writeGf(o: Out, gf: GraphicalFunction, name?: string): void {
  const n = name !== undefined ? ` name="${attr(name)}"` : '';
  o.open(`<gf${n} type="${gf.type}">`);
  if (gf.xscale)
    o.line(`<xscale min="${formatNumber(gf.xscale.min)}" max="${formatNumber(gf.xscale.max)}"/>`);
  if (gf.yscale)
    o.line(`<yscale min="${formatNumber(gf.yscale.min)}" max="${formatNumber(gf.yscale.max)}"/>`);
  // The x points are always written: evenly spread ones are computed by the reader, and writing
  // them keeps the values exactly (and a missing scale needs no default on reading).
  o.leaf('xpts', gf.xpts.map(formatNumber).join(','));
  o.leaf('ypts', gf.ypts.map(formatNumber).join(','));
  o.close('</gf>');
}

function writeModule(o: Out, m: ModuleInstance): void {
  const head = `<module name="${attr(m.name)}" model="${attr(m.model)}"`;
  if (m.connections.length === 0) {
    o.line(`${head}/>`);
    return;
  }
  o.open(`${head}>`);
  for (const c of m.connections) o.line(`<connect to="${attr(c.to)}" from="${attr(c.from)}"/>`);
  o.close('</module>');
}

function writeView(o: Out, view: ModelView): void {
  o.open('<views>');
  o.open('<view>');
  for (const e of view.elements) {
    let a = ` x="${formatNumber(e.x)}" y="${formatNumber(e.y)}"`;
    if (e.width !== undefined) a += ` width="${formatNumber(e.width)}"`;
    if (e.height !== undefined) a += ` height="${formatNumber(e.height)}"`;
    if (e.kind === 'alias') {
      o.open(`<alias${a}>`);
      o.leaf('of', e.name);
      o.close('</alias>');
      continue;
    }
    const head = `<${e.kind} name="${attr(e.name)}"${a}`;
    if (!e.points) {
      o.line(`${head}/>`);
      continue;
    }
    o.open(`${head}>`);
    o.open('<pts>');
    for (const p of e.points) o.line(`<pt x="${formatNumber(p.x)}" y="${formatNumber(p.y)}"/>`);
    o.close('</pts>');
    o.close(`</${e.kind}>`);
  }
  for (const c of view.connectors) {
    const a = c.angle !== undefined ? ` angle="${formatNumber(c.angle)}"` : '';
    o.open(`<connector${a}>`);
    o.leaf('from', c.from);
    o.leaf('to', c.to);
    o.close('</connector>');
  }
  o.close('</view>');
  o.close('</views>');
}
