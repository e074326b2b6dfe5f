/**
 * The model open in the page: read and compiled here (the engine runs in the browser), with the
 * case data from the server and the levers derived from it.
 */
import { compileModel, readModel, type CompiledModel, type Diagnostic, type Model } from '../engine.js';
import type { CaseData, ModelDocument, ParameterSource } from './api.js';
import { canonicalName } from '../equations/names.js';

export interface Lever {
  /** Parameter name as the engine knows it. */
  name: string;
  value: number;
  min: number;
  max: number;
  step: number;
  units?: string;
  doc?: string;
  source?: ParameterSource;
}

export interface Workspace {
  doc: ModelDocument;
  model: Model;
  compiled: CompiledModel;
  caseData: CaseData | null;
  levers: Lever[];
  /** Outputs shown on the Simulate and Compare pages (user-chosen; defaults to the stocks). */
  shown: string[];
  /** Chart titles the case gives its outputs (case.json), by output name. */
  titles: Record<string, string>;
}

/** A name's lookup key: the engine's one rule (src/equations/names.ts). */
export const key = canonicalName;

export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message);
  }
}

const MAX_LEVERS = 40;
/** Vensim's run-control constants, kept by converted models: not something to slide. */
const CONTROL_NAMES = new Set(['time_step', 'initial_time', 'final_time', 'saveper']);

function stepFor(lo: number, hi: number): number {
  const span = hi - lo;
  if (!(span > 0)) return 1;
  return 10 ** Math.floor(Math.log10(span / 200));
}

export function openWorkspace(doc: ModelDocument): Workspace {
  const read = readModel(doc.text, { file: doc.file ?? doc.name });
  if (!read.model) throw new WorkspaceError('the model could not be read', read.diagnostics);
  const compiledResult = compileModel(read.model);
  if (!compiledResult.compiled)
    throw new WorkspaceError('the model does not compile', compiledResult.diagnostics);
  const compiled = compiledResult.compiled;
  const params = new Map(compiled.parameters.map((p) => [key(p.name), p]));
  const levers: Lever[] = [];
  const caseParams = doc.case?.parameters;
  const scenarioValues = new Map<string, number[]>();
  for (const sc of Object.values(doc.case?.scenarios ?? {})) {
    for (const [k, v] of Object.entries(sc?.overrides ?? {})) {
      if (typeof v === 'number' && Number.isFinite(v))
        scenarioValues.set(key(k), [...(scenarioValues.get(key(k)) ?? []), v]);
    }
  }
  if (caseParams && typeof caseParams === 'object') {
    for (const [name, src] of Object.entries(caseParams)) {
      const p = params.get(key(name));
      const r = src?.range;
      if (!p || !Array.isArray(r) || r.length !== 2 || !(r[0] < r[1])) continue;
      // The slider must also reach every value a scenario gives the parameter.
      const set = scenarioValues.get(key(name)) ?? [];
      const lo = Math.min(r[0], p.value, ...set);
      const hi = Math.max(r[1], p.value, ...set);
      levers.push({
        name: p.name,
        value: p.value,
        min: lo,
        max: hi,
        step: stepFor(lo, hi),
        units: p.units,
        doc: p.doc,
        source: src,
      });
    }
  }
  if (!levers.length) {
    // Other models: every constant, with a range around its value.
    for (const p of compiled.parameters) {
      if (p.kind !== 'constant' || levers.length >= MAX_LEVERS || CONTROL_NAMES.has(key(p.name))) continue;
      const lo = p.value === 0 ? 0 : Math.min(0, 2 * p.value);
      const hi = p.value === 0 ? 1 : Math.max(0, 2 * p.value);
      levers.push({
        name: p.name,
        value: p.value,
        min: lo,
        max: hi,
        step: stepFor(lo, hi),
        units: p.units,
        doc: p.doc,
      });
    }
  }
  // Charts: the ones the case chooses (case.json), else the model's stocks.
  const byKey = new Map(compiled.outputs.map((o) => [key(o.name), o.name]));
  const chosen = (doc.case?.definition?.charts ?? [])
    .map((c) => byKey.get(key(String(c?.variable ?? ''))))
    .filter((n): n is string => !!n);
  const stocks = compiled.outputs.filter((o) => o.kind === 'stock' && !o.subscript);
  const shown = chosen.length
    ? chosen.slice(0, 8)
    : (stocks.length ? stocks : compiled.outputs).slice(0, 6).map((o) => o.name);
  const titles: Record<string, string> = {};
  for (const c of doc.case?.definition?.charts ?? []) {
    const name = byKey.get(key(String(c?.variable ?? '')));
    if (name && c.title) titles[name] = c.title;
  }
  return { doc, model: read.model, compiled, caseData: doc.case, levers, shown, titles };
}

/** Claims (C1-C18 style ids) cited in a text. */
export { claimIds as claimsIn } from '../case/claims.js';
