/**
 * The editor's state for one open model: the undo history (src/edit/history.ts), the last
 * version that compiled and its simulation, and the diagnostics of the current version. A
 * change to a constant's value re-runs the compiled simulation with the new value (no compile);
 * any other edit recompiles, reusing the parses of every equation it did not change
 * (compile/lower.ts), and runs once without the warm-up meant for many runs. Unit warnings and
 * unused links are not needed for the run, so they are computed apart (`advise`), when the page
 * has drawn the run. No DOM: the page drives it, and tests run it in Node.
 */
import type { CompiledModel, Diagnostic, Model, Simulation } from '../../engine.js';
import { applyEdit, describeEdit, EDITED_FILE, type Edit } from '../../edit/edit.js';
import { EditHistory } from '../../edit/history.js';
import { advisoryDiagnostics, diagnose } from '../../edit/diagnose.js';
import { parseEquation } from '../../equations/parser.js';
import { canonicalName, displayName } from '../../equations/names.js';

const key = canonicalName;

/** A plain number, as a constant's equation: the fast path applies. */
function plainNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

export interface Outcome {
  /** The run is up to date with the current version (false: it failed to compile). */
  ran: boolean;
  /** The fast path was taken (a constant's new value, no compile). */
  fast: boolean;
}

export class EditorSession {
  readonly history: EditHistory;
  /** The version that `compiled` was compiled from. */
  private base: Model;
  compiled: CompiledModel;
  sim: Simulation;
  /** Constants changed since `base` was compiled, by canonical name. */
  private readonly pending = new Map<string, number>();
  /** Whether `sim` was warmed up for many runs (the constant path runs it many times). */
  private primed = true;
  /** Compile diagnostics of the current version. */
  private compiledDiagnostics: Diagnostic[] = [];
  /** Unit warnings and unused links, of the version `advisedFor`. */
  private advisory: Diagnostic[] = [];
  private advisedFor?: Model;
  /** The current version has errors, so the run shown is of the last good version. */
  stale = false;
  /** Milliseconds the last change spent compiling (0 on the constant path) and running. */
  readonly timings = { compile: 0, run: 0 };

  /**
   * Each version's renamed variables: canonical name now -> canonical name in the version first
   * opened (only the renamed ones). Versions share what they inherit; undo and redo keep theirs.
   */
  private readonly lineage = new WeakMap<Model, ReadonlyMap<string, string>>();

  constructor(model: Model, compiled: CompiledModel) {
    this.history = new EditHistory(model);
    this.base = model;
    this.compiled = compiled;
    this.sim = compiled.simulation();
    this.sim.run();
  }

  get model(): Model {
    return this.history.model;
  }

  /** Diagnostics of the current version: the compile's, then the advisory ones (see `advise`). */
  get diagnostics(): Diagnostic[] {
    return [...this.compiledDiagnostics, ...this.advisory];
  }

  /** Whether the advisory diagnostics are of an earlier version (call `advise`). */
  get advisoryStale(): boolean {
    return this.advisedFor !== this.model;
  }

  /** Unit warnings and unused links of the current version. Returns false when already current. */
  advise(): boolean {
    if (!this.advisoryStale) return false;
    this.advisory = advisoryDiagnostics(this.model);
    this.advisedFor = this.model;
    return true;
  }

  /** Quick checks of an equation's text alone (syntax), located in that text. */
  static syntax(text: string): Diagnostic | undefined {
    const r = parseEquation(text);
    if (!r.error) return undefined;
    return {
      severity: 'error',
      code: 'syntax',
      message: r.error.message,
      line: 1,
      column: r.error.offset + 1,
    };
  }

  /**
   * Apply an edit (throws EditError when it cannot be made). `group` merges consecutive edits of
   * one field into one undo step. Re-runs the model.
   */
  apply(edit: Edit, group?: string): Outcome {
    const prev = this.model;
    const next = applyEdit(prev, edit);
    const inherited = this.lineage.get(prev) ?? new Map<string, string>();
    if (edit.op === 'rename') {
      const own = new Map(inherited);
      const origin = inherited.get(key(edit.from)) ?? key(edit.from);
      own.delete(key(edit.from));
      if (origin !== key(edit.to)) own.set(key(edit.to), origin);
      this.lineage.set(next, own);
    } else this.lineage.set(next, inherited);
    this.history.push(next, describeEdit(edit), group);
    if (edit.op === 'set-equation' && this.fastPath(edit.name, edit.text)) return { ran: true, fast: true };
    // Units and documentation never change the run: the run shown stays the current one.
    if ((edit.op === 'set-units' || edit.op === 'set-doc') && !this.stale) return { ran: true, fast: true };
    const out = this.recompile();
    if (edit.op === 'set-equation') {
      // A syntax error the compile did not attribute to this variable (it stopped earlier):
      // still located in the text being typed.
      const quick = EditorSession.syntax(edit.text);
      const k = key(edit.name);
      const located = this.compiledDiagnostics.some(
        (d) => d.severity === 'error' && d.variable && key(d.variable) === k,
      );
      if (quick && !located)
        this.compiledDiagnostics.unshift({ ...quick, file: EDITED_FILE, variable: edit.name });
    }
    return out;
  }

  private fastPath(name: string, text: string): boolean {
    const value = plainNumber(text);
    if (value === undefined || this.stale) return false;
    const k = key(name);
    const p = this.compiled.parameters.find((x) => key(x.name) === k && x.kind === 'constant');
    if (!p) return false;
    // Only when nothing but constants' values changed since the compile.
    const v = this.base.variables.find((x) => key(x.name) === k);
    if (!v || plainNumber(v.eqn?.text ?? '') === undefined) return false;
    const cur = this.model.variables;
    if (cur.length !== this.base.variables.length) return false;
    for (let i = 0; i < cur.length; i++) {
      const a = cur[i]!;
      const b = this.base.variables[i]!;
      if (a === b) continue;
      if (key(a.name) !== key(b.name) || a.kind !== b.kind) return false;
      const same = { ...a, eqn: b.eqn };
      if (JSON.stringify(same) !== JSON.stringify(b)) return false;
      if (key(a.name) !== k && !this.pending.has(key(a.name))) return false;
    }
    this.pending.set(k, value);
    if (!this.primed) {
      // Runs of this compiled model will now repeat: a simulation warmed up for them.
      this.sim = this.compiled.simulation();
      this.primed = true;
    }
    this.sim.clearOverrides();
    for (const [n, x] of this.pending) this.sim.set(this.sim.parameterIndex(n), x);
    const t0 = performance.now();
    this.sim.run();
    this.timings.compile = 0;
    this.timings.run = performance.now() - t0;
    this.compiledDiagnostics = this.compiledDiagnostics.filter((d) => d.severity !== 'error');
    return true;
  }

  /** Compile the current version; on success it becomes the one that runs. */
  recompile(): Outcome {
    const t0 = performance.now();
    const { compiled, diagnostics } = diagnose(this.model, { advisory: false });
    this.compiledDiagnostics = diagnostics;
    const t1 = performance.now();
    this.timings.compile = t1 - t0;
    this.timings.run = 0;
    if (!compiled) {
      this.stale = true;
      return { ran: false, fast: false };
    }
    this.compiled = compiled;
    this.base = this.model;
    this.pending.clear();
    this.sim = compiled.simulation({ prime: false });
    this.primed = false;
    this.sim.run();
    this.timings.run = performance.now() - t1;
    this.stale = false;
    return { ran: true, fast: false };
  }

  /**
   * The variables renamed between the version last saved (or opened) and the current one, as
   * [name then, name now] in display form: what a save must carry into the files that name them.
   * A variable renamed and renamed back is not in it; deleted variables are not either.
   */
  renamesSinceSaved(): [string, string][] {
    return this.renamesBetween(this.history.savedModel, this.model);
  }

  private renamesBetween(a: Model, b: Model): [string, string][] {
    const la = this.lineage.get(a) ?? new Map<string, string>();
    const lb = this.lineage.get(b) ?? new Map<string, string>();
    const nameNow = (l: ReadonlyMap<string, string>, origin: string) => {
      for (const [now, o] of l) if (o === origin) return now;
      return l.has(origin) ? undefined : origin;
    };
    const display = (m: Model, k: string) => {
      const v = m.variables.find((x) => key(x.name) === k);
      return v ? displayName(v.name) : undefined;
    };
    const out: [string, string][] = [];
    for (const origin of new Set([...la.values(), ...lb.values()])) {
      const na = nameNow(la, origin);
      const nb = nameNow(lb, origin);
      if (!na || !nb || na === nb) continue;
      const from = display(a, na);
      const to = display(b, nb);
      if (from && to) out.push([from, to]);
    }
    return out;
  }

  undo(): Outcome | undefined {
    return this.history.undo() ? this.recompile() : undefined;
  }

  redo(): Outcome | undefined {
    return this.history.redo() ? this.recompile() : undefined;
  }

  /** The current run's series of a variable (any spelling), or undefined. */
  series(name: string): Float64Array | undefined {
    try {
      return this.sim.series(name);
    } catch {
      return undefined;
    }
  }
}
