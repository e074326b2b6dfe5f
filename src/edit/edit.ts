/**
 * Model editing as plain data: each edit takes a `Model` and returns a new one (the variables it
 * does not touch are shared, so keeping old versions for undo is cheap). No DOM and no Node
 * imports: the workbench's editor and the tests use the same functions.
 *
 * Names follow the engine's one rule (`canonicalName`): two names that differ only in case or in
 * `_` against space are the same name.
 */
import type {
  Equation,
  GraphicalFunction,
  Model,
  Variable,
  VariableKind,
  ViewElement,
} from '../model/types.js';
import { canonicalName, displayName } from '../equations/names.js';
import { tokenize } from '../equations/parser.js';

/** Where an edited equation's diagnostics point: column k is the k-th character of the text. */
export const EDITED_FILE = '(edited)';

export type Edit =
  | { op: 'set-equation'; name: string; text: string }
  | { op: 'set-units'; name: string; units: string }
  | { op: 'set-doc'; name: string; doc: string }
  | { op: 'set-gf'; name: string; gf: Pick<GraphicalFunction, 'xpts' | 'ypts'> | null }
  | { op: 'add'; kind: VariableKind; name: string; eqn?: string; x?: number; y?: number }
  | { op: 'delete'; name: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'add-link'; from: string; to: string }
  | { op: 'delete-link'; from: string; to: string }
  | { op: 'connect-flow'; flow: string; stock: string; as: 'inflow' | 'outflow' }
  | { op: 'disconnect-flow'; flow: string; stock: string };

/** An edit that cannot be made (unknown variable, name taken, ...): the message says why. */
export class EditError extends Error {
  override name = 'EditError';
}

const key = canonicalName;

function find(model: Model, name: string): { v: Variable; i: number } {
  const k = key(name);
  const i = model.variables.findIndex((v) => key(v.name) === k);
  if (i < 0) throw new EditError(`no variable named '${displayName(name)}'`);
  return { v: model.variables[i]!, i };
}

function replaceVariable(model: Model, i: number, v: Variable): Model {
  const variables = model.variables.slice();
  variables[i] = v;
  return { ...model, variables };
}

/**
 * The equation as an edit leaves it: trimmed as the reader trims a file's equations, and located
 * so that line 1, column 1 is the first character of the text as typed (leading blanks counted).
 */
function edited(text: string): Equation {
  const lead = text.slice(0, text.length - text.trimStart().length);
  const lines = lead.split('\n');
  return {
    text: text.trim(),
    loc: { file: EDITED_FILE, line: lines.length, column: lines[lines.length - 1]!.length + 1 },
  };
}

/** Check a new name: not empty, not taken (by another variable), no characters XMILE cannot hold. */
export function checkNewName(model: Model, name: string, except?: string): string | undefined {
  const shown = displayName(name);
  if (!shown) return 'a name cannot be empty';
  if (/^[0-9]/.test(shown)) return `'${shown}' starts with a digit`;
  if (!/^[A-Za-z_$\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/.test(fileName(name)))
    return `'${shown}' holds a character names cannot have here (letters, digits, spaces and _ only)`;
  if (['and', 'or', 'not', 'if', 'then', 'else', 'mod', 'time'].includes(key(name)))
    return `'${shown}' is a reserved word`;
  const k = key(name);
  if (except !== undefined && key(except) === k) return undefined;
  const taken =
    model.variables.some((v) => key(v.name) === k) ||
    model.graphicalFunctions.some((g) => g.name !== undefined && key(g.name) === k) ||
    model.modules.some((m) => key(m.name) === k);
  return taken ? `'${shown}' is already the name of a variable` : undefined;
}

/** A name as the model file writes it: separators as `_`. */
function fileName(name: string): string {
  return displayName(name).replace(/ /g, '_');
}

/**
 * Every reference to `from` in an equation rewritten to `to` (tokens, so a name inside a longer
 * name, a comment or a number is left alone). Returns the text unchanged when it does not lex.
 */
export function renameInEquation(text: string, from: string, to: string): string {
  let tokens;
  try {
    tokens = tokenize(text);
  } catch {
    return text;
  }
  const k = key(from);
  let out = '';
  let at = 0;
  for (const t of tokens) {
    if (t.kind !== 'ident') continue;
    // `module.variable`: only the part before the first dot can name a variable of this model.
    const dot = t.text.startsWith('"') ? -1 : t.text.indexOf('.');
    const head = dot < 0 ? t.text : t.text.slice(0, dot);
    if (key(head) !== k) continue;
    out += text.slice(at, t.start) + fileName(to);
    at = t.start + head.length;
  }
  return out + text.slice(at);
}

/** Does the equation text name `name` (as a whole token)? */
export function references(text: string | undefined, name: string): boolean {
  if (!text) return false;
  let tokens;
  try {
    tokens = tokenize(text);
  } catch {
    return false;
  }
  const k = key(name);
  return tokens.some(
    (t) => t.kind === 'ident' && key(t.text.startsWith('"') ? t.text : t.text.split('.')[0]!) === k,
  );
}

function renameEq(e: Equation | undefined, from: string, to: string): Equation | undefined {
  if (!e) return e;
  const text = renameInEquation(e.text, from, to);
  return text === e.text ? e : edited(text);
}

function renameVariable(v: Variable, from: string, to: string): Variable {
  const k = key(from);
  const out: Variable = { ...v };
  if (key(v.name) === k) out.name = fileName(to);
  for (const field of ['eqn', 'initEqn', 'multiplier'] as const) {
    if (v[field]) out[field] = renameEq(v[field], from, to);
  }
  if (v.elementEquations) out.elementEquations = v.elementEquations.map((e) => renameEq(e, from, to)!);
  if (v.elements)
    out.elements = v.elements.map((el) => (el.eqn ? { ...el, eqn: renameEq(el.eqn, from, to) } : el));
  const swap = (list?: string[]) => list?.map((f) => (key(f) === k ? fileName(to) : f));
  if (v.inflows) out.inflows = swap(v.inflows);
  if (v.outflows) out.outflows = swap(v.outflows);
  return out;
}

function rename(model: Model, from: string, to: string): Model {
  const { v } = find(model, from);
  const problem = checkNewName(model, to, from);
  if (problem) throw new EditError(problem);
  if (fileName(to) === v.name) return model;
  const k = key(from);
  const next: Model = {
    ...model,
    variables: model.variables.map((x) => renameVariable(x, from, to)),
    modules: model.modules.map((m) => ({
      ...m,
      connections: m.connections.map((c) => ({
        to: c.to,
        from: key(c.from) === k ? fileName(to) : c.from,
      })),
    })),
  };
  if (model.view) {
    next.view = {
      elements: model.view.elements.map((e) => (key(e.name) === k ? { ...e, name: fileName(to) } : e)),
      connectors: model.view.connectors.map((c) => ({
        ...c,
        from: key(c.from) === k ? fileName(to) : c.from,
        to: key(c.to) === k ? fileName(to) : c.to,
      })),
    };
  }
  return next;
}

function add(model: Model, e: Extract<Edit, { op: 'add' }>): Model {
  const problem = checkNewName(model, e.name);
  if (problem) throw new EditError(problem);
  const v: Variable = { kind: e.kind, name: fileName(e.name), eqn: edited(e.eqn ?? '0') };
  if (e.kind === 'stock') {
    v.inflows = [];
    v.outflows = [];
  }
  const next: Model = { ...model, variables: [...model.variables, v] };
  if (model.view || e.x !== undefined) {
    const el: ViewElement = { kind: e.kind, name: v.name, x: e.x ?? 0, y: e.y ?? 0 };
    next.view = {
      elements: [...(model.view?.elements ?? []), el],
      connectors: model.view?.connectors ?? [],
    };
  }
  return next;
}

function remove(model: Model, name: string): Model {
  const { v } = find(model, name);
  const k = key(v.name);
  const next: Model = {
    ...model,
    variables: model.variables
      .filter((x) => x !== v)
      .map((x) =>
        x.kind === 'stock' &&
        ((x.inflows ?? []).some((f) => key(f) === k) || (x.outflows ?? []).some((f) => key(f) === k))
          ? {
              ...x,
              inflows: (x.inflows ?? []).filter((f) => key(f) !== k),
              outflows: (x.outflows ?? []).filter((f) => key(f) !== k),
            }
          : x,
      ),
  };
  if (model.view) {
    next.view = {
      elements: model.view.elements.filter((e) => key(e.name) !== k),
      connectors: model.view.connectors.filter((c) => key(c.from) !== k && key(c.to) !== k),
    };
  }
  return next;
}

function addLink(model: Model, from: string, to: string): Model {
  const a = find(model, from).v;
  const b = find(model, to).v;
  if (key(a.name) === key(b.name)) throw new EditError('a link joins two different variables');
  const connectors = model.view?.connectors ?? [];
  if (connectors.some((c) => key(c.from) === key(a.name) && key(c.to) === key(b.name)))
    throw new EditError(`there is already a link from '${displayName(a.name)}' to '${displayName(b.name)}'`);
  return {
    ...model,
    view: {
      elements: model.view?.elements ?? [],
      connectors: [...connectors, { from: a.name, to: b.name }],
    },
  };
}

function deleteLink(model: Model, from: string, to: string): Model {
  const a = find(model, from).v;
  const b = find(model, to).v;
  if (references(b.eqn?.text, a.name) || references(b.initEqn?.text, a.name))
    throw new EditError(
      `'${displayName(b.name)}' uses '${displayName(a.name)}' in its equation: change the equation to remove the link`,
    );
  const connectors = model.view?.connectors ?? [];
  const kept = connectors.filter((c) => !(key(c.from) === key(a.name) && key(c.to) === key(b.name)));
  if (kept.length === connectors.length)
    throw new EditError(`no link from '${displayName(a.name)}' to '${displayName(b.name)}'`);
  return { ...model, view: { elements: model.view?.elements ?? [], connectors: kept } };
}

function connectFlow(model: Model, flowName: string, stockName: string, as: 'inflow' | 'outflow'): Model {
  const flow = find(model, flowName).v;
  const { v: stock, i } = find(model, stockName);
  if (flow.kind !== 'flow') throw new EditError(`'${displayName(flow.name)}' is not a flow`);
  if (stock.kind !== 'stock') throw new EditError(`'${displayName(stock.name)}' is not a stock`);
  const k = key(flow.name);
  const inflows = (stock.inflows ?? []).filter((f) => key(f) !== k);
  const outflows = (stock.outflows ?? []).filter((f) => key(f) !== k);
  (as === 'inflow' ? inflows : outflows).push(flow.name);
  return replaceVariable(model, i, { ...stock, inflows, outflows });
}

function disconnectFlow(model: Model, flowName: string, stockName: string): Model {
  const k = key(flowName);
  const { v: stock, i } = find(model, stockName);
  return replaceVariable(model, i, {
    ...stock,
    inflows: (stock.inflows ?? []).filter((f) => key(f) !== k),
    outflows: (stock.outflows ?? []).filter((f) => key(f) !== k),
  });
}

function setGf(model: Model, name: string, gf: Pick<GraphicalFunction, 'xpts' | 'ypts'> | null): Model {
  const { v, i } = find(model, name);
  if (!gf) {
    const { gf: _gone, ...rest } = v;
    return replaceVariable(model, i, rest);
  }
  const { xpts, ypts } = gf;
  if (xpts.length !== ypts.length || xpts.length < 2)
    throw new EditError('a graphical function needs at least two points, as many x as y values');
  if (![...xpts, ...ypts].every(Number.isFinite)) throw new EditError('every point must be a finite number');
  for (let j = 1; j < xpts.length; j++)
    if (!(xpts[j]! > xpts[j - 1]!)) throw new EditError('the x values must increase from point to point');
  const next: GraphicalFunction = {
    ...(v.gf ?? { type: 'continuous' }),
    xpts: [...xpts],
    ypts: [...ypts],
  };
  delete next.loc;
  // Scales follow the points, so that writing and reading back keeps them.
  next.xscale = { min: xpts[0]!, max: xpts[xpts.length - 1]! };
  next.yscale = {
    min: Math.min(v.gf?.yscale?.min ?? Infinity, ...ypts),
    max: Math.max(v.gf?.yscale?.max ?? -Infinity, ...ypts),
  };
  return replaceVariable(model, i, { ...v, gf: next });
}

/** Apply one edit. Throws EditError (with a message for the user) when it cannot be made. */
export function applyEdit(model: Model, edit: Edit): Model {
  switch (edit.op) {
    case 'set-equation': {
      const { v, i } = find(model, edit.name);
      return replaceVariable(model, i, { ...v, eqn: edited(edit.text) });
    }
    case 'set-units': {
      const { v, i } = find(model, edit.name);
      const next = { ...v };
      if (edit.units.trim()) next.units = edit.units.trim();
      else delete next.units;
      return replaceVariable(model, i, next);
    }
    case 'set-doc': {
      const { v, i } = find(model, edit.name);
      const next = { ...v };
      if (edit.doc) next.doc = edit.doc;
      else delete next.doc;
      return replaceVariable(model, i, next);
    }
    case 'set-gf':
      return setGf(model, edit.name, edit.gf);
    case 'add':
      return add(model, edit);
    case 'delete':
      return remove(model, edit.name);
    case 'rename':
      return rename(model, edit.from, edit.to);
    case 'add-link':
      return addLink(model, edit.from, edit.to);
    case 'delete-link':
      return deleteLink(model, edit.from, edit.to);
    case 'connect-flow':
      return connectFlow(model, edit.flow, edit.stock, edit.as);
    case 'disconnect-flow':
      return disconnectFlow(model, edit.flow, edit.stock);
  }
}

/** A short description of an edit, for the undo and redo buttons. */
export function describeEdit(edit: Edit): string {
  switch (edit.op) {
    case 'set-equation':
      return `equation of ${displayName(edit.name)}`;
    case 'set-units':
      return `units of ${displayName(edit.name)}`;
    case 'set-doc':
      return `documentation of ${displayName(edit.name)}`;
    case 'set-gf':
      return `graphical function of ${displayName(edit.name)}`;
    case 'add':
      return `add ${edit.kind} ${displayName(edit.name)}`;
    case 'delete':
      return `delete ${displayName(edit.name)}`;
    case 'rename':
      return `rename ${displayName(edit.from)} to ${displayName(edit.to)}`;
    case 'add-link':
      return `link ${displayName(edit.from)} to ${displayName(edit.to)}`;
    case 'delete-link':
      return `remove the link ${displayName(edit.from)} to ${displayName(edit.to)}`;
    case 'connect-flow':
      return `${displayName(edit.flow)} as ${edit.as} of ${displayName(edit.stock)}`;
    case 'disconnect-flow':
      return `disconnect ${displayName(edit.flow)} from ${displayName(edit.stock)}`;
  }
}

/**
 * Links drawn on the diagram that no equation uses (a warning, as Stella gives one): the target's
 * equation does not name the source.
 */
export function unusedLinks(model: Model): { from: string; to: string }[] {
  const byKey = new Map(model.variables.map((v) => [key(v.name), v]));
  return (model.view?.connectors ?? []).filter((c) => {
    const a = byKey.get(key(c.from));
    const b = byKey.get(key(c.to));
    if (!a || !b) return false;
    const isFlowOfStock =
      b.kind === 'stock' && [...(b.inflows ?? []), ...(b.outflows ?? [])].some((f) => key(f) === key(a.name));
    return !isFlowOfStock && !references(b.eqn?.text, a.name) && !references(b.initEqn?.text, a.name);
  });
}
