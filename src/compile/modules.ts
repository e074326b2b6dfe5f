/**
 * Modules (XMILE 1.0 sections 3.7.4 and 4.7.1): every module instance is expanded into the
 * variables of the model it instantiates, named `instance.variable` (nested: `outer.inner.x`).
 * A connection `<connect to="input" from="source"/>` makes the instance's input variable an
 * alias of a variable of the enclosing model (`.name` or `name`) or of a sibling instance's output
 * (`sibling.name`); the `to` end may be written relative to the instance (`input`) or qualified
 * (`instance.input`), as Stella writes it. An unconnected input keeps its own equation.
 */
import { canonicalName } from '../equations/names.js';
import type {
  Diagnostic,
  GraphicalFunction,
  Model,
  ModuleInstance,
  SubModel,
  Variable,
} from '../model/types.js';

/** A variable of the expanded model and the scope its equation's names are resolved in. */
export interface ScopedVariable {
  v: Variable;
  /** Canonical prefix of the instance (`hares`, `outer.inner`); '' for the root model. */
  scope: string;
  /** Set for a connected input: its equation names a variable by its full (root) name. */
  alias?: boolean;
}

export interface Expanded {
  variables: ScopedVariable[];
  /** Standalone graphical functions of instances, under their full names. */
  graphicalFunctions: GraphicalFunction[];
  diagnostics: Diagnostic[];
}

/** Deepest nesting of modules (a model that instantiates itself is reported, not expanded forever). */
const MAX_DEPTH = 32;
/** Bound on the number of expanded variables, so a file cannot exhaust memory by nesting. */
const MAX_VARIABLES = 1_000_000;

/** `a."b.c".d` -> canonical `a.b.c.d` segments joined: dots inside quotes belong to the name. */
export function canonicalPath(path: string): string {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && quoted) {
      cur += ch + (path[i + 1] ?? '');
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === '.' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => canonicalName(p)).join('.');
}

/** Quote a full name so that it parses as one reference whatever it contains. */
function quoted(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A connected input: an auxiliary whose equation names its source by the source's full name. */
function aliasOf(v: Variable, name: string, from: string): Variable {
  const alias: Variable = {
    kind: v.kind === 'stock' ? 'aux' : v.kind,
    name,
    eqn: { text: quoted(from), loc: v.loc },
  };
  if (v.units !== undefined) alias.units = v.units;
  if (v.doc !== undefined) alias.doc = v.doc;
  if (v.dimensions !== undefined) alias.dimensions = v.dimensions;
  if (v.loc !== undefined) alias.loc = v.loc;
  return alias;
}

export function expandModules(model: Model): Expanded {
  const diagnostics: Diagnostic[] = [];
  const out: ScopedVariable[] = model.variables.map((v) => ({ v, scope: '' }));
  const gfs: GraphicalFunction[] = [];
  if (model.modules.length === 0) return { variables: out, graphicalFunctions: gfs, diagnostics };
  const models = new Map<string, SubModel>();
  for (const m of model.subModels) if (m.name) models.set(canonicalName(m.name), m);
  let count = out.length;
  /** Connections into an enclosing model's variable (`to=".name"`), by that variable's full name. */
  const outward = new Map<string, { from: string; mod: ModuleInstance }>();

  const error = (message: string, mod: ModuleInstance, code = 'invalid-module') => {
    diagnostics.push({
      severity: 'error',
      code,
      message,
      file: mod.loc?.file ?? model.file,
      line: mod.loc?.line,
      column: mod.loc?.column,
      variable: mod.name,
    });
  };

  /**
   * Expand the instances of one model. `prefix` is the display prefix of that model's names
   * ('' for the root, `outer.` inside an instance), `scope` its canonical form without the dot.
   */
  const expand = (instances: ModuleInstance[], prefix: string, scope: string, path: string[]) => {
    // Connections are written in either instance (Stella writes each in both): gather them all.
    const connections = new Map<string, { from: string; mod: ModuleInstance }>();
    const instanceKeys = new Set(instances.map((m) => canonicalName(m.name)));
    for (const mod of instances) {
      const own = canonicalName(mod.name);
      for (const c of mod.connections) {
        if (c.to.trim().startsWith('.')) {
          // Into the enclosing model (`.name`): one of its inputs takes an instance's output.
          const target = canonicalPath(c.to.trim().slice(1));
          const source = canonicalPath(c.from.trim().replace(/^\./, ''));
          outward.set(scope ? `${scope}.${target}` : target, {
            from: scope ? `${scope}.${source}` : source,
            mod,
          });
          continue;
        }
        let to = canonicalPath(c.to);
        const dot = to.indexOf('.');
        if (dot < 0 || !instanceKeys.has(to.slice(0, dot))) to = `${own}.${to}`;
        const from = canonicalPath(c.from.trim().replace(/^\./, ''));
        connections.set(to, { from: scope ? `${scope}.${from}` : from, mod });
      }
    }
    for (const mod of instances) {
      const key = canonicalName(mod.model);
      const sub = models.get(key);
      if (!sub) {
        error(`module '${mod.name}' instantiates a model '${mod.model}' that the file does not define`, mod);
        continue;
      }
      if (path.includes(key) || path.length >= MAX_DEPTH) {
        error(`module '${mod.name}' instantiates '${mod.model}' inside itself`, mod);
        continue;
      }
      const own = canonicalName(mod.name);
      const innerPrefix = `${prefix}${mod.name}.`;
      const innerScope = scope ? `${scope}.${own}` : own;
      count += sub.variables.length;
      if (count > MAX_VARIABLES) {
        error(`the modules expand to more than ${MAX_VARIABLES} variables`, mod, 'too-large');
        return;
      }
      for (const v of sub.variables) {
        const name = `${innerPrefix}${v.name}`;
        const conn = connections.get(`${own}.${canonicalName(v.name)}`);
        if (conn) {
          out.push({ v: aliasOf(v, name, conn.from), scope: '', alias: true });
          continue;
        }
        const copy: Variable = { ...v, name };
        if (v.inflows) copy.inflows = [...v.inflows];
        if (v.outflows) copy.outflows = [...v.outflows];
        out.push({ v: copy, scope: innerScope });
      }
      for (const gf of sub.graphicalFunctions ?? [])
        if (gf.name) gfs.push({ ...gf, name: `${innerPrefix}${gf.name}` });
      // A connection naming an input the model does not have is a mistake worth reporting.
      for (const [to, c] of connections) {
        if (!to.startsWith(`${own}.`)) continue;
        const local = to.slice(own.length + 1);
        if (local.includes('.')) continue; // into a nested instance: checked at that level
        if (!sub.variables.some((v) => canonicalName(v.name) === local))
          error(
            `module '${mod.name}' connects '${local}', which model '${mod.model}' does not define`,
            c.mod,
          );
      }
      expand(sub.modules, innerPrefix, innerScope, [...path, key]);
    }
  };
  expand(model.modules, '', '', []);
  if (outward.size > 0) {
    for (let i = 0; i < out.length; i++) {
      const sv = out[i]!;
      const c = outward.get(canonicalName(sv.v.name));
      if (!c) continue;
      outward.delete(canonicalName(sv.v.name));
      out[i] = { v: aliasOf(sv.v, sv.v.name, c.from), scope: '', alias: true };
    }
    for (const [to, c] of outward)
      error(`module '${c.mod.name}' connects '${to}', which is not defined`, c.mod);
  }
  return { variables: out, graphicalFunctions: gfs, diagnostics };
}
