/**
 * The workbench server: the built web app plus a JSON API (described by /api/openapi.json).
 * Plain node:http; every input is validated and bounded; file paths are confined to one root.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Budgets, Diagnostic } from '../engine.js';
import { describeModelText, type CheckOutcome, type ModelFacts } from './model-check.js';
import { backgroundThreads, runWorkerTask, TaskGate, type WorkerLimits } from './limits.js';
import {
  checkQuery,
  HttpError,
  parseJsonBody,
  readBody,
  sendBytes,
  sendError,
  sendJson,
  sendJsonText,
} from './http.js';
import { openApiDocument } from './openapi.js';
import { listFoldersWith, listModelFiles, MODEL_EXTENSIONS, resolveUnder } from './paths.js';
import type { ViewAnswer, ViewJob } from './view-worker.js';
import type { ViewOptions } from './results-view.js';
import {
  calibrationQuery,
  foldersQuery,
  MODEL_ID_PATTERN,
  noQuery,
  openModelRequest,
  resultsViewQuery,
  viewQuery,
} from './schema.js';
import { ExperimentService } from './experiments.js';
import { readCaseData } from './case.js';
import type { CaseAnswers } from '../case/case-answers.js';
import type { HeadlineOptions } from '../case/headline.js';
import { CASE_FILES, CASE_FORECASTS, readCaseForecasts, renameInCaseFolder } from '../case/load.js';
import { CaseError, formatIssue } from '../case/definition.js';
import { canonicalName } from '../equations/names.js';
import {
  alternativePath,
  atomicWrite,
  checkXmileShape,
  composeRenames,
  parseRenames,
  RENAMED_HEADER,
  renamesPath,
} from './save.js';
import { VERSION } from '../version.js';
import type { EvidenceStore } from '../store/store.js';

export interface ServerOptions {
  /** Model opened at start (a file, or a folder holding one). */
  model?: string;
  /** Folder that model paths from requests are resolved against. Default: the working directory. */
  root?: string;
  /** Folder of the built web app. Default: web-dist/ of this package. */
  webDir?: string;
  /**
   * SQLite evidence store: when given, the opened case model's evidence comes from it instead of
   * the evidence.json beside the model.
   */
  db?: string;
  modelBytes?: number;
  jsonBytes?: number;
  /**
   * Host names (and addresses) requests may be addressed to, besides loopback names when bound
   * to loopback and the bound address itself. Off loopback this is the DNS-rebinding guard.
   */
  allowHosts?: string[];
  /**
   * The API token clients must send (header `x-interlock-token`). Off loopback one is generated
   * when none is given; on loopback none is required unless given.
   */
  token?: string;
  /** Budgets for models opened and experiments run by this server. */
  budgets?: Partial<Budgets>;
  /** Limits of the worker that checks an uploaded or opened model. */
  modelLimits?: WorkerLimits;
  /** Limits of the worker that runs one experiment. */
  experimentLimits?: WorkerLimits;
  /**
   * The opened case's answers, already computed by the caller (`npm start` prints them first),
   * so the Answers page need not compute them again. Otherwise the first request computes them.
   */
  answers?: CaseAnswers;
  /** The ensemble the answers are computed over (default: the headline's, as npm start prints). */
  answerOptions?: HeadlineOptions;
  /**
   * Start computing the opened case's answers as soon as the server listens (in a worker), so the
   * Answers page, the landing page, is ready sooner. `interlock serve` asks for it.
   */
  precomputeAnswers?: boolean;
}

export const DEFAULT_MODEL_LIMITS: WorkerLimits = { memoryMb: 512, timeoutMs: 20_000 };
export const DEFAULT_EXPERIMENT_LIMITS: WorkerLimits = { memoryMb: 1024, timeoutMs: 600_000 };

export interface OpenModel {
  id: string;
  name: string;
  /** Root-relative path when read from a file (absent for uploads). */
  file?: string;
  text: string;
  diagnostics: Diagnostic[];
  /** The folder whose case files (scenarios.json, ...) belong to this model. */
  dir?: string;
  /** Parameters, outputs and run settings, found when it was checked. */
  facts: ModelFacts;
  /** For a named alternative saved from the editor: the id of the model it varies. */
  alternativeOf?: string;
  /** The served document as JSON, kept while its case data is the same (cached) object. */
  served?: { caseData: object | null; renamed?: string; json: string };
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_OPEN_MODELS = 32;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** Find the model file of a path given on the command line: the file itself, or the one in a folder. */
export function locateModel(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`no such model file or folder: ${path}`);
  if (!statSync(full).isDirectory()) return full;
  const preferred = join(full, 'model.xmile');
  if (existsSync(preferred)) return preferred;
  const found = listModelFiles(full, 0, 1);
  if (!found.length) throw new Error(`no .xmile or .stmx model in ${path}`);
  return join(full, found[0]!);
}

/** A check's outcome as the model's name and facts, or the HTTP error a client gets. */
function acceptChecked(outcome: CheckOutcome, file?: string): { name: string; facts: ModelFacts } {
  if (!outcome.ok) throw new HttpError(outcome.status, outcome.message, outcome.details);
  const name = outcome.name || (file ? basename(file).replace(/\.[^.]+$/, '') : 'uploaded model');
  const { ok: _ok, ...facts } = outcome;
  return { name, facts };
}

/**
 * Check a model's text with the engine on this thread (the model the operator opens at start).
 * Errors become a 422 with located messages.
 */
export function checkModelText(
  text: string,
  file?: string,
  budgets?: Partial<Budgets>,
): { name: string; diagnostics: Diagnostic[]; facts: ModelFacts } {
  const { name, facts } = acceptChecked(describeModelText(text, file, budgets), file);
  return { name, diagnostics: facts.diagnostics, facts };
}

/** Addresses that mean "every interface". */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** Is `host` a loopback address or name (127/8, ::1, localhost, IPv4-mapped 127/8)? */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The address to bind, checked: an empty host, or one that only looks like a name but would be
 * read as a wildcard or a number (`0`, `0x0`, `::0`), is refused; `0.0.0.0` and `::` are
 * accepted spelled out. Returns a message when the host is refused.
 */
export function checkBindHost(host: string): string | undefined {
  const h = host.trim();
  if (h === '') return '--host is empty; give an address (127.0.0.1 by default, 0.0.0.0 for every interface)';
  if (h !== host) return `--host '${host}' has surrounding spaces`;
  if (WILDCARDS.has(h)) return undefined;
  const ip = isIP(h.replace(/^\[|\]$/g, ''));
  if (ip === 6 && /^[0:[\]]+$/.test(h))
    return `--host '${host}' is a wildcard address; write it as :: if you mean every interface`;
  if (ip === 4 && h.split('.').every((p) => Number(p) === 0))
    return `--host '${host}' is a wildcard address; write it as 0.0.0.0`;
  if (ip === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(h))
    return `--host '${host}' is neither an IP address nor a host name`;
  if (ip === 0 && /^(0x[0-9a-f]+|\d+)$/i.test(h))
    return `--host '${host}' looks like a number, which the system may read as an address; spell the address out (e.g. 0.0.0.0 or 127.0.0.1)`;
  return undefined;
}

function viewOptions(q: {
  where?: string;
  policy?: string;
  satisfice?: string;
  regret?: string;
  alpha?: string;
}): ViewOptions {
  return {
    where: q.where,
    policy: q.policy || undefined,
    satisfice: q.satisfice,
    regret: q.regret || undefined,
    alpha: q.alpha === undefined ? undefined : Number(q.alpha),
  };
}

/** The Host header without its port, lower case, brackets kept off IPv6 literals. */
function hostOfHeader(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  return h.replace(/:\d+$/, '');
}

export class Workbench {
  readonly root: string;
  readonly webDir: string;
  readonly modelBytes: number;
  readonly jsonBytes: number;
  readonly models = new Map<string, OpenModel>();
  readonly experiments: ExperimentService;
  /** Set by startServer when it binds a loopback address (see checkHost). */
  loopbackOnly = false;
  /** Host names requests may be addressed to (lower case, no port); set by startServer. */
  allowedHosts = new Set<string>(['localhost', '127.0.0.1', '::1']);
  /** The API token clients must send, when one is required. */
  token?: string;
  private readonly checks: TaskGate;
  private readonly modelLimits: WorkerLimits;
  /** Opened by startServer when `db` is given. */
  evidenceStore?: EvidenceStore;
  private counter = 0;
  /** Each case model's answers, computed once per state of the files they come from. */
  private readonly answers = new Map<string, { key: string; value: Promise<unknown> }>();
  private readonly caseData = new Map<string, { key: string; text: string; value: object | null }>();
  private openApiText?: string;
  private filesListed?: { at: number; files: string[] };

  constructor(readonly options: ServerOptions = {}) {
    this.root = resolve(options.root ?? process.cwd());
    this.webDir = resolve(options.webDir ?? join(PACKAGE_ROOT, 'web-dist'));
    this.modelBytes = options.modelBytes ?? 4 * 1024 * 1024;
    this.jsonBytes = options.jsonBytes ?? 64 * 1024;
    this.modelLimits = options.modelLimits ?? DEFAULT_MODEL_LIMITS;
    this.checks = new TaskGate(backgroundThreads(), 32);
    this.experiments = new ExperimentService((id) => this.models.get(id), {
      limits: options.experimentLimits ?? DEFAULT_EXPERIMENT_LIMITS,
      concurrency: backgroundThreads(),
      budgets: options.budgets,
      root: this.root,
    });
    this.token = options.token;
    if (options.model) this.openFile(locateModel(options.model), 'default');
    const m = this.models.get('default');
    if (m && options.answers)
      this.answers.set('default', { key: this.answersKey(m), value: Promise.resolve(options.answers) });
  }

  /**
   * A model's case files as the page reads them, read and checked once per state of the files
   * (by date and size), since every page load asks for them.
   */
  private caseDataOf(
    m: OpenModel,
    facts: Parameters<typeof readCaseData>[1] = m.facts,
    renames = '',
  ): object | null {
    const key = m.dir
      ? [...Object.values(CASE_FILES), m.file ? basename(m.file) : '']
          .map((f) => {
            const full = join(m.dir!, f);
            if (!existsSync(full)) return '-';
            const st = statSync(full);
            return `${st.mtimeMs}:${st.size}`;
          })
          .join('|') + `#${m.text.length}#${renames}`
      : '';
    const known = this.caseData.get(m.id);
    if (known && known.key === key && known.text === m.text) return known.value;
    const value = readCaseData(m.dir, facts, this.root);
    this.caseData.set(m.id, { key, text: m.text, value });
    return value;
  }

  /** What a case model's answers depend on: the files loadCase and the headline read, by date and size. */
  private answersKey(m: OpenModel): string {
    if (!m.dir) return '';
    const files = [
      ...Object.values(CASE_FILES),
      CASE_FORECASTS,
      'calibration.json',
      'calibration/posterior.json',
      'experiments/thesis.json',
    ];
    return files
      .map((f) => {
        const full = join(m.dir!, f);
        if (!existsSync(full)) return '-';
        const st = statSync(full);
        return `${st.mtimeMs}:${st.size}`;
      })
      .join('|');
  }

  /** Start computing a case model's answers now; a failure is reported when the page asks. */
  warmAnswers(m: OpenModel): void {
    this.caseAnswers(m).catch(() => undefined);
  }

  /**
   * A case model's four answers (src/case/case-answers.ts), computed in a worker the first time
   * and kept while the files they come from are unchanged; null for a model without a case
   * folder and thesis experiment.
   */
  private caseAnswers(m: OpenModel): Promise<unknown> {
    const isCase =
      m.dir !== undefined &&
      m.file !== undefined &&
      basename(m.file) === CASE_FILES.model &&
      existsSync(join(m.dir, CASE_FILES.case)) &&
      existsSync(join(m.dir, 'experiments', 'thesis.json'));
    if (!isCase) return Promise.resolve(null);
    const key = this.answersKey(m);
    const known = this.answers.get(m.id);
    if (known && known.key === key) return known.value;
    const value = this.view({ kind: 'answers', dir: m.dir!, options: this.options.answerOptions });
    // A failure is not kept: the next request tries again.
    value.catch(() => this.answers.delete(m.id));
    this.answers.set(m.id, { key, value });
    return value;
  }

  /** Model files under the root, listed again at most once a second (and after each save). */
  private modelFiles(): string[] {
    const now = performance.now();
    if (!this.filesListed || now - this.filesListed.at > 1000)
      this.filesListed = { at: now, files: listModelFiles(this.root) };
    return this.filesListed.files;
  }

  /** Open a model file given by the operator at start (checked on this thread). */
  openFile(full: string, id?: string): OpenModel {
    const { text, shown } = this.readModelFile(full);
    const checked = checkModelText(text, shown, this.options.budgets);
    return this.register({
      id,
      name: checked.name,
      file: shown,
      text,
      diagnostics: checked.diagnostics,
      dir: dirname(full),
      facts: checked.facts,
    });
  }

  private readModelFile(full: string): { text: string; shown: string } {
    if (statSync(full).size > this.modelBytes) throw new HttpError(413, 'model file too large');
    const text = readFileSync(full, 'utf8');
    const rel = relative(this.root, full).split(sep).join('/');
    return { text, shown: rel.startsWith('..') ? basename(full) : rel };
  }

  /** Check a model's text in a worker thread under the model limits (requests). */
  async checkInWorker(text: string, file?: string): Promise<{ name: string; facts: ModelFacts }> {
    const outcome = await this.checks.run(() =>
      runWorkerTask<CheckOutcome>(
        new URL('./model-worker.js', import.meta.url),
        { text, file, budgets: this.options.budgets },
        this.modelLimits,
        'checking the model',
      ),
    );
    return acceptChecked(outcome, file);
  }

  /** Open a model file named in a request: read here, checked in a worker. */
  async openFileFromRequest(full: string): Promise<OpenModel> {
    const { text, shown } = this.readModelFile(full);
    const { name, facts } = await this.checkInWorker(text, shown);
    return this.register({
      name,
      file: shown,
      text,
      diagnostics: facts.diagnostics,
      dir: dirname(full),
      facts,
    });
  }

  register(m: Omit<OpenModel, 'id'> & { id?: string }): OpenModel {
    const id = m.id ?? `m${++this.counter}`;
    const model: OpenModel = { ...m, id };
    this.models.set(id, model);
    if (this.models.size > MAX_OPEN_MODELS) {
      for (const key of this.models.keys()) {
        if (key !== 'default') {
          this.models.delete(key);
          this.caseData.delete(key);
          this.answers.delete(key);
          break;
        }
      }
    }
    return model;
  }

  handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) sendError(res, err);
      else {
        // Log for the operator; the client gets a plain message and no stack.
        process.stderr.write(`interlock serve: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
        if (!res.headersSent) sendError(res, new HttpError(500, 'internal error'));
        else res.end();
      }
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'malformed request URL');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    this.checkHost(req);
    if (!path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      return this.serveStatic(path, res);
    }
    this.checkToken(req);
    if (path === '/api/openapi.json' && method === 'GET') {
      checkQuery(url.searchParams, noQuery);
      this.openApiText ??= JSON.stringify(
        openApiDocument({ modelBytes: this.modelBytes, jsonBytes: this.jsonBytes }),
      );
      return sendJsonText(res, 200, this.openApiText);
    }
    if (path === '/api/health' && method === 'GET') {
      return sendJson(res, 200, {
        ok: true,
        version: VERSION,
        db: this.options.db ? basename(this.options.db) : null,
      });
    }
    if (path === '/api/models' && method === 'GET') {
      checkQuery(url.searchParams, noQuery);
      return sendJson(res, 200, {
        models: [...this.models.values()].map(({ id, name, file, alternativeOf }) => ({
          id,
          name,
          file,
          ...(alternativeOf ? { alternativeOf } : {}),
        })),
        files: this.modelFiles(),
      });
    }
    if (path === '/api/models' && method === 'POST') return this.postModel(req, res);
    const modelMatch = /^\/api\/models\/([^/]+)$/.exec(path);
    if (modelMatch && method === 'GET') {
      const id = decodePathPart(modelMatch[1]!, 'model id');
      if (!MODEL_ID_PATTERN.test(id)) throw new HttpError(400, 'malformed model id');
      const m = this.models.get(id);
      if (!m) throw new HttpError(404, `no open model '${id}'`);
      const renamed = this.alternativeRenames(m);
      // An alternative's parameters under the original's names, as the case files name them.
      const back = new Map(renamed.map(([from, to]) => [canonicalName(to), from]));
      const known = renamed.length
        ? { parameters: m.facts.parameters.map((p) => ({ name: back.get(canonicalName(p.name)) ?? p.name })) }
        : m.facts;
      let caseData: object | null = this.caseDataOf(m, known, JSON.stringify(renamed));
      if (this.evidenceStore && m.id === 'default') {
        caseData = { ...(caseData ?? {}), evidence: await this.evidenceStore.exportDocument() };
      }
      // The same case data (its cached object) and renames give the same text: serialised once.
      const renamedKey = JSON.stringify(renamed);
      if (m.served?.caseData !== caseData || m.served.renamed !== renamedKey) {
        const json = JSON.stringify({
          id: m.id,
          name: m.name,
          file: m.file ?? null,
          text: m.text,
          diagnostics: m.diagnostics,
          case: caseData,
          ...(renamed.length ? { renamed } : {}),
        });
        m.served = { caseData, renamed: renamedKey, json };
      }
      return sendJsonText(res, 200, m.served.json);
    }
    if (modelMatch && method === 'PUT') return this.saveModel(req, res, modelMatch[1]!);
    const caseMatch = /^\/api\/models\/([^/]+)\/(answers|forecasts)$/.exec(path);
    if (caseMatch && method === 'GET') {
      checkQuery(url.searchParams, noQuery);
      const m = this.openModelById(caseMatch[1]!);
      if (caseMatch[2] === 'answers') return sendJson(res, 200, { answers: await this.caseAnswers(m) });
      // Q4's scored forecasts, read through src/case (null when the case has none).
      const file = m.dir ? join(m.dir, CASE_FORECASTS) : undefined;
      if (!file || !existsSync(file)) return sendJson(res, 200, { forecasts: null });
      try {
        return sendJson(res, 200, {
          file: relative(this.root, file).split(sep).join('/'),
          forecasts: readCaseForecasts(file),
        });
      } catch (err) {
        if (!(err instanceof CaseError)) throw err;
        throw new HttpError(
          422,
          'the case forecasts file is wrong',
          err.issues.map((i) => formatIssue({ ...i, file: relative(this.root, i.file) || i.file })),
        );
      }
    }
    const altMatch = /^\/api\/models\/([^/]+)\/alternatives$/.exec(path);
    if (altMatch && method === 'POST') return this.saveAlternative(req, res, altMatch[1]!);
    if (path === '/api/experiments' && method === 'POST') {
      requireJson(req);
      const body = await readBody(req, this.jsonBytes);
      return sendJson(res, 202, this.experiments.start(body));
    }
    const viewMatch = /^\/api\/experiments\/([^/]+)\/view$/.exec(path);
    if (viewMatch && method === 'GET') {
      const q = checkQuery(url.searchParams, viewQuery);
      const dir = this.experiments.resultsOf(decodePathPart(viewMatch[1]!, 'experiment id'));
      return sendJson(res, 200, await this.view({ kind: 'explore', dir, options: viewOptions(q) }));
    }
    if (path === '/api/results/view' && method === 'GET') {
      const q = checkQuery(url.searchParams, resultsViewQuery);
      const dir = resolveUnder(this.root, q.path!);
      if (!dir) throw new HttpError(403, 'that folder is outside the folder this server may read');
      if (!existsSync(join(dir, 'metadata.json')))
        throw new HttpError(
          404,
          `${q.path}: not an experiment results folder (no metadata.json; write one with interlock explore SPEC --out DIR)`,
        );
      return sendJson(res, 200, await this.view({ kind: 'explore', dir, options: viewOptions(q) }));
    }
    if (path === '/api/calibration' && method === 'GET') {
      const q = checkQuery(url.searchParams, calibrationQuery);
      const dir = resolveUnder(this.root, q.path!);
      if (!dir) throw new HttpError(403, 'that folder is outside the folder this server may read');
      if (!existsSync(dir)) throw new HttpError(404, `${q.path}: no such folder`);
      return sendJson(res, 200, await this.view({ kind: 'calibration', root: this.root, dir, asOf: q.asof }));
    }
    if (path === '/api/folders' && method === 'GET') {
      const q = checkQuery(url.searchParams, foldersQuery);
      const m = this.models.get(q.model!);
      if (!m) throw new HttpError(404, `no open model '${q.model}'`);
      const caseDir = m.dir ? relative(this.root, m.dir).split(sep).join('/') : undefined;
      const inCase = (sub: string) =>
        caseDir !== undefined && !caseDir.startsWith('..') ? [`${caseDir || '.'}/${sub}`] : [];
      const specs = inCase('experiments').flatMap((d) => {
        const full = resolveUnder(this.root, d);
        if (!full || !existsSync(full)) return [];
        return readdirSync(full)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => `${d}/${f}`.replace(/^\.\//, ''));
      });
      return sendJson(res, 200, {
        specs,
        results: listFoldersWith(this.root, ['out', 'runs'], ['metadata.json']),
        calibrations: listFoldersWith(
          this.root,
          [...inCase('calibration'), 'out'],
          ['sequence.json', 'summary.json'],
        ),
      });
    }
    const expMatch = /^\/api\/experiments\/([^/]+)$/.exec(path);
    if (expMatch && method === 'GET') {
      return sendJson(res, 200, this.experiments.status(decodePathPart(expMatch[1]!, 'experiment id')));
    }
    if (expMatch && method === 'DELETE') {
      return sendJson(res, 200, this.experiments.cancel(decodePathPart(expMatch[1]!, 'experiment id')));
    }
    if (
      [
        '/api/models',
        '/api/experiments',
        '/api/openapi.json',
        '/api/health',
        '/api/results/view',
        '/api/calibration',
        '/api/folders',
      ].includes(path) ||
      modelMatch ||
      caseMatch ||
      viewMatch ||
      altMatch ||
      expMatch
    ) {
      throw new HttpError(405, 'method not allowed');
    }
    throw new HttpError(404, `no such API endpoint: ${path}`);
  }

  /** A folder's view for a page, read and analysed in a worker under the experiment limits. */
  private async view(job: ViewJob): Promise<unknown> {
    const answer = await this.checks.run(() =>
      runWorkerTask<ViewAnswer>(
        new URL('./view-worker.js', import.meta.url),
        job,
        this.options.experimentLimits ?? DEFAULT_EXPERIMENT_LIMITS,
        'reading the folder',
      ),
    );
    if (!answer.ok) throw new HttpError(400, answer.message.split(this.root + sep).join(''));
    return answer.view;
  }

  private async postModel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/json') {
      const body = parseJsonBody(await readBody(req, this.jsonBytes), openModelRequest);
      const full = resolveUnder(this.root, body.path);
      if (!full) throw new HttpError(403, 'that path is outside the folder this server may read');
      if (!MODEL_EXTENSIONS.includes(extname(full).toLowerCase())) {
        throw new HttpError(400, `not a model file (expected ${MODEL_EXTENSIONS.join(', ')})`);
      }
      if (!existsSync(full) || !statSync(full).isFile())
        throw new HttpError(404, `no such model file: ${body.path}`);
      const m = await this.openFileFromRequest(full);
      return sendJson(res, 201, { id: m.id, name: m.name, file: m.file, diagnostics: m.diagnostics });
    }
    // Not text/plain: a cross-site form could send that without a CORS preflight.
    if (['application/xml', 'text/xml', 'application/octet-stream'].includes(type)) {
      const text = await readBody(req, this.modelBytes);
      if (!text.trim()) throw new HttpError(400, 'empty model');
      const nameHeader = String(req.headers['x-model-name'] ?? '')
        .slice(0, 200)
        .replace(/[^\w .-]/g, '');
      const checked = await this.checkInWorker(text, nameHeader || undefined);
      const m = this.register({
        name: checked.name,
        text,
        diagnostics: checked.facts.diagnostics,
        facts: checked.facts,
      });
      return sendJson(res, 201, { id: m.id, name: m.name, diagnostics: m.diagnostics });
    }
    throw new HttpError(415, 'send XMILE as application/xml, or {"path": ...} as application/json');
  }

  /** What an alternative renamed, [name in the case model, its name here]; empty for others. */
  private alternativeRenames(m: OpenModel): [string, string][] {
    if (!m.alternativeOf || !m.file) return [];
    const full = resolveUnder(this.root, m.file);
    const file = full && renamesPath(full);
    if (!file || !existsSync(file)) return [];
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { renamed?: unknown };
      return parseRenames(encodeURIComponent(JSON.stringify(json.renamed ?? [])));
    } catch {
      throw new HttpError(422, `${relative(this.root, file)} is not a list of renames`);
    }
  }

  /** An open model named in a request path. */
  private openModelById(part: string): OpenModel {
    const id = decodePathPart(part, 'model id');
    if (!MODEL_ID_PATTERN.test(id)) throw new HttpError(400, 'malformed model id');
    const m = this.models.get(id);
    if (!m) throw new HttpError(404, `no open model '${id}'`);
    return m;
  }

  /** An edited model's XMILE from a request: size-limited, XMILE-shaped, reads and compiles. */
  private async checkedXmile(
    req: IncomingMessage,
    file: string,
  ): Promise<{ text: string; facts: ModelFacts; name: string }> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/xml' && type !== 'text/xml')
      throw new HttpError(415, 'send the model as application/xml');
    const text = await readBody(req, this.modelBytes);
    checkXmileShape(text);
    const { name, facts } = await this.checkInWorker(text, file);
    return { text, facts, name };
  }

  /** PUT /api/models/{id}: write the edited model back to the file it was opened from. */
  private async saveModel(req: IncomingMessage, res: ServerResponse, part: string): Promise<void> {
    const m = this.openModelById(part);
    if (!m.file || !m.dir)
      throw new HttpError(409, 'this model was uploaded, not opened from a file: download it instead');
    const full = resolveUnder(this.root, m.file);
    if (!full || basename(full) !== basename(m.file))
      throw new HttpError(403, 'that file is outside the folder this server may write');
    if (!['.xmile', '.stmx', '.xml'].includes(extname(full).toLowerCase()))
      throw new HttpError(409, 'only XMILE files are written back; download this model as XMILE instead');
    const renames = parseRenames(req.headers[RENAMED_HEADER]);
    const { text, facts, name } = await this.checkedXmile(req, m.file);
    checkRenamedTo(renames, facts);
    // The case model of a case folder: the folder's files that name a renamed variable follow
    // (src/case/rename.ts). Every new text is made before anything is written. An alternative's
    // own file is not the case model: the case files describe the original and stay.
    const isCaseModel = !m.alternativeOf && !!m.dir && dirname(full) === resolve(m.dir);
    let caseFiles: { file: string; path: string; text: string }[] = [];
    if (renames.length && isCaseModel) {
      try {
        caseFiles = renameInCaseFolder(m.dir!, renames);
      } catch (err) {
        if (!(err instanceof CaseError)) throw err;
        throw new HttpError(
          422,
          'the case files could not be updated for the renames; nothing was saved',
          err.issues.map((i) => formatIssue({ ...i, file: relative(this.root, i.file) || i.file })),
        );
      }
    }
    // An alternative saved over itself: its renames relative to the case model follow.
    const sidecar =
      renames.length && m.alternativeOf ? composeRenames(this.alternativeRenames(m), renames) : undefined;
    // Each file is replaced whole (a crash leaves every file either old or new); the model first.
    atomicWrite(full, text);
    for (const f of caseFiles) atomicWrite(f.path, f.text);
    if (sidecar) {
      if (sidecar.length)
        atomicWrite(renamesPath(full), JSON.stringify({ renamed: sidecar }, null, 2) + '\n');
      else rmSync(renamesPath(full), { force: true });
    }
    this.filesListed = undefined;
    Object.assign(m, { text, diagnostics: facts.diagnostics, facts, name, served: undefined });
    return sendJson(res, 200, {
      id: m.id,
      name: m.name,
      file: m.file,
      diagnostics: m.diagnostics,
      caseFiles: caseFiles.map((f) => f.file),
    });
  }

  /**
   * POST /api/models/{id}/alternatives (header x-alternative-name): save an edited copy of a case
   * model as `alternatives/NAME.xmile` in its folder and open it, linked to the original.
   */
  private async saveAlternative(req: IncomingMessage, res: ServerResponse, part: string): Promise<void> {
    const m = this.openModelById(part);
    const base = m.alternativeOf ? (this.models.get(m.alternativeOf) ?? m) : m;
    if (!base.dir || !base.file)
      throw new HttpError(409, 'alternatives belong to a model opened from a case folder');
    const altName = String(req.headers['x-alternative-name'] ?? '');
    const target = alternativePath(base.dir, altName);
    const rel = relative(this.root, target).split(sep).join('/');
    if (!resolveUnder(this.root, rel))
      throw new HttpError(403, 'that folder is outside the one this server may write');
    const renames = parseRenames(req.headers[RENAMED_HEADER]);
    const { text, facts, name } = await this.checkedXmile(req, rel);
    checkRenamedTo(renames, facts);
    atomicWrite(target, text);
    // The case files name the original's variables; what the alternative renamed is kept beside
    // it, so that it runs with the case's policies under its own names.
    const renamesFile = renamesPath(target);
    if (renames.length) atomicWrite(renamesFile, JSON.stringify({ renamed: renames }, null, 2) + '\n');
    else rmSync(renamesFile, { force: true });
    this.filesListed = undefined;
    const id = `${base.id}-${altName}`.slice(0, 40);
    const alt = this.register({
      id,
      name: `${name} (${altName})`,
      file: rel,
      text,
      diagnostics: facts.diagnostics,
      dir: base.dir,
      facts,
      alternativeOf: base.id,
    });
    return sendJson(res, 201, { id: alt.id, name: alt.name, file: alt.file, alternativeOf: base.id });
  }

  /**
   * Answer only requests addressed to an allowed host name, so that a web page elsewhere cannot
   * reach the API through DNS rebinding (on loopback and off it).
   */
  private checkHost(req: IncomingMessage): void {
    const host = hostOfHeader(String(req.headers.host ?? ''));
    if (!this.allowedHosts.has(host)) {
      throw new HttpError(
        403,
        `this server answers only requests addressed to ${[...this.allowedHosts].join(', ')}` +
          (this.loopbackOnly ? '' : ' (add names with --allow-host)'),
      );
    }
  }

  /** The API token, when one is required: header `x-interlock-token` (or `Authorization: Bearer`). */
  private checkToken(req: IncomingMessage): void {
    if (!this.token) return;
    const auth = String(req.headers.authorization ?? '');
    const given = String(
      req.headers['x-interlock-token'] ?? (auth.startsWith('Bearer ') ? auth.slice(7) : ''),
    );
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new HttpError(
        401,
        'this server needs its API token (header x-interlock-token); open the URL it printed',
      );
    }
  }

  private serveStatic(path: string, res: ServerResponse): void {
    if (!existsSync(join(this.webDir, 'index.html'))) {
      throw new HttpError(503, 'the web app is not built: run `npm run build` first');
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw new HttpError(400, 'malformed path');
    }
    const rel = decoded.replace(/^\/+/, '') || 'index.html';
    const full = resolveUnder(this.webDir, rel);
    if (!full) throw new HttpError(403, 'forbidden');
    let file = full;
    if (!existsSync(file) || !statSync(file).isFile()) {
      // Unknown asset: 404. Anything else (a page address): the app shell.
      if (rel.startsWith('assets/') || extname(rel)) throw new HttpError(404, 'not found');
      file = join(this.webDir, 'index.html');
    }
    const hashed = file.includes(`${sep}assets${sep}`);
    sendBytes(res, 200, readFileSync(file), CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', {
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(extname(file) === '.html'
        ? {
            'content-security-policy':
              "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
          }
        : {}),
    });
  }
}

function decodePathPart(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `malformed ${what} (bad percent-encoding)`);
  }
}

function requireJson(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'send the request as application/json');
}

/** The address given to bind is refused (see checkBindHost). */
export class BindHostError extends Error {
  override name = 'BindHostError';
}

export interface RunningServer {
  server: Server;
  workbench: Workbench;
  url: string;
  /** The API token clients must send, when one is required. */
  token?: string;
  close(): Promise<void>;
}

/** Start the server; resolves once it listens. Port 0 picks a free port. */
export async function startServer(
  options: ServerOptions & { port?: number; host?: string },
): Promise<RunningServer> {
  const workbench = new Workbench(options);
  const first = workbench.models.get('default');
  if (options.precomputeAnswers && first) workbench.warmAnswers(first);
  if (options.db) {
    // Loaded only when asked for: the store needs the native SQLite module (or pg).
    const { openEvidenceStore } = await import('../store/open.js');
    workbench.evidenceStore = await openEvidenceStore(options.db, { mustExist: true });
  }
  const host = options.host ?? '127.0.0.1';
  const refused = checkBindHost(host);
  if (refused) throw new BindHostError(refused);
  workbench.loopbackOnly = isLoopbackHost(host);
  // Loopback names are safe to allow everywhere (a rebinding page uses its own domain name), and
  // so is this machine's own name when every interface is bound.
  const allowed = new Set<string>(['localhost', '127.0.0.1', '::1']);
  if (WILDCARDS.has(host)) allowed.add(hostname().toLowerCase());
  if (!WILDCARDS.has(host)) allowed.add(host.toLowerCase().replace(/^\[|\]$/g, ''));
  for (const h of options.allowHosts ?? []) allowed.add(h.toLowerCase().replace(/^\[|\]$/g, ''));
  workbench.allowedHosts = allowed;
  if (!workbench.loopbackOnly && !workbench.token) workbench.token = randomBytes(24).toString('base64url');
  const server = createServer(workbench.handler);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4321, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : options.port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolveStart({
        server,
        workbench,
        url: `http://${shownHost}:${port}/`,
        token: workbench.token,
        close: () =>
          new Promise<void>((done) => {
            workbench.experiments.stopAll();
            server.closeAllConnections();
            server.close(() => {
              // Kept results of spec experiments go after the workers have had their moment.
              setTimeout(() => workbench.experiments.removeResults(), 2500).unref();
              if (workbench.evidenceStore) void workbench.evidenceStore.close().then(done, done);
              else done();
            });
          }),
      });
    });
  });
}

/** Every new name a save's renames give must be a variable of the model saved. */
function checkRenamedTo(renames: readonly [string, string][], facts: ModelFacts): void {
  const known = new Set(facts.outputs.map((o) => canonicalName(o.name.replace(/\[.*$/, ''))));
  const missing = renames.filter(([, to]) => !known.has(canonicalName(to))).map(([, to]) => to);
  if (missing.length)
    throw new HttpError(
      422,
      `${RENAMED_HEADER} names variables the model does not have: ${missing.slice(0, 5).join(', ')}`,
    );
}
