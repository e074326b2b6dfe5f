/**
 * The XMILE reader (engine layer 2): XMILE 1.0 documents (`.xmile`) and Stella's dialect
 * (`.stmx`: the same schema with `isee:` extensions) into the plain `Model` of
 * `src/model/types.ts`. No Node imports: this runs in the browser too.
 *
 * Contract:
 * - never throws; every problem is a diagnostic with file, line and column;
 * - `model` is returned whenever the document is well-formed XML with an `<xmile>` root and usable
 *   sim specs (start and stop). Other errors (duplicate names, bad graphical functions...) are
 *   reported next to a best-effort model that must not be compiled while errors remain.
 *
 * Names are kept as written. References in `<inflow>`/`<outflow>` written in the quoted form
 * (`"Flow_w/_division"`) are unquoted (`\"` and `\\` unescaped; `\n` is left as written, as in
 * `name` attributes).
 */
import { budgetDiagnostic, DEFAULT_BUDGETS, type Budgets } from '../model/budgets.js';
import { describeUnsafe, findUnsafeCharacter } from '../model/text.js';
import type {
  ConveyorOptions,
  Diagnostic,
  Dimension,
  ElementDefinition,
  Equation,
  GraphicalFunction,
  GraphicalFunctionType,
  IntegrationMethod,
  MacroDefinition,
  Model,
  ModelView,
  ModuleInstance,
  SimSpecs,
  SourceLocation,
  SubModel,
  UnitDefinition,
  Variable,
  VariableKind,
  ViewConnector,
  ViewElement,
} from '../model/types.js';
import { canonicalName } from '../equations/names.js';
import { advance, parseXml, textOf, type XmlAttribute, type XmlElement, type XmlPosition } from './xml.js';

export interface XmileReadResult {
  model?: Model;
  diagnostics: Diagnostic[];
}

/** Namespaces whose prefixed elements are read as plain XMILE (`<xmile:model>` = `<model>`). */
const XMILE_NAMESPACES = new Set([
  'http://docs.oasis-open.org/xmile/ns/XMILE/v1.0',
  'http://www.systemdynamics.org/XMILE',
]);

/** Named elements that may sit among variables (or directly in a legacy <model>) and are not variables. */
const NOT_VARIABLES = new Set([
  'group',
  'display',
  'interface',
  'views',
  'view',
  'behavior',
  'sim_specs',
  'style',
]);

const SUPPORTED_METHODS: ReadonlySet<string> = new Set<IntegrationMethod>(['euler', 'rk2', 'rk4']);

/** `"a \"b\""` → `a "b"`; other text is returned trimmed and unchanged. */
function unquoteName(raw: string): string {
  const s = raw.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    return s.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return s;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY_RE = /^([+-]?)inf(inity)?$/i;

/** Strict number syntax (no hex, no empty string, no trailing junk); undefined when invalid. */
export function parseNumber(text: string): number | undefined {
  const s = text.trim();
  if (NUMBER_RE.test(s)) return Number(s);
  const inf = INFINITY_RE.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

interface BehaviorFlags {
  all?: boolean;
  stock?: boolean;
  flow?: boolean;
}

class XmileReader {
  readonly diagnostics: Diagnostic[] = [];
  /** Prefixes bound to an XMILE namespace on the root element. */
  private readonly xmilePrefixes = new Set<string>();

  constructor(
    private readonly file: string | undefined,
    private readonly budgets: Budgets = DEFAULT_BUDGETS,
  ) {}

  // ---------------------------------------------------------------------------------- helpers

  loc(pos: XmlPosition): SourceLocation {
    const l: SourceLocation = { line: pos.line, column: pos.column };
    if (this.file !== undefined) l.file = this.file;
    return l;
  }

  /** Names may hold nothing invisible or reordering (model/text.ts); false after reporting it. */
  safeName(name: string, what: string, pos: XmlPosition): boolean {
    const unsafe = findUnsafeCharacter(name);
    if (!unsafe) return true;
    this.report(
      'error',
      'unsafe-name',
      `${what} name has ${describeUnsafe(unsafe)}, which names may not contain`,
      pos,
    );
    return false;
  }

  report(
    severity: Diagnostic['severity'],
    code: string,
    message: string,
    pos: XmlPosition,
    variable?: string,
  ): void {
    const d: Diagnostic = { severity, code, message, line: pos.line, column: pos.column };
    if (this.file !== undefined) d.file = this.file;
    if (variable !== undefined) d.variable = variable;
    this.diagnostics.push(d);
  }

  /** The element's name without an XMILE-namespace prefix; vendor prefixes (`isee:`) are kept. */
  local(el: XmlElement): string {
    const colon = el.name.indexOf(':');
    if (colon > 0 && this.xmilePrefixes.has(el.name.slice(0, colon))) return el.name.slice(colon + 1);
    return el.name;
  }

  elements(el: XmlElement, name?: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of el.children)
      if (c.kind === 'element' && (name === undefined || this.local(c) === name)) out.push(c);
    return out;
  }

  child(el: XmlElement, name: string): XmlElement | undefined {
    for (const c of el.children) if (c.kind === 'element' && this.local(c) === name) return c;
    return undefined;
  }

  attr(el: XmlElement, name: string): XmlAttribute | undefined {
    return el.attributes.find((a) => a.name === name);
  }

  /** Position of the first non-blank character of an element's text, or of the element itself. */
  textPosition(el: XmlElement): XmlPosition {
    const first = el.children.find((c) => c.kind === 'text');
    if (!first || first.kind !== 'text') return { line: el.line, column: el.column };
    const raw = textOf(el);
    const lead = raw.length - raw.trimStart().length;
    // Leading blanks are counted only within the first text node, where the mapping is exact.
    return advance(first, first.text, Math.min(lead, first.text.length));
  }

  text(el: XmlElement | undefined): string | undefined {
    return el ? textOf(el).trim() : undefined;
  }

  equation(el: XmlElement): Equation {
    return { text: textOf(el).trim(), loc: this.loc(this.textPosition(el)) };
  }

  /** A required number in an element's text; reports `invalid-number` naming the element. */
  numberIn(el: XmlElement, what: string): number | undefined {
    const raw = textOf(el).trim();
    const value = parseNumber(raw);
    if (value === undefined) {
      this.report(
        'error',
        'invalid-number',
        `<${what}> must be a number, not '${clip(raw)}'`,
        this.textPosition(el),
      );
    }
    return value;
  }

  numberAttr(el: XmlElement, name: string, required: boolean): number | undefined {
    const a = this.attr(el, name);
    if (!a) {
      if (required) {
        this.report('error', 'missing-attribute', `<${el.name}> needs a numeric '${name}' attribute`, el);
      }
      return undefined;
    }
    const value = parseNumber(a.value);
    if (value === undefined) {
      this.report(
        'error',
        'invalid-number',
        `attribute '${name}' of <${el.name}> must be a number, not '${clip(a.value)}'`,
        { line: a.valueLine, column: a.valueColumn },
      );
    }
    return value;
  }

  // --------------------------------------------------------------------------------- document

  read(text: string): Model | undefined {
    const parsed = parseXml(text, { file: this.file });
    this.diagnostics.push(...parsed.diagnostics);
    const root = parsed.root;
    if (!root) return undefined;
    for (const a of root.attributes) {
      if (a.name.startsWith('xmlns:') && XMILE_NAMESPACES.has(a.value.trim()))
        this.xmilePrefixes.add(a.name.slice(6));
    }
    if (this.local(root) !== 'xmile') {
      this.report('error', 'not-xmile', `the root element is <${root.name}>, expected <xmile>`, root);
      return undefined;
    }

    const header = this.child(root, 'header');
    const models = this.elements(root, 'model');
    if (models.length === 0) this.report('error', 'missing-model', 'the document has no <model>', root);
    const isUnnamed = (m: XmlElement): boolean => !this.attr(m, 'name')?.value.trim();
    const rootModelEl = models.find(isUnnamed) ?? models[0];
    const unnamed = models.filter(isUnnamed);
    for (const extra of unnamed.slice(1)) {
      this.report(
        'error',
        'duplicate-name',
        'more than one <model> without a name (only one root model)',
        extra,
      );
    }

    const simSpecsEl = this.child(root, 'sim_specs') ?? (rootModelEl && this.child(rootModelEl, 'sim_specs'));
    const simSpecs = simSpecsEl
      ? this.readSimSpecs(simSpecsEl)
      : (this.report('error', 'missing-sim-specs', 'the document has no <sim_specs>', root), undefined);

    for (const inc of this.elements(root, 'include')) {
      this.report(
        'warning',
        'unsupported-feature',
        '<include> is not supported; the included file is not read',
        inc,
      );
    }

    const fileBehavior = this.readBehavior(this.child(root, 'behavior'));
    const dimensions = this.readDimensions(this.child(root, 'dimensions'));
    const units = this.readUnits(this.child(root, 'model_units'));
    const macros = this.elements(root, 'macro').map((m) => this.readMacro(m, fileBehavior));

    let rootModel: SubModel & { graphicalFunctions: GraphicalFunction[] } = {
      variables: [],
      modules: [],
      graphicalFunctions: [],
    };
    const subModels: SubModel[] = [];
    for (const m of models) {
      const sub = this.readModel(m, fileBehavior);
      if (m === rootModelEl) rootModel = sub;
      else subModels.push(sub);
    }
    if (!simSpecs) return undefined;

    const model: Model = {
      header: {},
      simSpecs,
      dimensions,
      variables: rootModel.variables,
      graphicalFunctions: rootModel.graphicalFunctions,
      modules: rootModel.modules,
      subModels,
      macros,
      units,
    };
    if (this.file !== undefined) model.file = this.file;
    if (header) {
      const name = this.text(this.child(header, 'name'));
      const vendor = this.text(this.child(header, 'vendor'));
      const product = this.text(this.child(header, 'product'));
      if (name) model.header.name = name;
      if (vendor) model.header.vendor = vendor;
      if (product) model.header.product = product;
    }
    if (rootModel.view) model.view = rootModel.view;
    return model;
  }

  readSimSpecs(el: XmlElement): SimSpecs | undefined {
    const startEl = this.child(el, 'start');
    const stopEl = this.child(el, 'stop');
    if (!startEl) this.report('error', 'missing-sim-specs', '<sim_specs> has no <start>', el);
    if (!stopEl) this.report('error', 'missing-sim-specs', '<sim_specs> has no <stop>', el);
    const start = startEl && this.numberIn(startEl, 'start');
    const stop = stopEl && this.numberIn(stopEl, 'stop');

    let dt = 1;
    const dtEl = this.child(el, 'dt');
    let dtOk = true;
    if (dtEl) {
      const value = this.numberIn(dtEl, 'dt');
      if (value === undefined) dtOk = false;
      else {
        const reciprocal = this.attr(dtEl, 'reciprocal')?.value.trim().toLowerCase() === 'true';
        dt = reciprocal ? 1 / value : value;
        if (!(dt > 0) || !Number.isFinite(dt)) {
          this.report(
            'error',
            'invalid-sim-specs',
            `<dt> must be a positive number (got ${dt})`,
            this.textPosition(dtEl),
          );
          dtOk = false;
        }
      }
    }
    if (start !== undefined && stop !== undefined) {
      if (!Number.isFinite(start) || !Number.isFinite(stop) || stop < start) {
        this.report(
          'error',
          'invalid-sim-specs',
          `<stop> (${stop}) must be finite and not before <start> (${start})`,
          stopEl!,
        );
        return undefined;
      }
    }
    if (start === undefined || stop === undefined || !dtOk) return undefined;

    const specs: SimSpecs = { start, stop, dt, method: 'euler' };
    const methodAttr = this.attr(el, 'method');
    if (methodAttr) {
      // XMILE allows a fallback list ("gear, rk4"): run the first method we support.
      const wanted = methodAttr.value
        .split(',')
        .map((m) => m.trim().toLowerCase())
        .filter((m) => m !== '');
      const first = wanted[0];
      if (first !== undefined && !SUPPORTED_METHODS.has(first)) {
        const fallback = (wanted.find((m) => SUPPORTED_METHODS.has(m)) ?? 'rk4') as IntegrationMethod;
        specs.method = fallback;
        specs.methodRequested = methodAttr.value.trim();
        this.report(
          'warning',
          'unsupported-method',
          `integration method '${methodAttr.value.trim()}' is not supported; using ${fallback}`,
          { line: methodAttr.valueLine, column: methodAttr.valueColumn },
        );
      } else if (first !== undefined) specs.method = first as IntegrationMethod;
    }
    const timeUnits = this.attr(el, 'time_units')?.value.trim();
    if (timeUnits) specs.timeUnits = timeUnits;

    // XMILE 1.0 has no save interval: Stella writes the isee:save_interval attribute; the
    // element spellings are accepted as some tools write them.
    const saveEl =
      this.child(el, 'save_interval') ?? this.child(el, 'isee:save_interval') ?? this.child(el, 'save_step');
    if (saveEl) {
      const v = this.numberIn(saveEl, 'save_interval');
      if (v !== undefined) specs.saveStep = v;
    } else if (this.attr(el, 'isee:save_interval')) {
      const v = this.numberAttr(el, 'isee:save_interval', false);
      if (v !== undefined) specs.saveStep = v;
    }
    if (specs.saveStep !== undefined && !(specs.saveStep > 0)) {
      this.report(
        'error',
        'invalid-sim-specs',
        `the save interval must be positive (got ${specs.saveStep})`,
        saveEl ?? el,
      );
      delete specs.saveStep;
    }
    return specs;
  }

  readDimensions(el: XmlElement | undefined): Dimension[] {
    if (!el) return [];
    const out: Dimension[] = [];
    const seen = new Map<string, XmlElement>();
    for (const d of this.elements(el, 'dim')) {
      const name = this.attr(d, 'name')?.value.trim();
      if (!name) {
        this.report('error', 'missing-name', '<dim> needs a name attribute', d);
        continue;
      }
      if (!this.safeName(name, 'dimension', d)) continue;
      const key = canonicalName(name);
      const previous = seen.get(key);
      if (previous) {
        this.report(
          'error',
          'duplicate-name',
          `dimension '${name}' is defined twice (first at line ${previous.line}, column ${previous.column})`,
          d,
        );
        continue;
      }
      seen.set(key, d);
      const elems = this.elements(d, 'elem');
      let elements: string[] = [];
      if (elems.length > 0) {
        for (const e of elems) {
          const n = this.attr(e, 'name')?.value.trim();
          if (!n)
            this.report('error', 'missing-name', `<elem> of dimension '${name}' needs a name attribute`, e);
          else if (this.safeName(n, 'element', e)) elements.push(n);
        }
      } else {
        const size = this.numberAttr(d, 'size', true);
        if (size !== undefined) {
          if (!Number.isInteger(size) || size < 1) {
            this.report(
              'error',
              'invalid-number',
              `size of dimension '${name}' must be a whole number >= 1, got ${size}`,
              d,
            );
          } else if (size > this.budgets.elements) {
            const b = budgetDiagnostic(
              'elements',
              `the size of dimension '${name}'`,
              size,
              this.budgets.elements,
            );
            this.report('error', b.code, b.message, d);
          } else elements = Array.from({ length: size }, (_, i) => String(i + 1));
        }
      }
      out.push({ name, elements, loc: this.loc(d) });
    }
    return out;
  }

  readUnits(el: XmlElement | undefined): UnitDefinition[] {
    if (!el) return [];
    const out: UnitDefinition[] = [];
    for (const u of this.elements(el, 'unit')) {
      const name = this.attr(u, 'name')?.value.trim();
      if (!name) {
        this.report('error', 'missing-name', '<unit> needs a name attribute', u);
        continue;
      }
      const def: UnitDefinition = { name, aliases: [] };
      const eqn = this.text(this.child(u, 'eqn'));
      if (eqn) def.eqn = eqn;
      for (const a of this.elements(u, 'alias')) {
        const alias = this.text(a);
        if (alias) def.aliases.push(alias);
      }
      out.push(def);
    }
    return out;
  }

  /** `<non_negative/>` (true), `<non_negative>false</non_negative>`, or undefined when absent. */
  nonNegativeIn(el: XmlElement): boolean | undefined {
    const nn = this.child(el, 'non_negative');
    if (!nn) return undefined;
    const value = textOf(nn).trim().toLowerCase();
    if (value === '' || value === 'true') return true;
    if (value === 'false') return false;
    this.report(
      'warning',
      'invalid-value',
      `<non_negative> should be empty, true or false; read as true`,
      nn,
    );
    return true;
  }

  readBehavior(el: XmlElement | undefined): BehaviorFlags {
    if (!el) return {};
    const flags: BehaviorFlags = {};
    const all = this.nonNegativeIn(el);
    if (all !== undefined) flags.all = all;
    const stock = this.child(el, 'stock');
    const flow = this.child(el, 'flow');
    const s = stock && this.nonNegativeIn(stock);
    const f = flow && this.nonNegativeIn(flow);
    if (s !== undefined) flags.stock = s;
    if (f !== undefined) flags.flow = f;
    return flags;
  }

  // ---------------------------------------------------------------------------------- models

  readModel(
    el: XmlElement,
    fileBehavior: BehaviorFlags,
  ): SubModel & { graphicalFunctions: GraphicalFunction[] } {
    const name = this.attr(el, 'name')?.value.trim();
    const behavior = this.readBehavior(this.child(el, 'behavior'));
    const sub: SubModel & { graphicalFunctions: GraphicalFunction[] } = {
      variables: [],
      modules: [],
      graphicalFunctions: [],
    };
    if (name) sub.name = name;
    // Older Stella files (`level="3"`, namespace systemdynamics.org/XMILE) put the variables
    // directly in <model>, each with its position in a <display> child.
    const variablesEl = this.child(el, 'variables') ?? el;
    this.readVariables(variablesEl, [behavior, fileBehavior], sub);
    const viewsEl = this.child(el, 'views');
    const viewEl = viewsEl && this.child(viewsEl, 'view');
    if (viewEl) sub.view = this.readView(viewEl);
    else if (variablesEl === el) {
      const legacy = this.readDisplayView(el);
      if (legacy.elements.length > 0) sub.view = legacy;
    }
    return sub;
  }

  readVariables(
    el: XmlElement,
    behaviors: BehaviorFlags[],
    into: { variables: Variable[]; modules: ModuleInstance[]; graphicalFunctions: GraphicalFunction[] },
  ): void {
    const seen = new Map<string, XmlElement>();
    const checkUnique = (name: string, node: XmlElement): boolean => {
      const key = canonicalName(name);
      const previous = seen.get(key);
      if (previous) {
        this.report(
          'error',
          'duplicate-name',
          `'${name}' is defined twice: here and at line ${previous.line}, column ${previous.column}`,
          node,
          name,
        );
        return false;
      }
      seen.set(key, node);
      return true;
    };
    for (const v of this.elements(el)) {
      const tag = this.local(v);
      if (tag === 'stock' || tag === 'flow' || tag === 'aux') {
        const variable = this.readVariable(v, tag, behaviors);
        if (variable && checkUnique(variable.name, v)) into.variables.push(variable);
      } else if (tag === 'gf') {
        const name = this.attr(v, 'name')?.value.trim();
        if (!name) {
          this.report('error', 'missing-name', 'a standalone <gf> needs a name attribute', v);
          continue;
        }
        const gf = this.readGf(v, name);
        if (gf && checkUnique(name, v)) into.graphicalFunctions.push({ ...gf, name });
      } else if (tag === 'module') {
        const mod = this.readModule(v);
        if (mod && checkUnique(mod.name, v)) into.modules.push(mod);
      } else if (!NOT_VARIABLES.has(tag) && !tag.includes(':') && this.attr(v, 'name')) {
        // A named element we do not know is most likely a variable type we do not read.
        const name = this.attr(v, 'name')!.value.trim();
        this.report(
          'warning',
          'unsupported-feature',
          `<${v.name}> '${name}' is not supported and is ignored`,
          v,
          name,
        );
      }
      // Groups, display-only and vendor elements are ignored.
    }
  }

  readVariable(el: XmlElement, kind: VariableKind, behaviors: BehaviorFlags[]): Variable | undefined {
    const nameAttr = this.attr(el, 'name');
    const name = nameAttr?.value.trim();
    if (!name) {
      this.report('error', 'missing-name', `<${el.name}> needs a name attribute`, el);
      return undefined;
    }
    if (!this.safeName(name, 'variable', nameAttr!)) return undefined;
    const v: Variable = { kind, name, loc: this.loc(el) };
    const eqnEl = this.child(el, 'eqn');
    if (eqnEl) v.eqn = this.equation(eqnEl);
    // Some converted files give an arrayed variable one <eqn> per element, in row-major order.
    const initEl = this.child(el, 'init_eqn');
    if (initEl && kind !== 'stock') v.initEqn = this.equation(initEl);
    const eqnEls = this.elements(el, 'eqn');
    if (eqnEls.length > 1) v.elementEquations = eqnEls.map((x) => this.equation(x));
    const gfEl = this.child(el, 'gf');
    if (gfEl) {
      const gf = this.readGf(gfEl, name);
      if (gf) v.gf = gf;
    }
    const doc = this.text(this.child(el, 'doc'));
    if (doc) v.doc = doc;
    const units = this.text(this.child(el, 'units'));
    if (units) v.units = units;

    const dimsEl = this.child(el, 'dimensions');
    if (dimsEl) {
      const dims: string[] = [];
      for (const d of this.elements(dimsEl, 'dim')) {
        const n = this.attr(d, 'name')?.value.trim();
        if (!n) this.report('error', 'missing-name', `<dim> in '${name}' needs a name attribute`, d, name);
        else dims.push(n);
      }
      if (dims.length > 0) v.dimensions = dims;
    }
    const elementEls = this.elements(el, 'element');
    if (elementEls.length > 0) {
      v.elements = [];
      for (const e of elementEls) {
        const sub = this.attr(e, 'subscript');
        if (!sub || sub.value.trim() === '') {
          this.report(
            'error',
            'missing-attribute',
            `<element> of '${name}' needs a subscript attribute`,
            e,
            name,
          );
          continue;
        }
        const def: ElementDefinition = {
          subscript: sub.value.split(',').map((s) => s.trim()),
          loc: this.loc(e),
        };
        const ee = this.child(e, 'eqn');
        if (ee) def.eqn = this.equation(ee);
        const eg = this.child(e, 'gf');
        if (eg) {
          const gf = this.readGf(eg, name);
          if (gf) def.gf = gf;
        }
        v.elements.push(def);
      }
    }

    if (kind === 'stock') {
      v.inflows = this.elements(el, 'inflow').map((f) => unquoteName(textOf(f)));
      v.outflows = this.elements(el, 'outflow').map((f) => unquoteName(textOf(f)));
      const conveyor = this.child(el, 'conveyor');
      if (conveyor) {
        const c: ConveyorOptions = {};
        for (const [tag, key] of [
          ['len', 'len'],
          ['capacity', 'capacity'],
          ['in_limit', 'inLimit'],
          ['sample', 'sample'],
          ['arrest', 'arrest'],
        ] as const) {
          const x = this.child(conveyor, tag);
          if (x) c[key] = this.equation(x);
        }
        for (const [at, key] of [
          ['discrete', 'discrete'],
          ['batch_integrity', 'batchIntegrity'],
          ['one_at_a_time', 'oneAtATime'],
          ['exponential_leak', 'exponentialLeak'],
        ] as const) {
          const a = this.attr(conveyor, at);
          if (a) c[key] = a.value.trim().toLowerCase() === 'true';
        }
        v.conveyor = c;
      }
      if (this.child(el, 'queue')) v.queue = true;
    }
    if (kind === 'flow') {
      const m = this.child(el, 'multiplier');
      if (m) v.multiplier = this.equation(m);
      const leak = this.child(el, 'leak');
      const start = this.attr(el, 'leak_start');
      const end = this.attr(el, 'leak_end');
      if (leak || start || end) {
        v.leak = {};
        if (leak && textOf(leak).trim() !== '') v.leak.fraction = this.equation(leak);
        const s0 = start ? this.numberAttr(el, 'leak_start', false) : undefined;
        const e0 = end ? this.numberAttr(el, 'leak_end', false) : undefined;
        if (s0 !== undefined) v.leak.start = s0;
        if (e0 !== undefined) v.leak.end = e0;
        if (this.child(el, 'leak_integers')) v.leak.integers = true;
      }
      if (this.child(el, 'overflow')) v.overflow = true;
    }
    if (kind === 'aux' && this.attr(el, 'flow_concept')?.value.trim().toLowerCase() === 'true')
      v.flowConcept = true;
    if (kind === 'stock' || kind === 'flow') {
      // Cascade: the variable's own setting, then each behavior level (model, file); within a
      // level the kind-specific block wins over the block for all kinds.
      let nn = this.nonNegativeIn(el);
      for (const b of behaviors) {
        if (nn !== undefined) break;
        nn = b[kind] ?? b.all;
      }
      v.nonNegative = nn ?? false;
    }
    return v;
  }

  readModule(el: XmlElement): ModuleInstance | undefined {
    const name = this.attr(el, 'name')?.value.trim();
    if (!name) {
      this.report('error', 'missing-name', '<module> needs a name attribute', el);
      return undefined;
    }
    const mod: ModuleInstance = {
      name,
      model: this.attr(el, 'model')?.value.trim() || name,
      connections: [],
      loc: this.loc(el),
    };
    const resource = this.attr(el, 'resource');
    if (resource) {
      this.report(
        'warning',
        'unsupported-feature',
        `module '${name}' refers to another file (${clip(resource.value)}), which is not read`,
        { line: resource.line, column: resource.column },
        name,
      );
    }
    for (const c of this.elements(el, 'connect')) {
      const to = this.attr(c, 'to')?.value.trim();
      const from = this.attr(c, 'from')?.value.trim();
      if (!to || !from) {
        this.report(
          'error',
          'missing-attribute',
          `<connect> in module '${name}' needs 'to' and 'from'`,
          c,
          name,
        );
        continue;
      }
      mod.connections.push({ to, from });
    }
    return mod;
  }

  readMacro(el: XmlElement, fileBehavior: BehaviorFlags): MacroDefinition {
    const name = this.attr(el, 'name')?.value.trim();
    if (!name) this.report('error', 'missing-name', '<macro> needs a name attribute', el);
    const macro: MacroDefinition = { name: name ?? '', parameters: [], variables: [], loc: this.loc(el) };
    for (const p of this.elements(el, 'parm')) {
      const parm = this.text(p);
      const def = this.attr(p, 'default');
      if (parm && def) {
        macro.parameterDefaults ??= {};
        macro.parameterDefaults[parm] = {
          text: def.value.trim(),
          loc: this.loc({ line: def.valueLine, column: def.valueColumn }),
        };
      }
      if (parm) macro.parameters.push(parm);
      else this.report('error', 'missing-name', `a <parm> of macro '${name ?? ''}' is empty`, p);
    }
    const eqnEl = this.child(el, 'eqn');
    if (eqnEl) macro.eqn = this.equation(eqnEl);
    const varsEl = this.child(el, 'variables');
    if (varsEl) {
      const holder = { variables: macro.variables, modules: [] as ModuleInstance[], graphicalFunctions: [] };
      this.readVariables(varsEl, [fileBehavior], holder);
    }
    return macro;
  }

  // ------------------------------------------------------------------------ graphical functions

  /** A list of numbers separated by `sep`; reports the first bad item at its place. */
  numberList(el: XmlElement, variable: string): number[] | undefined {
    const sep = this.attr(el, 'sep')?.value || ',';
    const raw = textOf(el);
    const start = this.textPosition(el);
    const trimmed = raw.trim();
    if (trimmed === '') {
      this.report('error', 'invalid-gf', `<${el.name}> of '${variable}' is empty`, el, variable);
      return undefined;
    }
    const out: number[] = [];
    let offset = 0;
    for (const item of trimmed.split(sep)) {
      const value = parseNumber(item);
      if (value === undefined) {
        const first = offset + (item.length - item.trimStart().length);
        this.report(
          'error',
          'invalid-number',
          `<${el.name}> of '${variable}' has a non-numeric point '${clip(item.trim())}'`,
          advance(start, trimmed, first < 0 ? 0 : first),
          variable,
        );
        return undefined;
      }
      out.push(value);
      offset += item.length + sep.length;
    }
    return out;
  }

  scale(el: XmlElement | undefined, variable: string): { min: number; max: number } | undefined {
    if (!el) return undefined;
    const min = this.numberAttr(el, 'min', true);
    const max = this.numberAttr(el, 'max', true);
    if (min === undefined || max === undefined) return undefined;
    if (!(max >= min)) {
      this.report('error', 'invalid-gf', `<${el.name}> of '${variable}' has max below min`, el, variable);
      return undefined;
    }
    return { min, max };
  }

  readGf(el: XmlElement, variable: string): GraphicalFunction | undefined {
    let type: GraphicalFunctionType = 'continuous';
    const typeAttr = this.attr(el, 'type');
    if (typeAttr) {
      const t = typeAttr.value.trim().toLowerCase();
      if (t === 'continuous' || t === 'extrapolate' || t === 'discrete') type = t;
      else {
        this.report(
          'warning',
          'invalid-value',
          `unknown graphical function type '${clip(typeAttr.value)}' in '${variable}'; using continuous`,
          { line: typeAttr.valueLine, column: typeAttr.valueColumn },
          variable,
        );
      }
    }
    const yptsEl = this.child(el, 'ypts');
    if (!yptsEl) {
      this.report(
        'error',
        'invalid-gf',
        `the graphical function of '${variable}' has no <ypts>`,
        el,
        variable,
      );
      return undefined;
    }
    const ypts = this.numberList(yptsEl, variable);
    if (!ypts) return undefined;
    const xscaleEl = this.child(el, 'xscale');
    const xptsEl = this.child(el, 'xpts');
    const xscale = this.scale(xscaleEl, variable);
    const yscale = this.scale(this.child(el, 'yscale'), variable);
    let xpts: number[];
    if (xptsEl) {
      const xs = this.numberList(xptsEl, variable);
      if (!xs) return undefined;
      if (xs.length !== ypts.length) {
        this.report(
          'error',
          'invalid-gf',
          `the graphical function of '${variable}' has ${xs.length} x points but ${ypts.length} y points`,
          xptsEl,
          variable,
        );
        return undefined;
      }
      xpts = xs;
    } else if (xscale) {
      const n = ypts.length;
      const step = n > 1 ? (xscale.max - xscale.min) / (n - 1) : 0;
      // The last point is pinned to max so that rounding never leaves it short.
      xpts = ypts.map((_, i) => (i === n - 1 && n > 1 ? xscale.max : xscale.min + i * step));
    } else {
      if (xscaleEl) return undefined; // its error is already reported
      this.report(
        'warning',
        'gf-default-xscale',
        `the graphical function of '${variable}' has neither <xscale> nor <xpts>; using x = 0, 1, ..., ${ypts.length - 1}`,
        el,
        variable,
      );
      xpts = ypts.map((_, i) => i);
    }
    for (let i = 1; i < xpts.length; i++) {
      if (!(xpts[i]! >= xpts[i - 1]!)) {
        this.report(
          'error',
          'invalid-gf',
          `the x points of '${variable}' must not decrease`,
          xptsEl ?? el,
          variable,
        );
        return undefined;
      }
    }
    const gf: GraphicalFunction = { type, xpts, ypts, loc: this.loc(el) };
    if (xscale) gf.xscale = xscale;
    if (yscale) gf.yscale = yscale;
    return gf;
  }

  // ------------------------------------------------------------------------------------- view

  /** Positions from the `<display x y>` child of each variable (legacy Stella layout). */
  readDisplayView(el: XmlElement): ModelView {
    const view: ModelView = { elements: [], connectors: [] };
    for (const c of this.elements(el)) {
      const tag = this.local(c);
      if (tag !== 'stock' && tag !== 'flow' && tag !== 'aux' && tag !== 'module') continue;
      const name = this.attr(c, 'name')?.value.trim();
      const display = this.child(c, 'display');
      if (!name || !display) continue;
      const element = this.viewElement(display, tag, name);
      if (element) view.elements.push(element);
    }
    return view;
  }

  /** One positioned element; undefined when it has no usable x and y. */
  viewElement(c: XmlElement, kind: ViewElement['kind'], name: string): ViewElement | undefined {
    const x = parseNumber(this.attr(c, 'x')?.value ?? '');
    const y = parseNumber(this.attr(c, 'y')?.value ?? '');
    // Display data: an element without a usable position is skipped rather than reported.
    if (x === undefined || y === undefined) return undefined;
    const ve: ViewElement = { kind, name: unquoteName(name), x, y };
    const width = parseNumber(this.attr(c, 'width')?.value ?? '');
    const height = parseNumber(this.attr(c, 'height')?.value ?? '');
    if (width !== undefined) ve.width = width;
    if (height !== undefined) ve.height = height;
    const pts = this.child(c, 'pts');
    if (pts) {
      ve.points = [];
      for (const p of this.elements(pts, 'pt')) {
        const px = parseNumber(this.attr(p, 'x')?.value ?? '');
        const py = parseNumber(this.attr(p, 'y')?.value ?? '');
        if (px !== undefined && py !== undefined) ve.points.push({ x: px, y: py });
      }
    }
    return ve;
  }

  readView(el: XmlElement): ModelView {
    const view: ModelView = { elements: [], connectors: [] };
    // Connector ends may point at an alias by uid (`<from><alias uid="9"/></from>`): resolve
    // them to the aliased variable.
    const aliasOf = new Map<string, string>();
    for (const a of this.elements(el, 'alias')) {
      const uid = this.attr(a, 'uid')?.value.trim();
      const of = this.text(this.child(a, 'of'));
      if (uid && of) aliasOf.set(uid, of);
    }
    const end = (e: XmlElement | undefined): string | undefined => {
      if (!e) return undefined;
      const alias = this.child(e, 'alias');
      if (alias) return aliasOf.get(this.attr(alias, 'uid')?.value.trim() ?? '');
      return this.text(e);
    };
    for (const c of this.elements(el)) {
      const tag = this.local(c);
      if (tag === 'stock' || tag === 'flow' || tag === 'aux' || tag === 'module' || tag === 'alias') {
        const name = tag === 'alias' ? this.text(this.child(c, 'of')) : this.attr(c, 'name')?.value.trim();
        if (!name) continue;
        const ve = this.viewElement(c, tag, name);
        if (ve) view.elements.push(ve);
      } else if (tag === 'connector') {
        const from = end(this.child(c, 'from'));
        const to = end(this.child(c, 'to'));
        if (!from || !to) continue;
        const conn: ViewConnector = { from: unquoteName(from), to: unquoteName(to) };
        const angle = parseNumber(this.attr(c, 'angle')?.value ?? '');
        if (angle !== undefined) conn.angle = angle;
        view.connectors.push(conn);
      }
    }
    return view;
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/**
 * Reads an XMILE or Stella (.stmx) document. Never throws: an unexpected failure becomes an
 * `internal` error diagnostic.
 */
export function readXmile(text: string, file?: string, budgets?: Budgets): XmileReadResult {
  const reader = new XmileReader(file, budgets);
  try {
    const model = reader.read(text);
    return model ? { model, diagnostics: reader.diagnostics } : { diagnostics: reader.diagnostics };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const d: Diagnostic = {
      severity: 'error',
      code: 'internal',
      message: `internal error while reading the model: ${message}`,
      line: 1,
      column: 1,
    };
    if (file !== undefined) d.file = file;
    return { diagnostics: [...reader.diagnostics, d] };
  }
}
