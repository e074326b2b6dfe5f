/** The server's JSON API as the page sees it (see /api/openapi.json). */
import type { CaseAnswers } from '../case/answers.js';
import type { CaseForecasts } from '../case/analysis.js';

export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  line?: number;
  column?: number;
  variable?: string;
}

export interface Scenario {
  description?: string;
  overrides?: Record<string, number>;
}

export interface ParameterSource {
  kind?: 'sourced' | 'assumption' | string;
  source?: string;
  estimates?: string[];
  range?: [number, number];
  claims?: string[];
  [more: string]: unknown;
}

/** case.json: the question the case asks and how to present it. */
export interface CaseDefinition {
  title?: string;
  question?: string;
  baseline?: string;
  /** YYYY-MM-DD of the model's start time (calendar dates on the time axis). */
  startDate?: string;
  charts?: { variable: string; title?: string; units?: string }[];
  limitations?: unknown;
  /** Diagram sectors (src/case/definition.ts SectorDefinition). */
  sectors?: { name: string; prefixes?: string[]; variables?: string[] }[];
}

export interface CaseData {
  definition?: CaseDefinition;
  scenarios?: Record<string, Scenario>;
  parameters?: Record<string, ParameterSource>;
  loops?: unknown;
  evidence?: Record<string, unknown>;
  [problem: string]: unknown;
}

export interface ModelDocument {
  id: string;
  name: string;
  file: string | null;
  text: string;
  diagnostics: Diagnostic[];
  case: CaseData | null;
  /** An alternative's renamed variables: [name in the case model, name here]. */
  renamed?: [string, string][];
}

/** The header a save carries its renames in (src/server/save.ts). */
function renamedHeader(renamed: [string, string][]): Record<string, string> {
  return renamed.length ? { 'x-renamed': encodeURIComponent(JSON.stringify(renamed)) } : {};
}

export interface ModelList {
  models: { id: string; name: string; file?: string; alternativeOf?: string }[];
  files: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'interlock-token';

/**
 * The server's API token, when it needs one: read once from the address (`?token=`, as the
 * server prints it), kept for this tab, and removed from the address bar and history.
 */
function apiToken(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

const token = apiToken();

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    const headers = new Headers(init.headers);
    if (token) headers.set('x-interlock-token', token);
    res = await fetch(url, { ...init, headers });
  } catch {
    throw new ApiError(0, 'the workbench server is not reachable');
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; details?: string[] };
  if (!res.ok)
    throw new ApiError(res.status, body.error ?? `request failed (${res.status})`, body.details ?? []);
  return body as T;
}

export const api = {
  listModels: () => call<ModelList>('/api/models'),
  getModel: (id: string) => call<ModelDocument>(`/api/models/${encodeURIComponent(id)}`),
  openPath: (path: string) =>
    call<{ id: string; name: string }>('/api/models', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path }),
    }),
  upload: (name: string, text: string) =>
    call<{ id: string; name: string }>('/api/models', {
      method: 'POST',
      headers: { 'content-type': 'application/xml', 'x-model-name': name.replace(/[^\w .-]/g, '') },
      body: text,
    }),
  /** Write the edited model back to the file it was opened from. */
  /** Save back to the file; `renamed` (since the last save) updates a case folder's files. */
  saveModel: (id: string, text: string, renamed: [string, string][] = []) =>
    call<{ id: string; name: string; file: string; caseFiles?: string[] }>(
      `/api/models/${encodeURIComponent(id)}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/xml', ...renamedHeader(renamed) },
        body: text,
      },
    ),
  /** Save an edited copy as a named alternative of a case model (opened on the server). */
  saveAlternative: (id: string, name: string, text: string, renamed: [string, string][] = []) =>
    call<{ id: string; name: string; file: string; alternativeOf: string }>(
      `/api/models/${encodeURIComponent(id)}/alternatives`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/xml', 'x-alternative-name': name, ...renamedHeader(renamed) },
        body: text,
      },
    ),
  startExperiment: (body: object) =>
    call<{ id: string; total: number }>('/api/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  experiment: <T>(id: string) => call<T>(`/api/experiments/${encodeURIComponent(id)}`),
  experimentView: <T>(id: string, q: URLSearchParams) =>
    call<T>(`/api/experiments/${encodeURIComponent(id)}/view?${q.toString()}`),
  resultsView: <T>(path: string, q: URLSearchParams) => {
    const p = new URLSearchParams(q);
    p.set('path', path);
    return call<T>(`/api/results/view?${p.toString()}`);
  },
  folders: (model: string) =>
    call<{ specs: string[]; results: string[]; calibrations: string[] }>(
      `/api/folders?model=${encodeURIComponent(model)}`,
    ),
  calibration: <T>(path: string, asOf?: string) =>
    call<T>(`/api/calibration?path=${encodeURIComponent(path)}${asOf ? `&asof=${asOf}` : ''}`),
  /** The case's four answers from the calibrated ensemble (null: not a case with a thesis experiment). */
  answers: (model: string) =>
    call<{ answers: CaseAnswers | null }>(`/api/models/${encodeURIComponent(model)}/answers`),
  /** Q4's scored forecasts of the case (null: none computed). */
  forecasts: (model: string) =>
    call<{ forecasts: CaseForecasts | null; file?: string }>(
      `/api/models/${encodeURIComponent(model)}/forecasts`,
    ),
  stopExperiment: <T>(id: string) =>
    call<T>(`/api/experiments/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};
