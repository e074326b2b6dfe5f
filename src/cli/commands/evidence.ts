/**
 * The evidence commands: `evidence import|export|list`, `ach`, `estimates`, `forecasts` and
 * `indicators`. The store is an SQLite file or a `postgres://` URL (`--db`, else $INTERLOCK_DB, else
 * ./interlock.db);
 * the read-only reports can also read an evidence JSON file directly (`--evidence FILE`).
 */
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { achScoresByDate, analyzeHypothesisSet } from '../../evidence/ach.js';
import {
  ESTIMATE_BASES,
  RELIABILITY_LABELS,
  isIsoDate,
  quantities,
  reportById,
  serializeEvidence,
  type EvidenceDocument,
  type ValidationIssue,
} from '../../evidence/data.js';
import { DEFAULT_WINDOW_DAYS, estimateTimeline } from '../../evidence/estimates.js';
import { forecastReport } from '../../evidence/forecasts.js';
import {
  renderAch,
  renderForecasts,
  renderIndicators,
  renderTable,
  renderTimeline,
} from '../../evidence/format.js';
import { indicatorStates } from '../../evidence/indicators.js';
import { loadEvidenceDocument } from '../../store/evidence-file.js';
import { StoreError, type EvidenceStore, type StoreCounts } from '../../store/store.js';
import { InputError, UsageError, parseChoice, parseNumberFlag } from '../util.js';

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface StoreOptions {
  db?: string;
}
interface ReadOptions extends StoreOptions {
  evidence?: string;
  format?: string;
}

export function databasePath(opts: StoreOptions): string {
  // An empty INTERLOCK_DB counts as unset (an empty path would mean a throw-away database).
  return opts.db ?? (process.env.INTERLOCK_DB || 'interlock.db');
}

function issuesToError(file: string, what: string, issues: readonly ValidationIssue[]): InputError {
  return new InputError(
    `${file}: ${what}`,
    issues.map((i) => ({
      severity: 'error' as const,
      code: 'evidence-invalid',
      message: `${i.path}: ${i.message}`,
      file,
      ...(i.line !== undefined ? { line: i.line } : {}),
      ...(i.column !== undefined ? { column: i.column } : {}),
    })),
  );
}

/** Store problems are the user's input (a wrong path, a damaged file): exit 1, no stack. */
function storeFailure(err: unknown): never {
  if (err instanceof StoreError) throw new InputError(err.message);
  throw err;
}

/** Read and validate an evidence JSON file; every problem becomes a located diagnostic. */
export function readEvidenceFile(file: string): EvidenceDocument {
  const parsed = loadEvidenceDocument(file);
  if (parsed.ok) return parsed.document;
  const unreadable = parsed.issues.length === 1 && parsed.issues[0]!.message.startsWith('cannot read ');
  if (unreadable) throw new InputError(parsed.issues[0]!.message);
  throw issuesToError(file, 'invalid evidence file', parsed.issues);
}

async function withStore<T>(
  opts: StoreOptions,
  mustExist: boolean,
  use: (s: EvidenceStore) => Promise<T>,
): Promise<T> {
  let store: EvidenceStore;
  try {
    // Loaded on demand so that commands without a database never load the native module.
    const { openEvidenceStore } = await import('../../store/open.js');
    store = await openEvidenceStore(databasePath(opts), { mustExist });
  } catch (err) {
    storeFailure(err);
  }
  try {
    return await use(store);
  } catch (err) {
    storeFailure(err);
  } finally {
    await store.close();
  }
}

/** The document a report reads: an evidence file when given, else the whole store. */
async function loadDocument(opts: ReadOptions): Promise<EvidenceDocument> {
  if (opts.evidence !== undefined) {
    if (opts.db !== undefined) throw new UsageError('give either --db or --evidence, not both');
    return readEvidenceFile(opts.evidence);
  }
  return withStore(opts, true, (s) => s.exportDocument());
}

function formatOf(opts: ReadOptions): Format {
  return parseChoice('--format', opts.format ?? 'table', FORMATS);
}

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Write via a temporary file and rename, so an interrupted export never leaves half a file. */
function writeFileAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (err) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing to clean up
    }
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`cannot write ${path}: ${e.code === 'ENOENT' ? 'no such directory' : e.message}`);
  }
}

function countsLine(c: StoreCounts): string {
  return (
    `${c.sources} sources, ${c.reports} reports, ${c.estimates} estimates, ${c.hypothesisSets} hypothesis sets ` +
    `(${c.hypotheses} hypotheses, ${c.evidenceItems} evidence items, ${c.ratings} ratings), ` +
    `${c.indicators} indicators, ${c.forecastQuestions} forecast questions (${c.forecasts} forecasts)`
  );
}

const dbOption = [
  '--db <file|url>',
  'evidence database: SQLite file or postgres:// URL (default $INTERLOCK_DB or ./interlock.db)',
] as const;
const evidenceOption = ['--evidence <file>', 'read an evidence JSON file instead of the database'] as const;
const formatOption = ['--format <format>', 'table or json', 'table'] as const;

export function registerEvidenceCommands(program: Command): void {
  const evidence = program
    .command('evidence')
    .description('the evidence base: sources, reports, estimates, hypotheses, indicators, forecasts');

  evidence
    .command('import <file>')
    .description('merge an evidence JSON file into the database (all or nothing)')
    .option(...dbOption)
    .action(async (file: string, opts: StoreOptions) => {
      const doc = readEvidenceFile(file);
      const summary = await withStore(opts, false, (s) => s.importDocument(doc));
      process.stdout.write(
        `imported ${countsLine(summary.imported)} into ${databasePath(opts)}\n` +
          `the database now holds ${countsLine(summary.total)}\n`,
      );
    });

  evidence
    .command('export')
    .description('write the whole database as canonical evidence JSON')
    .option('--out <file>', 'output file (default: standard output)')
    .option(...dbOption)
    .action(async (opts: StoreOptions & { out?: string }) => {
      const doc = await withStore(opts, true, (s) => s.exportDocument());
      const text = serializeEvidence(doc);
      if (opts.out === undefined || opts.out === '-') process.stdout.write(text);
      else writeFileAtomically(opts.out, text);
    });

  evidence
    .command('list')
    .description('list sources and quantities with their estimates')
    .option(...dbOption)
    .option(...evidenceOption)
    .option(...formatOption)
    .action(async (opts: ReadOptions) => {
      const format = formatOf(opts);
      const doc = await loadDocument(opts);
      const perQuantity = quantities(doc).map((quantity) => {
        const own = doc.estimates.filter((e) => e.quantity === quantity);
        return {
          quantity,
          unit: own[0]!.unit,
          estimates: own.length,
          byBasis: Object.fromEntries(
            ESTIMATE_BASES.map((b) => [b, own.filter((e) => e.basis === b).length]),
          ),
        };
      });
      if (format === 'json') {
        printJson({
          sources: doc.sources,
          quantities: perQuantity,
          hypothesisSets: doc.hypothesisSets.map((s) => ({ id: s.id, question: s.question })),
          indicators: doc.indicators.map((i) => ({ id: i.id, text: i.text })),
          forecastQuestions: doc.forecastQuestions.map((q) => ({ id: q.id, text: q.text })),
        });
        return;
      }
      const out = [
        'Sources (Admiralty source reliability)\n',
        renderTable(
          ['id', 'kind', 'reliability', 'name'],
          doc.sources.map((s) => [
            s.id,
            s.kind,
            `${s.reliability} ${RELIABILITY_LABELS[s.reliability]}`,
            s.name,
          ]),
        ),
        '\nQuantities\n',
        renderTable(
          ['quantity', 'unit', 'estimates', ...ESTIMATE_BASES],
          perQuantity.map((q) => [
            q.quantity,
            q.unit,
            String(q.estimates),
            ...ESTIMATE_BASES.map((b) => String(q.byBasis[b])),
          ]),
        ),
        `\n${doc.reports.length} reports; hypothesis sets: ${doc.hypothesisSets.map((s) => s.id).join(', ') || 'none'}; ` +
          `indicators: ${doc.indicators.length}; forecast questions: ${doc.forecastQuestions.length}\n`,
      ];
      process.stdout.write(out.join(''));
    });

  program
    .command('ach [set]')
    .description('score competing hypotheses: weighted inconsistency, consensus, disagreement, diagnosticity')
    .option(...dbOption)
    .option(...evidenceOption)
    .option(...formatOption)
    .action(async (setId: string | undefined, opts: ReadOptions) => {
      const format = formatOf(opts);
      const doc = await loadDocument(opts);
      const sets =
        setId === undefined ? doc.hypothesisSets : doc.hypothesisSets.filter((s) => s.id === setId);
      if (setId !== undefined && sets.length === 0) {
        const known = doc.hypothesisSets.map((s) => s.id).join(', ') || 'none';
        throw new InputError(`no hypothesis set '${setId}' (known: ${known})`);
      }
      const published = (id: string) => reportById(doc, id)?.published;
      const results = sets.map((set) => {
        // The scores as they stood each time a new item of independent evidence became public.
        const dates = [
          ...new Set(
            set.evidence
              .filter((e) => !e.argument && e.report !== undefined)
              .map((e) => published(e.report!))
              .filter((d): d is string => d !== undefined),
          ),
        ].sort();
        return { ...analyzeHypothesisSet(set), byDate: achScoresByDate(set, dates, published) };
      });
      if (format === 'json') printJson({ sets: results });
      else process.stdout.write(renderAch(results));
    });

  program
    .command('estimates <quantity>')
    .description('every estimate of a quantity in date order, with its revision ratio to the later consensus')
    .option(
      '--window <days>',
      'how many days after an estimate count as its later consensus',
      String(DEFAULT_WINDOW_DAYS),
    )
    .option(...dbOption)
    .option(...evidenceOption)
    .option(...formatOption)
    .action(async (quantity: string, opts: ReadOptions & { window: string }) => {
      const format = formatOf(opts);
      const window = parseNumberFlag('--window', opts.window);
      if (!Number.isInteger(window) || window < 1)
        throw new UsageError(`--window expects a whole number of days >= 1, got '${opts.window}'`);
      const doc = await loadDocument(opts);
      if (!doc.estimates.some((e) => e.quantity === quantity)) {
        throw new InputError(
          `no estimates of '${quantity}' (known quantities: ${quantities(doc).join(', ') || 'none'})`,
        );
      }
      const timeline = estimateTimeline(doc, quantity, window);
      if (format === 'json') printJson(timeline);
      else process.stdout.write(renderTimeline(timeline));
    });

  program
    .command('forecasts')
    .description('Brier and log scores per analyst and question, and a calibration table')
    .option(...dbOption)
    .option(...evidenceOption)
    .option(...formatOption)
    .action(async (opts: ReadOptions) => {
      const format = formatOf(opts);
      const report = forecastReport(await loadDocument(opts));
      if (format === 'json') printJson(report);
      else process.stdout.write(renderForecasts(report));
    });

  program
    .command('indicators')
    .description('the state of each indicator, computed from the latest estimates')
    .option('--as-of <date>', 'only use estimates published on or before this date (YYYY-MM-DD)')
    .option(...dbOption)
    .option(...evidenceOption)
    .option(...formatOption)
    .action(async (opts: ReadOptions & { asOf?: string }) => {
      const format = formatOf(opts);
      if (opts.asOf !== undefined && !isIsoDate(opts.asOf)) {
        throw new UsageError(`--as-of expects a date written YYYY-MM-DD, got '${opts.asOf}'`);
      }
      const states = indicatorStates(await loadDocument(opts), opts.asOf);
      if (format === 'json') printJson({ asOf: opts.asOf ?? null, indicators: states });
      else process.stdout.write(renderIndicators(states, opts.asOf));
    });
}
