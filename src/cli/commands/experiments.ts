/**
 * Exploratory analysis commands: `explore` runs an experiment spec over a worker pool;
 * `sensitivity`, `discover`, `robustness` and `report` analyse a results directory.
 */
import type { Command } from 'commander';
import { analyseRobustness, type PolicyRobustness } from '../../experiments/robustness.js';
import {
  analyseSensitivity,
  sensitivityJson,
  type MorrisResult,
  type SobolResult,
} from '../../experiments/sensitivity.js';
import { discover, tableResolver, type DiscoveryResult } from '../../experiments/discover.js';
import { explore, loadSpecFile, OutDirError } from '../../experiments/explore.js';
import { STATUS_PENDING } from '../../experiments/runner.js';
import { BudgetError } from '../../model/budgets.js';
import { compileExpression, ExpressionError } from '../../experiments/expr.js';
import { WorkerFatalError, defaultJobs } from '../../experiments/pool.js';
import { buildReport } from '../../experiments/report.js';
import { SpecError } from '../../experiments/spec.js';
import { loadTable, readSeries, type ResultsMetadata } from '../../experiments/store.js';
import type { ExperimentTable } from '../../experiments/table.js';
import { Progress, stopOnInterrupt } from '../progress.js';
import { formatNumber, formatPValue, formatShare } from '../../format/number.js';
import { renderTextTable, TABLE_WIDTH } from '../../format/table.js';
import {
  InputError,
  UsageError,
  budgetsFromFlags,
  parseChoice,
  parseNumberFlag,
  writeOutput,
} from '../util.js';

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

function positiveInteger(flag: string, value: string): number {
  const n = parseNumberFlag(flag, value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} expects a positive integer, got '${value}'`);
  return n;
}

/** Spec and expression errors are input errors (exit 1) with the field named. */
function asInputError(err: unknown): never {
  if (err instanceof SpecError || err instanceof ExpressionError) throw new InputError(err.message);
  if (err instanceof OutDirError) throw err.usage ? new UsageError(err.message) : new InputError(err.message);
  if (err instanceof BudgetError) throw new InputError(err.message);
  if (err instanceof WorkerFatalError) {
    throw new InputError(err.field ? `${err.field}: ${err.message}` : err.message);
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EACCES' || code === 'ENOSPC' || code === 'EROFS') {
    throw new InputError(`cannot write results: ${(err as Error).message}`);
  }
  throw err;
}

function load(dir: string): { table: ExperimentTable; meta: ResultsMetadata } {
  try {
    const loaded = loadTable(dir);
    warnIfIncomplete(dir, loaded.meta, loaded.table);
    return loaded;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new InputError(`${dir}: no such results directory`);
    throw new InputError((err as Error).message);
  }
}

/** Analysis of a folder that is not complete says so, with how many runs it holds. */
function warnIfIncomplete(dir: string, meta: ResultsMetadata, table: ExperimentTable): void {
  let held = 0;
  for (let i = 0; i < table.rows; i++) if (table.status[i] !== STATUS_PENDING) held++;
  if (meta.state === 'complete' && held === table.rows) return;
  const state = meta.state === 'running' ? 'stopped while running' : meta.state;
  process.stderr.write(
    `interlock: warning: ${dir} is incomplete (${state}): it holds ${held.toLocaleString('en-US')} of ` +
      `${table.rows.toLocaleString('en-US')} runs; \`interlock explore SPEC --out ${dir} --resume\` finishes it\n`,
  );
}

function policyIndex(table: ExperimentTable, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const i = table.policyNames.indexOf(name);
  if (i < 0)
    throw new UsageError(`--policy: unknown policy '${name}' (known: ${table.policyNames.join('; ')})`);
  return i;
}

/** Numbers for people (src/format): grouped thousands, three significant digits, no exponents. */
const fmt = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '-' : formatNumber(x);

/** Width the text tables fit: 100 columns, or every column with --wide. */
let tableWidth = TABLE_WIDTH;
function setWide(wide: boolean | undefined): void {
  tableWidth = wide ? Infinity : TABLE_WIDTH;
}

function textTable(header: string[], rows: string[][]): string {
  return renderTextTable(header, rows, { width: tableWidth });
}

/** Rows ranked by a score, largest first; the top `top` (0 = all) and a note on the rest. */
function ranked(
  rows: { score: number; cells: string[] }[],
  top: number,
  noun = 'input',
): { rows: string[][]; note: string } {
  const key = (x: number) => (Number.isFinite(x) ? x : -Infinity);
  const sorted = [...rows].sort((a, b) => key(b.score) - key(a.score));
  const kept = top > 0 ? sorted.slice(0, top) : sorted;
  const rest = sorted.length - kept.length;
  return {
    rows: kept.map((r) => r.cells),
    note: rest ? `(${rest} less important ${noun}${rest > 1 ? 's' : ''} not shown; --top 0 shows all)\n` : '',
  };
}

function nonNegativeInteger(flag: string, value: string): number {
  const n = parseNumberFlag(flag, value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag} expects a whole number >= 0, got '${value}'`);
  return n;
}

function sensitivityText(
  report: ReturnType<typeof analyseSensitivity>,
  policies: number[],
  top: number,
): string {
  const out: string[] = [];
  for (const p of policies) {
    const entry = report.byPolicy[p];
    for (const [outcome, r] of Object.entries(entry.outcomes)) {
      out.push(`${outcome}${report.byPolicy.length > 1 ? `  [${entry.policy}]` : ''}`);
      if (report.method === 'sobol') {
        const s = r as SobolResult;
        // Ranked by total-order index ST: the share of variance an input explains with its interactions.
        const t = ranked(
          s.names.map((n, j) => ({
            score: s.ST[j],
            cells: [n, fmt(s.S1[j]), fmt(s.S1_conf[j]), fmt(s.ST[j]), fmt(s.ST_conf[j])],
          })),
          top,
        );
        out.push(textTable(['input', 'S1', '±', 'ST', '±'], t.rows) + t.note);
        const pairs: { score: number; cells: string[] }[] = [];
        s.names.forEach((a, j) =>
          s.names.forEach((b, k) => {
            if (k > j && Number.isFinite(s.S2[j][k]) && Math.abs(s.S2[j][k]) >= 0.01) {
              pairs.push({
                score: Math.abs(s.S2[j][k]),
                cells: [`${a} x ${b}`, fmt(s.S2[j][k]), fmt(s.S2_conf[j][k])],
              });
            }
          }),
        );
        if (pairs.length) {
          const t = ranked(pairs, top, 'pair');
          out.push(textTable(['pair (|S2| >= 0.01)', 'S2', '±'], t.rows) + t.note);
        }
        if (s.droppedBaseSamples)
          out.push(
            `(${s.droppedBaseSamples} of ${s.baseSamples + s.droppedBaseSamples} base samples dropped: failed or non-finite runs)\n`,
          );
      } else {
        const m = r as MorrisResult;
        // Ranked by mu*, the mean absolute elementary effect.
        const t = ranked(
          m.names.map((n, j) => ({
            score: m.muStar[j],
            cells: [n, fmt(m.muStar[j]), fmt(m.muStarConf[j]), fmt(m.mu[j]), fmt(m.sigma[j])],
          })),
          top,
        );
        out.push(textTable(['input', 'mu*', '±', 'mu', 'sigma'], t.rows) + t.note);
      }
    }
  }
  return out.join('\n');
}

export function discoveryJson(result: DiscoveryResult): object {
  const box = (b: DiscoveryResult['boxes'][number]) => ({
    coverage: b.coverage,
    density: b.density,
    mass: b.mass,
    res_dim: b.resDim,
    limits: b.limits,
    ...(Object.keys(b.categories).length ? { categories: b.categories } : {}),
  });
  return {
    where: result.where,
    runs: result.totalRuns,
    cases_of_interest: result.totalInterest,
    ...(result.scenarioNames ? { scenario_codes: result.scenarioNames } : {}),
    // The chosen box of each covering pass; later passes see only the runs no earlier box holds,
    // and their coverage, density and mass are relative to those runs.
    boxes: result.found.map((f) => ({
      ...box(f.box),
      quasi_p_values: f.quasiP,
      pass_runs: f.runs,
      pass_cases_of_interest: f.interest,
    })),
    // The first pass's peeling and pasting trajectory, and the index of its chosen box.
    tradeoff: result.boxes.map(box),
    chosen: result.chosen,
  };
}

function boxTable(
  result: DiscoveryResult,
  box: DiscoveryResult['boxes'][number],
  quasiP: Record<string, number>,
): string {
  const rows: string[][] = [];
  for (const [name, [lo, hi]] of Object.entries(box.limits)) {
    rows.push([name, `[${fmt(lo)}, ${fmt(hi)}]`, formatPValue(quasiP[name])]);
  }
  for (const [name, cats] of Object.entries(box.categories)) {
    const labels =
      name === 'scenario' && result.scenarioNames
        ? cats.map((c) => result.scenarioNames![c])
        : cats.map(String);
    rows.push([name, `{${labels.join(', ')}}`, formatPValue(quasiP[name])]);
  }
  return rows.length ? textTable(['input', 'limits', 'quasi-p'], rows) : '(no restriction)\n';
}

function discoveryText(result: DiscoveryResult): string {
  const lines = [
    `${result.totalInterest} of ${result.totalRuns} runs match '${result.where}' (${formatShare(result.totalInterest / Math.max(1, result.totalRuns), 1)})`,
    '',
    'trade-off (peeling then pasting):',
    textTable(
      ['box', 'coverage', 'density', 'mass', 'restricted'],
      result.boxes.map((b, i) => [
        `${i === result.chosen ? '*' : ' '}${i}`,
        fmt(b.coverage),
        fmt(b.density),
        fmt(b.mass),
        String(b.resDim),
      ]),
    ),
  ];
  result.found.forEach((f, k) => {
    const b = f.box;
    const title =
      k === 0
        ? `chosen box ${result.chosen}`
        : `box ${k + 1} (on the ${f.runs} runs outside earlier boxes, ${f.interest} of interest)`;
    lines.push(`${title}: coverage ${fmt(b.coverage)}, density ${fmt(b.density)}, mass ${fmt(b.mass)}`);
    lines.push(boxTable(result, b, f.quasiP));
  });
  return lines.join('\n');
}

function robustnessText(results: PolicyRobustness[], table: ExperimentTable): string {
  const out: string[] = [];
  for (const name of table.outcomeNames) {
    const kind = table.outcomeKinds[table.outcomeNames.indexOf(name)];
    const hasRegret = kind !== 'info';
    out.push(`${name}${kind !== 'info' ? ` (${kind})` : ''}`);
    out.push(
      textTable(
        [
          'policy',
          'p10',
          'median',
          'p90',
          'mean',
          ...(hasRegret ? ['regret mean', 'regret p90', 'regret max'] : []),
        ],
        results.map((r) => {
          const o = r.outcomes[name];
          return [
            r.policy,
            fmt(o.p10),
            fmt(o.p50),
            fmt(o.p90),
            fmt(o.mean),
            ...(hasRegret ? [fmt(o.regret?.mean), fmt(o.regret?.p90), fmt(o.regret?.max)] : []),
          ];
        }),
      ),
    );
  }
  if (results.some((r) => r.satisficing !== undefined)) {
    out.push('satisficing (share of successful runs meeting the criterion)');
    out.push(
      textTable(
        ['policy', 'share', 'runs', 'failed'],
        results.map((r) => [
          r.policy,
          r.satisficing === undefined ? '-' : formatShare(r.satisficing),
          String(r.runs),
          String(r.failed),
        ]),
      ),
    );
  }
  return out.join('\n');
}

export function registerExperimentCommands(program: Command): void {
  program
    .command('explore')
    .description(
      'Run an experiment spec (samples x levers x scenarios) on a worker pool; stream results to DIR',
    )
    .argument('<spec>', 'experiment spec (JSON); paths in it are relative to it')
    .requiredOption('-o, --out <dir>', 'results directory')
    .option('-j, --jobs <n>', `worker threads (default: every core, here ${defaultJobs()})`)
    .option('-n, --samples <n>', "override the spec's samples (base size N for Sobol)")
    .option('--chunk-size <n>', 'runs per job handed to a worker')
    .option('--in-process', 'run in this thread, without workers')
    .option('-q, --quiet', 'no progress output')
    .option('--resume', 'finish the runs missing from --out (same spec and model), chunk by chunk')
    .option('--force', 'replace the results already in --out')
    .option(
      '--budget <name=n>',
      'raise or lower a resource budget (runs, experimentCells, workers, elements, ...); repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--queue <url>', 'submit to a PostgreSQL job queue run by `interlock worker` instead')
    .option(
      '--chunk-timeout <seconds>',
      'with --queue: a chunk not done in this time goes to another worker',
      '900',
    )
    .option('--retries <n>', 'with --queue: attempts after the first before a chunk is recorded failed', '2')
    .action(
      async (
        specFile: string,
        opts: {
          out: string;
          jobs?: string;
          samples?: string;
          chunkSize?: string;
          inProcess?: boolean;
          quiet?: boolean;
          resume?: boolean;
          force?: boolean;
          budget?: string[];
          queue?: string;
          chunkTimeout: string;
          retries: string;
        },
      ) => {
        const budgets = budgetsFromFlags(opts.budget);
        const jobs = opts.jobs === undefined ? undefined : positiveInteger('--jobs', opts.jobs);
        const samples = opts.samples === undefined ? undefined : positiveInteger('--samples', opts.samples);
        const chunkSize =
          opts.chunkSize === undefined ? undefined : positiveInteger('--chunk-size', opts.chunkSize);
        let loaded;
        try {
          loaded = loadSpecFile(specFile);
        } catch (err) {
          asInputError(err);
        }
        const base = samples ?? loaded.spec.samples;
        if (loaded.spec.method === 'sobol' && (base & (base - 1)) !== 0) {
          process.stderr.write(
            `interlock: warning: Sobol' base size ${base} is not a power of 2; the sequence's balance properties hold for powers of 2\n`,
          );
        }
        if (opts.queue !== undefined) {
          if (jobs !== undefined || opts.inProcess) {
            throw new UsageError(
              '--queue runs on `interlock worker` processes: --jobs and --in-process do not apply',
            );
          }
          const { exploreOnQueue } = await import('./queue.js');
          await exploreOnQueue(
            loaded,
            { ...opts, queue: opts.queue, samples, chunkSize },
            opts.quiet ? undefined : new Progress(Boolean(process.stderr.isTTY), 'explore', 'runs'),
          );
          return;
        }
        const interrupt = stopOnInterrupt('stopping after the runs in flight (Ctrl-C again to quit at once)');
        const progress = opts.quiet
          ? undefined
          : new Progress(Boolean(process.stderr.isTTY), 'explore', 'runs');
        try {
          const result = await explore(loaded, {
            outDir: opts.out,
            jobs,
            samples,
            chunkSize,
            inProcess: opts.inProcess,
            resume: opts.resume,
            force: opts.force,
            budgets,
            signal: interrupt.signal,
            onProgress: (done, total) => progress?.update(done, total, done === total),
          });
          progress?.end();
          const m = result.metadata;
          const rate = result.wallSeconds > 0 ? m.completedRuns / result.wallSeconds : 0;
          process.stderr.write(
            `${result.interrupted ? 'interrupted' : 'done'}: ${m.completedRuns.toLocaleString('en-US')} of ${m.rows.toLocaleString('en-US')} runs` +
              ` (${m.failedRuns} failed${m.nonFiniteRuns ? `, ${m.nonFiniteRuns} non-finite` : ''}) in ${result.wallSeconds.toFixed(1)}s, ${Math.round(rate).toLocaleString('en-US')} runs/s, ${m.jobs} worker(s) -> ${opts.out}\n`,
          );
          if (result.interrupted) process.exitCode = 130;
        } catch (err) {
          progress?.end();
          asInputError(err);
        } finally {
          interrupt.dispose();
        }
      },
    );

  program
    .command('sensitivity')
    .description(
      "Sobol' (S1, S2, ST with bootstrap CIs) or Morris (mu*, sigma) indices of a results directory",
    )
    .argument('<dir>', 'results directory written by explore')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('-p, --policy <name>', 'only this policy (JSON then maps outcome -> input -> indices)')
    .option('--resamples <n>', 'bootstrap resamples', '100')
    .option(
      '--top <n>',
      'most important inputs per outcome, ranked by ST (Sobol) or mu* (Morris); 0 = all',
      '15',
    )
    .option('--wide', 'print every table column, however wide')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(
      (
        dir: string,
        opts: {
          format: string;
          policy?: string;
          resamples: string;
          top: string;
          wide?: boolean;
          out?: string;
        },
      ) => {
        const format: Format = parseChoice('--format', opts.format, FORMATS);
        setWide(opts.wide);
        const top = nonNegativeInteger('--top', opts.top);
        const resamples = positiveInteger('--resamples', opts.resamples);
        const { table, meta } = load(dir);
        const p = policyIndex(table, opts.policy);
        let report;
        try {
          report = analyseSensitivity(table, { resamples, levels: meta.spec.levels, seed: meta.seed });
        } catch (err) {
          throw new InputError((err as Error).message);
        }
        const policies = p === undefined ? table.policyNames.map((_, i) => i) : [p];
        if (format === 'json') {
          const json =
            policies.length === 1
              ? sensitivityJson(report, policies[0])
              : Object.fromEntries(policies.map((i) => [table.policyNames[i], sensitivityJson(report, i)]));
          writeOutput(JSON.stringify(json, null, 2) + '\n', opts.out);
        } else {
          writeOutput(sensitivityText(report, policies, top), opts.out);
        }
      },
    );

  program
    .command('discover')
    .description('Scenario discovery: PRIM boxes of inputs where the runs matching --where concentrate')
    .argument('<dir>', 'results directory written by explore')
    .requiredOption(
      '-w, --where <expr>',
      "runs of interest, e.g. 'peak_troops > 20000 and casualties < 5000'",
    )
    .option('-f, --format <format>', 'table or json', 'table')
    .option('-p, --policy <name>', 'only the runs of this policy')
    .option('--peel-alpha <x>', 'share peeled per step', '0.05')
    .option('--paste-alpha <x>', 'share pasted per step', '0.05')
    .option('--mass-min <x>', 'smallest box mass', '0.05')
    .option('--min-density <x>', 'choose the box of most coverage with at least this density')
    .option('--boxes <n>', 'look for up to this many boxes, each in the runs the earlier ones leave', '1')
    .option('--wide', 'print every table column, however wide')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(
      (
        dir: string,
        opts: {
          where: string;
          format: string;
          policy?: string;
          peelAlpha: string;
          pasteAlpha: string;
          massMin: string;
          minDensity?: string;
          boxes: string;
          wide?: boolean;
          out?: string;
        },
      ) => {
        const format: Format = parseChoice('--format', opts.format, FORMATS);
        setWide(opts.wide);
        const share = (flag: string, v: string): number => {
          const x = parseNumberFlag(flag, v);
          if (!(x > 0 && x < 1)) throw new UsageError(`${flag} expects a number between 0 and 1, got '${v}'`);
          return x;
        };
        const options = {
          peelAlpha: share('--peel-alpha', opts.peelAlpha),
          pasteAlpha: share('--paste-alpha', opts.pasteAlpha),
          massMin: share('--mass-min', opts.massMin),
          minDensity:
            opts.minDensity === undefined ? undefined : parseNumberFlag('--min-density', opts.minDensity),
          boxes: positiveInteger('--boxes', opts.boxes),
        };
        const { table } = load(dir);
        const policy = policyIndex(table, opts.policy);
        let result: DiscoveryResult;
        try {
          result = discover(table, opts.where, { ...options, policy });
        } catch (err) {
          if (err instanceof ExpressionError) throw new UsageError(`--where: ${err.message}`);
          throw err;
        }
        writeOutput(
          format === 'json' ? JSON.stringify(discoveryJson(result), null, 2) + '\n' : discoveryText(result),
          opts.out,
        );
      },
    );

  program
    .command('robustness')
    .description(
      'Per policy: outcome percentiles, regret against the best policy in each future, satisficing',
    )
    .argument('<dir>', 'results directory written by explore')
    .option('-f, --format <format>', 'table or json', 'table')
    .option(
      '-s, --satisfice <expr>',
      "criterion a run should meet, e.g. 'peak_troops < 15000' (default: the spec's)",
    )
    .option('--wide', 'print every table column, however wide')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action((dir: string, opts: { format: string; satisfice?: string; wide?: boolean; out?: string }) => {
      const format: Format = parseChoice('--format', opts.format, FORMATS);
      setWide(opts.wide);
      const { table, meta } = load(dir);
      const criterion = opts.satisfice ?? meta.spec.satisfice;
      let satisfice;
      if (criterion) {
        const { resolve, known } = tableResolver(table);
        try {
          satisfice = compileExpression(criterion, resolve, known).evaluate;
        } catch (err) {
          if (err instanceof ExpressionError) throw new UsageError(`--satisfice: ${err.message}`);
          throw err;
        }
      }
      const results = analyseRobustness(table, { satisfice });
      if (format === 'json') {
        writeOutput(
          JSON.stringify({ satisfice: criterion ?? null, policies: results }, null, 2) + '\n',
          opts.out,
        );
      } else {
        writeOutput(
          (criterion ? `satisficing criterion: ${criterion}\n\n` : '') + robustnessText(results, table),
          opts.out,
        );
      }
    });

  program
    .command('report')
    .description(
      'A self-contained HTML report: fan charts, scatter plots, PRIM trade-off and box, sensitivity bars',
    )
    .argument('<dir>', 'results directory written by explore')
    .requiredOption('-o, --out <file>', 'HTML file to write')
    .option('-w, --where <expr>', 'runs of interest for the scenario-discovery section')
    .option('--max-series <n>', 'runs per policy drawn for fan charts', '2000')
    .option('--outcome <name>', 'outcome on the scatter plots (default: the first scalar outcome)')
    .option('-p, --policy <name>', 'scenario discovery over the runs of this policy only')
    .action(
      (
        dir: string,
        opts: { out: string; where?: string; maxSeries: string; outcome?: string; policy?: string },
      ) => {
        const maxSeries = positiveInteger('--max-series', opts.maxSeries);
        const { table, meta } = load(dir);
        if (opts.outcome !== undefined && !table.outcomeNames.includes(opts.outcome)) {
          throw new UsageError(
            `--outcome: unknown outcome '${opts.outcome}' (known: ${table.outcomeNames.join(', ')})`,
          );
        }
        let discovery: DiscoveryResult | undefined;
        if (opts.where) {
          try {
            discovery = discover(table, opts.where, { policy: policyIndex(table, opts.policy) });
          } catch (err) {
            if (err instanceof ExpressionError) throw new UsageError(`--where: ${err.message}`);
            throw err;
          }
        }
        let sensitivity;
        if (table.method === 'sobol' || table.method === 'morris') {
          sensitivity = analyseSensitivity(table, { levels: meta.spec.levels, seed: meta.seed });
        }
        const series = meta.outcomes
          .filter((o) => o.series)
          .map((o) => ({
            name: o.name,
            policies: table.policyNames.map((_, p) => {
              // An evenly spaced subset of the policy's runs keeps the page small.
              const rows: number[] = [];
              const step = Math.max(1, Math.floor(table.designRows / maxSeries));
              for (let s = 0; s < table.designRows; s += step) {
                const row = p * table.designRows + s;
                if (table.status[row] === 1) rows.push(row);
              }
              return { rows: rows.length, values: readSeries(dir, meta, o.name, rows) };
            }),
          }));
        const satisfice = meta.spec.satisfice;
        let robustness;
        try {
          const { resolve, known } = tableResolver(table);
          robustness = analyseRobustness(table, {
            satisfice: satisfice ? compileExpression(satisfice, resolve, known).evaluate : undefined,
          });
        } catch (err) {
          asInputError(err);
        }
        const html = buildReport({
          title: `interlock report: ${meta.specFile ?? dir}`,
          meta,
          table,
          times: meta.times ?? [],
          series,
          sensitivity,
          discovery,
          robustness,
          scatterOutcome: opts.outcome,
        });
        writeOutput(html, opts.out);
        process.stderr.write(
          `report written to ${opts.out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)\n`,
        );
      },
    );
}
