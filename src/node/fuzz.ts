/**
 * Seeded fuzzing of every parser a user or a client can reach: XMILE and Vensim models (read,
 * compile, a short run), equations, experiment and calibration specs, evidence files, and API
 * bodies and query strings through the server's own checks (no key may reach Object.prototype). Cases run in a worker
 * thread watched by the caller, so a case that hangs is counted and skipped rather than stopping
 * the run. The same seed gives the same cases. `npm run fuzz -- --cases N` for long runs; a
 * bounded sample runs in `npm test`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { compileModel, readModel } from '../engine.js';
import { parseEquation } from '../equations/parser.js';
import { parseEvidenceJson, serializeEvidence } from '../evidence/data.js';
import { sampleDocument } from '../evidence/testing-fixtures.js';
import { parseSpec, SpecError } from '../experiments/spec.js';
import { ModelError } from '../model/errors.js';
import { parseCalibrationSpec } from '../calibrate/spec.js';
import { HttpError, checkQuery, parseJsonBody } from '../server/http.js';
import {
  calibrationQuery,
  experimentRequest,
  foldersQuery,
  openModelRequest,
  resultsViewQuery,
  viewQuery,
} from '../server/schema.js';
import { startModuleWorker } from './workers.js';

export const TARGETS = ['xmile', 'equation', 'spec', 'evidence', 'api', 'vensim', 'calibration'] as const;
export type Target = (typeof TARGETS)[number];

export interface FuzzReport {
  cases: number;
  seed: number;
  perTarget: Record<Target, number>;
  /** Cases that threw where the code promises a value (or its own error type). */
  crashes: { target: Target; index: number; message: string; input: string }[];
  /** Cases that took longer than the hang limit (the worker was ended and restarted). */
  hangs: { index: number; ms: number }[];
  /** Cases after which the worker's resident memory passed the memory limit. */
  memory: { index: number; bytes: number }[];
  slowestMs: number;
  peakRssBytes: number;
  seconds: number;
}

type Rand = () => number;

/** mulberry32, seeded per case: case i of seed s is the same whatever ran before it. */
function caseRandom(seed: number, index: number): Rand {
  let a = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const NASTY = [
  '',
  '0',
  '-1',
  '1e308',
  '-1e308',
  '1e-320',
  'NaN',
  '1e9',
  '99999999999',
  '&amp;',
  '&#x202E;',
  '&#0;',
  '\u200b',
  '<',
  '>',
  '"',
  "'",
  '\\',
  '__proto__',
  'constructor',
  '\uFEFF',
  '\u0000',
  ']]>',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  'DELAYN(x, 1, 1e9, 0)',
  'SMTHN(x, 1, 5000)',
  '1/0',
  'LN(0)',
  'EXP(1000)',
  'x[*]',
];

const XMILE_SEED = `<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>fuzz</name></header>
<sim_specs method="Euler"><start>0</start><stop>10</stop><dt>0.25</dt></sim_specs>
<dimensions><dim name="D" size="3"/><dim name="E"><elem name="a"/><elem name="b"/></dim></dimensions>
<model><variables>
<stock name="S"><eqn>100</eqn><inflow>f</inflow><outflow>g</outflow></stock>
<flow name="f"><eqn>S * k</eqn></flow>
<flow name="g"><eqn>DELAY3(f, 2)</eqn></flow>
<aux name="k"><eqn>0.1</eqn></aux>
<aux name="arr"><dimensions><dim name="D"/></dimensions><eqn>k * D</eqn></aux>
<aux name="m"><dimensions><dim name="E"/><dim name="D"/></dimensions><eqn>SMTH1(arr[D], 3) + SUM(arr[*])</eqn></aux>
<aux name="t"><eqn>TIME</eqn><gf><xscale min="0" max="10"/><ypts>0,1,4,9</ypts></gf></aux>
<aux name="r"><eqn>IF TIME > 5 THEN RANDOM(0, 1) ELSE MAX(S, 0)</eqn></aux>
</variables></model>
</xmile>
`;

const VENSIM_SEED = `{UTF-8}
D: (d1-d3) ~ ~ |
level[D] = INTEG(gain[D] - loss[D], start value[D]) ~ units [0,?] ~ a stock |
gain[D] = IF THEN ELSE(Time > 2 :AND: :NOT: switch, rate * level[D], 0) ~ ~ |
loss[D] = SMOOTH N(level[D], 2, 0, 3) / 10 + DELAY FIXED(rate, 1, 0) ~ ~ |
start value[D] = 1, 2, 3 ~ ~ |
rate = 0.1 ~ 1/Month ~ |
switch = 0 ~ ~ |
curve( [(0,0)-(10,10)], (0,0), (5,2), (10,4) ) ~ ~ |
total = SUM(level[D!]) + curve(Time) + PULSE TRAIN(1, 1, 3, 9) ~ ~ |
********************************************************
\t.Control
********************************************************~
\t\tSimulation Control Parameters
\t|
INITIAL TIME = 0 ~ ~ |
FINAL TIME = 10 ~ ~ |
TIME STEP = 0.5 ~ ~ |
SAVEPER = TIME STEP ~ ~ |
`;

const validCalibration = {
  model: 'model.xmile',
  method: 'mcmc',
  samples: 100,
  parameters: [{ name: 'k', dist: 'uniform', low: 0, high: 1 }],
  data: [
    { file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: 'row' } },
    {
      evidence: 'evidence.json',
      quantity: 'a.b',
      measure: ['present'],
      variable: 'S',
      error: { dist: 'lognormal', sd: { estimate: { dist: 'lognormal', mu: -1, sigma: 1 } } },
      bias: { by: 'source', reference: 'src-a' },
    },
  ],
  calendar: { start: '2024-01-01', daysPerTimeUnit: 30.4375 },
  predict: { variables: ['S'], points: [{ name: 'p', variable: 'S', date: '2024-06-01' }] },
};

/** Mutate text: insert, delete, duplicate or replace slices, or splice in a nasty token. */
function mutate(r: Rand, text: string, rounds: number): string {
  let s = text;
  for (let k = 0; k < rounds; k++) {
    const at = int(r, s.length + 1);
    const len = 1 + int(r, 12);
    switch (int(r, 5)) {
      case 0:
        s = s.slice(0, at) + pick(r, NASTY) + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at, at + len * 4) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + String.fromCharCode(int(r, 0x3000)) + s.slice(at + 1);
        break;
      default: {
        // Numbers become hostile numbers (sizes, orders, times).
        s = s.replace(/\d+(\.\d+)?/, () => pick(r, ['0', '1e7', '1000000', '-3', '1e308', '0.000001', '2']));
      }
    }
  }
  return s;
}

const EQUATION_TOKENS = [
  ...'0123456789.+-*/^()[],:<>=!{}" _'.split(''),
  'IF ',
  ' THEN ',
  ' ELSE ',
  ' AND ',
  'NOT ',
  'TIME',
  'DT',
  'S',
  'k',
  'arr[D]',
  'arr[*]',
  'SUM(',
  'SMTHN(',
  'DELAYN(',
  'LOOKUP(',
  'PREVIOUS(',
  ...NASTY,
];

function randomJson(r: Rand, depth: number): unknown {
  const kind = int(r, depth > 3 ? 4 : 7);
  switch (kind) {
    case 0:
      return pick(r, [0, -1, 1e308, -1e308, 0.5, 2 ** 53, 1e9, 5000, 3]);
    case 1:
      return pick(r, NASTY);
    case 2:
      return pick(r, [true, false, null]);
    case 3:
      return pick(r, ['lhs', 'mc', 'sobol', 'uniform', 'final', 'series', 'default', 'S', 'k']);
    case 4:
      return Array.from({ length: int(r, 4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        'model',
        'samples',
        'seed',
        'method',
        'uncertainties',
        'outcomes',
        'name',
        'variable',
        'dist',
        'low',
        'high',
        'parameters',
        'output',
        'path',
        'reduce',
        '__proto__',
        'constructor',
        'run',
        'prototype',
        'data',
        'error',
        'sd',
        'bias',
        'where',
        'alpha',
        'asof',
      ];
      for (let i = int(r, 5); i > 0; i--) o[pick(r, keys)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

const validSpec = {
  model: 'builtin:ishigami',
  samples: 16,
  method: 'lhs',
  uncertainties: [{ name: 'x1', dist: 'uniform', low: 0, high: 1 }],
  outcomes: [{ name: 'y', variable: 'y' }],
};

/** Build case `index` of `seed`: which target, and its input text. */
export function makeCase(seed: number, index: number): { target: Target; input: string } {
  const r = caseRandom(seed, index);
  const target = TARGETS[index % TARGETS.length]!;
  switch (target) {
    case 'xmile':
      return { target, input: mutate(r, XMILE_SEED, 1 + int(r, 6)) };
    case 'equation':
      return {
        target,
        input:
          r() < 0.5
            ? Array.from({ length: 1 + int(r, 30) }, () => pick(r, EQUATION_TOKENS)).join('')
            : mutate(r, 'IF S > k THEN SMTH1(arr[D], 3) ELSE MAX(0, LOOKUP(t, TIME)) ^ 2', 1 + int(r, 4)),
      };
    case 'spec':
      return {
        target,
        input:
          r() < 0.5 ? JSON.stringify(randomJson(r, 0)) : mutate(r, JSON.stringify(validSpec), 1 + int(r, 4)),
      };
    case 'evidence':
      return { target, input: mutate(r, serializeEvidence(sampleDocument()), 1 + int(r, 5)) };
    case 'api':
      return {
        target,
        input:
          r() < 0.5
            ? JSON.stringify(randomJson(r, 0))
            : mutate(
                r,
                JSON.stringify({ model: 'default', samples: 40, seed: 3, output: 'S' }),
                1 + int(r, 4),
              ),
      };
    case 'vensim':
      return { target, input: mutate(r, VENSIM_SEED, 1 + int(r, 6)) };
    case 'calibration':
      return {
        target,
        input:
          r() < 0.3
            ? JSON.stringify(randomJson(r, 0))
            : mutate(r, JSON.stringify(validCalibration), 1 + int(r, 4)),
      };
  }
}

/** Read, compile and briefly run a model text; a model error is an answer, anything else a crash. */
function readCompileRun(input: string, file: string): string | undefined {
  const read = readModel(input, { file });
  if (read.model && !read.diagnostics.some((d) => d.severity === 'error')) {
    const c = compileModel(read.model);
    if (c.compiled) {
      const spec = c.compiled.simSpecs;
      try {
        c.compiled.run({ stop: Math.min(spec.stop, spec.start + 50 * spec.dt) });
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
      }
    }
  }
  for (const d of read.diagnostics) if (!d.message) return 'a diagnostic without a message';
  return undefined;
}

/** Run `fn`, which may refuse its input with `refusal` (an answer) but throw nothing else. */
function refusesWith(refusal: new (...args: never[]) => Error, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof refusal)) throw err;
  }
}

/** Run one case; returns a crash message, or undefined when the code behaved as it promises. */
export function runCase(target: Target, input: string): string | undefined {
  try {
    switch (target) {
      case 'xmile':
        return readCompileRun(input, 'fuzz.xmile');
      case 'vensim':
        return readCompileRun(input, 'fuzz.mdl');
      case 'equation':
        parseEquation(input);
        return undefined;
      case 'spec': {
        let json: unknown;
        try {
          json = JSON.parse(input);
        } catch {
          return undefined;
        }
        try {
          parseSpec(json as never, 'fuzz.json');
        } catch (err) {
          if (!(err instanceof SpecError)) throw err;
        }
        return undefined;
      }
      case 'evidence':
        parseEvidenceJson(input);
        return undefined;
      case 'calibration': {
        let json: unknown;
        try {
          json = JSON.parse(input);
        } catch {
          return undefined;
        }
        refusesWith(SpecError, () => parseCalibrationSpec(json, 'fuzz.json'));
        return undefined;
      }
      case 'api': {
        // The server's own steps: parse and check a body (HttpError 400 is its answer), and the
        // same document's top-level values as a query string against each query schema.
        for (const schema of [experimentRequest, openModelRequest])
          refusesWith(HttpError, () => parseJsonBody(input, schema));
        let json: unknown;
        try {
          json = JSON.parse(input);
        } catch {
          return undefined;
        }
        if (typeof json === 'object' && json !== null) {
          const query = new URLSearchParams();
          for (const [k, v] of Object.entries(json))
            query.append(k, typeof v === 'string' ? v : JSON.stringify(v));
          for (const schema of [viewQuery, resultsViewQuery, calibrationQuery, foldersQuery])
            refusesWith(HttpError, () => checkQuery(query, schema));
        }
        return undefined;
      }
    }
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } finally {
    // Whatever a case did, nothing may have been added to every object's prototype.
    const polluted = Object.keys(Object.prototype);
    if (polluted.length) {
      for (const k of polluted) delete (Object.prototype as Record<string, unknown>)[k];
      // eslint-disable-next-line no-unsafe-finally
      return `Object.prototype gained ${polluted.join(', ')}`;
    }
  }
  return undefined;
}

interface WorkerTask {
  seed: number;
  from: number;
  to: number;
  /** [0]: index of the case running now (-1 between cases). */
  progress: SharedArrayBuffer;
}

type FromFuzzWorker =
  | { type: 'crash'; target: Target; index: number; message: string; input: string }
  | { type: 'case'; index: number; ms: number; rss: number }
  | { type: 'end' };

if (!isMainThread && (workerData as { fuzz?: WorkerTask })?.fuzz) {
  const task = (workerData as { fuzz: WorkerTask }).fuzz;
  const current = new Int32Array(task.progress);
  for (let i = task.from; i < task.to; i++) {
    Atomics.store(current, 0, i);
    const { target, input } = makeCase(task.seed, i);
    const t0 = performance.now();
    const crash = runCase(target, input);
    const ms = performance.now() - t0;
    if (crash)
      parentPort!.postMessage({
        type: 'crash',
        target,
        index: i,
        message: crash,
        input: input.slice(0, 2000),
      });
    parentPort!.postMessage({
      type: 'case',
      index: i,
      ms,
      rss: process.memoryUsage().rss,
    } satisfies FromFuzzWorker);
  }
  Atomics.store(current, 0, -1);
  parentPort!.postMessage({ type: 'end' } satisfies FromFuzzWorker);
}

/**
 * Run cases [0, cases) of `seed` in a worker thread; a case running longer than `hangMs` ends
 * the worker, is counted as a hang, and the run goes on with the next case.
 */
export async function fuzz(options: {
  cases: number;
  seed?: number;
  hangMs?: number;
  memoryBytes?: number;
  onProgress?(done: number): void;
}): Promise<FuzzReport> {
  const seed = options.seed ?? 1;
  const hangMs = options.hangMs ?? 2000;
  const memoryLimit = options.memoryBytes ?? 1024 ** 3;
  const started = performance.now();
  const report: FuzzReport = {
    cases: options.cases,
    seed,
    perTarget: Object.fromEntries(TARGETS.map((t) => [t, 0])) as Record<Target, number>,
    crashes: [],
    hangs: [],
    memory: [],
    slowestMs: 0,
    peakRssBytes: 0,
    seconds: 0,
  };
  for (let i = 0; i < options.cases; i++) report.perTarget[TARGETS[i % TARGETS.length]!]++;
  let next = 0;
  while (next < options.cases) {
    const progress = new SharedArrayBuffer(4);
    const current = new Int32Array(progress);
    Atomics.store(current, 0, -1);
    const worker: Worker = startModuleWorker(new URL('./fuzz.js', import.meta.url), {
      workerData: { fuzz: { seed, from: next, to: options.cases, progress } satisfies WorkerTask },
      resourceLimits: { maxOldGenerationSizeMb: Math.round(memoryLimit / 2 ** 20) },
    });
    next = await new Promise<number>((resume) => {
      let last = -1;
      let since = performance.now();
      let doneUpTo = next;
      const watch = setInterval(
        () => {
          const now = Atomics.load(current, 0);
          if (now !== last) {
            last = now;
            since = performance.now();
          } else if (now >= 0 && performance.now() - since > hangMs) {
            clearInterval(watch);
            report.hangs.push({ index: now, ms: Math.round(performance.now() - since) });
            void worker.terminate();
            resume(now + 1);
          }
        },
        Math.min(250, hangMs / 4),
      );
      worker.on('message', (m: FromFuzzWorker) => {
        if (m.type === 'crash') report.crashes.push(m);
        else if (m.type === 'case') {
          doneUpTo = m.index + 1;
          report.slowestMs = Math.max(report.slowestMs, m.ms);
          report.peakRssBytes = Math.max(report.peakRssBytes, m.rss);
          if (m.rss > memoryLimit) report.memory.push({ index: m.index, bytes: m.rss });
          options.onProgress?.(doneUpTo);
        } else {
          clearInterval(watch);
          void worker.terminate();
          resume(options.cases);
        }
      });
      worker.on('error', (err) => {
        // Out of memory or an uncaught error outside a case: count it on the case that ran.
        clearInterval(watch);
        const at = Math.max(doneUpTo, Atomics.load(current, 0));
        report.crashes.push({
          target: TARGETS[at % TARGETS.length]!,
          index: at,
          message: `worker: ${err.message}`,
          input: '',
        });
        resume(at + 1);
      });
    });
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
