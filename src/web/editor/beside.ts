/**
 * A structural alternative run beside the model it varies (Simulate and Compare): the page's
 * address names it (`&beside=ID`, an id from the server's model list), the page fetches and
 * compiles it once, and runs it with the same policy and lever values as the original.
 */
import { compileModel, readModel, type CompiledModel, type Simulation } from '../../engine.js';
import { api } from '../api.js';

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
        const compiled = read.model ? compileModel(read.model).compiled : undefined;
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
