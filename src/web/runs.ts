/** Saved runs live in the browser (localStorage), per model name: no server state to manage. */

export interface SavedRun {
  id: string;
  label: string;
  scenario: string;
  overrides: Record<string, number>;
  time: number[];
  series: Record<string, number[]>;
}

const MAX_RUNS = 20;
const storeKey = (model: string) => `interlock.runs.${model}`;

export function loadRuns(model: string): SavedRun[] {
  try {
    const raw = localStorage.getItem(storeKey(model));
    const list = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(list)
      ? (list as SavedRun[]).filter((r) => r && typeof r.id === 'string' && r.series)
      : [];
  } catch {
    return [];
  }
}

function store(model: string, runs: SavedRun[]): SavedRun[] {
  try {
    localStorage.setItem(storeKey(model), JSON.stringify(runs));
  } catch {
    // Storage full or disabled: the runs stay for this page view only.
  }
  return runs;
}

export function saveRun(model: string, run: SavedRun): SavedRun[] {
  return store(model, [...loadRuns(model), run].slice(-MAX_RUNS));
}

export function deleteRun(model: string, id: string): SavedRun[] {
  return store(
    model,
    loadRuns(model).filter((r) => r.id !== id),
  );
}
