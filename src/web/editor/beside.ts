/**
 * A structural alternative run beside the model it varies (Simulate and Compare): the page's
 * address names it (`&beside=ID`, an id from the server's model list), the page fetches and
 * compiles it once, and runs it with the same policy and lever values as the original. What the
 * alternative renamed is looked up under the original's names (`underCaseNames`).
 */
import { compileModel, readModel, type CompiledModel, type Results, type Simulation } from '../../engine.js';
import { canonicalName } from '../../equations/names.js';
import { api } from '../api.js';

/**
 * An alternative that renamed variables, seen under the case model's names (the names the
 * case's policies, levers and charts use): what the server keeps beside it (`renamed`).
 */
export function underCaseNames(compiled: CompiledModel, renamed: readonly [string, string][]): CompiledModel {
  if (!renamed.length) return compiled;
  const swap = (pairs: [string, string][]) => {
    const m = new Map(pairs.map(([a, b]) => [canonicalName(a), b]));
    return (n: string) => {
      const at = n.indexOf('[');
      const base = at < 0 ? n : n.slice(0, at);
      const to = m.get(canonicalName(base));
      return to === undefined ? n : to + (at < 0 ? '' : n.slice(at));
    };
  };
  const here = swap(renamed.map(([from, to]) => [from, to]));
  const there = swap(renamed.map(([from, to]) => [to, from]));
  const results = (r: Results): Results => ({
    names: r.names.map(there),
    time: r.time,
    columns: r.columns,
    column: (n) => r.column(here(n)),
  });
  const simulation = (sim: Simulation): Simulation => ({
    parameterIndex: (n) => sim.parameterIndex(here(n)),
    set: (i, v) => sim.set(i, v),
    clearOverrides: () => sim.clearOverrides(),
    setSeed: (seed) => sim.setSeed(seed),
    run: () => sim.run(),
    get time() {
      return sim.time;
    },
    series: (n) => sim.series(here(n)),
    results: () => results(sim.results()),
  });
  return {
    model: compiled.model,
    simSpecs: compiled.simSpecs,
    outputs: compiled.outputs.map((o) => ({ ...o, name: there(o.name), base: there(o.base) })),
    parameters: compiled.parameters.map((p) => ({ ...p, name: there(p.name) })),
    run: (o = {}) =>
      results(
        compiled.run({
          ...o,
          ...(o.overrides
            ? { overrides: Object.fromEntries(Object.entries(o.overrides).map(([k, v]) => [here(k), v])) }
            : {}),
          ...(o.vars ? { vars: o.vars.map(here) } : {}),
        }),
      ),
    simulation: (o = {}) =>
      simulation(compiled.simulation({ ...o, ...(o.vars ? { vars: o.vars.map(here) } : {}) })),
    source: compiled.source,
    graph: compiled.graph,
  };
}

export interface Alternative {
  id: string;
  label: string;
  compiled: CompiledModel;
}

const cache = new Map<string, Promise<Alternative | string>>();
const done = new Map<string, Alternative | string>();

/** The alternative if it has been loaded already (Compare renders synchronously). */
export function loadedAlternative(id: string): Alternative | string | undefined {
  return done.get(id);
}

/** The alternative the address asks for, if any. */
export function besideId(): string | undefined {
  return /[?&]beside=([a-z0-9-]{1,40})/.exec(location.hash)?.[1];
}

/** Fetch and compile an alternative once per page; a string says why it cannot run. */
export function loadAlternative(id: string): Promise<Alternative | string> {
  let p = cache.get(id);
  if (!p) {
    p = (async () => {
      try {
        const doc = await api.getModel(id);
        const read = readModel(doc.text, { file: doc.file ?? doc.name });
        const own = read.model ? compileModel(read.model).compiled : undefined;
        const compiled = own && underCaseNames(own, doc.renamed ?? []);
        const label = (doc.file ?? doc.name)
          .split('/')
          .pop()!
          .replace(/\.(xmile|stmx|xml)$/i, '');
        const out = compiled ? { id, label, compiled } : `the alternative ${doc.name} does not compile`;
        done.set(id, out);
        return out;
      } catch (err) {
        const out = `the alternative '${id}' could not be opened: ${(err as Error).message}`;
        done.set(id, out);
        return out;
      }
    })();
    cache.set(id, p);
  }
  return p;
}

/** Set what the alternative has of these overrides (names it lacks are left out) and run it. */
export function runWith(sim: Simulation, overrides: Iterable<[string, number]>): void {
  sim.clearOverrides();
  for (const [name, value] of overrides) {
    try {
      sim.set(sim.parameterIndex(name), value);
    } catch {
      // The alternative dropped or renamed this parameter: it keeps its own value.
    }
  }
  sim.run();
}

/**
 * A chooser of the alternatives the server lists for this model (`alternativeOf`), which sets
 * `&beside=ID` in the address; empty (hidden) when there are none.
 */
export function besidePicker(modelId: string, page: string): HTMLElement {
  const select = document.createElement('select');
  select.id = 'beside-pick';
  const label = document.createElement('label');
  label.htmlFor = 'beside-pick';
  label.textContent = 'Run beside ';
  const box = document.createElement('div');
  box.className = 'row';
  box.hidden = true;
  box.append(label, select);
  void api
    .listModels()
    .then((list) => {
      const alts = list.models.filter((m) => m.alternativeOf === modelId);
      if (!alts.length) return;
      const none = new Option('nothing (this model alone)', '');
      select.append(none, ...alts.map((m) => new Option((m.file ?? m.name).split('/').pop()!, m.id)));
      select.value = besideId() ?? '';
      box.hidden = false;
      select.addEventListener('change', () => {
        location.hash = `#/${page}?model=${modelId}${select.value ? `&beside=${select.value}` : ''}`;
      });
    })
    .catch(() => {
      // No list (server unreachable): nothing to choose from.
    });
  return box;
}
