/**
 * From a calibration spec on disk to a ProblemDefinition (Node only): read the model, the data
 * files (CSV/TSV of time,value with optional sd, low, high, published) and evidence streams, map
 * dates to model time, apply `asOf`, drop repeated briefings, grade each evidence row's error.
 * Every problem is a SpecError naming the field, or the data file and line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCaseDefinition } from '../case/definition.js';
import {
  parseEvidenceJson,
  orderingDate,
  publishedDate,
  type Estimate,
  type EvidenceDocument,
  type InformationCredibility,
  type Reliability,
} from '../evidence/data.js';
import { makeDistribution, type Distribution } from '../experiments/distributions.js';
import { SpecError } from '../experiments/spec.js';
import type { ObservationRow, RowKind } from './likelihood.js';
import type { ProblemDefinition, StreamDefinition, VectorEntry } from './problem.js';
import { dayNumber, parseCalibrationSpec, type CalibrationSpec, type StreamSpec } from './spec.js';

/**
 * How a source's grade widens its error: the Admiralty reliability of the source (A-F) times the
 * credibility of the report (1-6). A figure from a reliable source, confirmed, keeps the stream's
 * error; an unreliable source's improbable figure counts with an error 7.5 times wider (a weight
 * of 1/56 in a normal likelihood). "Cannot be judged" (F, 6) is taken as fair (C, 3).
 */
export const RELIABILITY_SCALE: Record<Reliability, number> = { A: 1, B: 1.25, C: 1.5, D: 2, E: 3, F: 1.5 };
export const CREDIBILITY_SCALE: Record<InformationCredibility, number> = {
  1: 1,
  2: 1.15,
  3: 1.35,
  4: 1.75,
  5: 2.5,
  6: 1.35,
};

export interface StreamReport {
  name: string;
  variable: string;
  /** Rows used. */
  rows: number;
  /** Rows left out because they were published after `asOf`. */
  afterAsOf: number;
  /** Estimates left out as repeats of a briefing already counted. */
  duplicates: string[];
  /** Rows outside the simulated time span. */
  outsideRun: number;
}

export interface LoadedCalibration {
  spec: CalibrationSpec;
  specFile: string;
  modelFile: string;
  modelHash: string;
  definition: ProblemDefinition;
  /** Priors of the vector entries, in order. */
  priors: Distribution[];
  streams: StreamReport[];
  calendar?: { start: string; daysPerTimeUnit: number };
  warnings: string[];
}

export interface LoadOptions {
  asOf?: string;
  method?: CalibrationSpec['method'];
  samples?: number;
}

function readText(file: string, field: string): string {
  try {
    let text = readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(field, `cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

function readJson(file: string, field: string): unknown {
  const text = readText(file, field);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SpecError(field, `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

const COLUMNS = ['time', 'value', 'sd', 'low', 'high', 'published'] as const;

/** A data file's rows. `time` is model time; `published` a date. */
export function parseDataFile(
  text: string,
  file: string,
  stream: number,
  streamName: string,
): ObservationRow[] {
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '' && !lines[i].trimStart().startsWith('#')) {
      headerLine = i;
      break;
    }
  }
  const fail = (line: number, message: string): never => {
    throw new SpecError(`data[${stream}]`, `${file}:${line}: ${message}`);
  };
  if (headerLine < 0) fail(1, 'no header row (expected time,value and optional sd, low, high, published)');
  const separator = lines[headerLine].includes('\t') ? '\t' : ',';
  const header = lines[headerLine].split(separator).map((h) => h.trim().toLowerCase());
  header.forEach((h, i) => {
    if (!(COLUMNS as readonly string[]).includes(h)) {
      fail(headerLine + 1, `unknown column '${h}' (column ${i + 1}); expected ${COLUMNS.join(', ')}`);
    }
    if (header.indexOf(h) !== i) fail(headerLine + 1, `column '${h}' appears twice`);
  });
  if (!header.includes('time')) fail(headerLine + 1, "no 'time' column");
  if (!header.includes('value') && !header.includes('low') && !header.includes('high')) {
    fail(headerLine + 1, "no 'value' column (or 'low'/'high' for censored data)");
  }
  const rows: ObservationRow[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = raw.split(separator).map((c) => c.trim());
    if (cells.length !== header.length) {
      fail(i + 1, `expected ${header.length} fields (${header.join(separator)}), found ${cells.length}`);
    }
    const get = (name: string): string => {
      const k = header.indexOf(name);
      return k < 0 ? '' : cells[k];
    };
    const num = (name: string, required: boolean): number => {
      const text = get(name);
      if (text === '') {
        if (required) fail(i + 1, `'${name}' is empty`);
        return NaN;
      }
      const x = Number(text);
      if (!Number.isFinite(x)) fail(i + 1, `'${name}' is not a finite number: '${text}'`);
      return x;
    };
    const time = num('time', true);
    const value = num('value', false);
    const low = num('low', false);
    const high = num('high', false);
    const sd = num('sd', false);
    if (!Number.isNaN(sd) && !(sd > 0)) fail(i + 1, `'sd' must be positive, got ${sd}`);
    let kind: RowKind;
    if (!Number.isNaN(value)) {
      if (!Number.isNaN(low) || !Number.isNaN(high)) fail(i + 1, "give 'value' or 'low'/'high', not both");
      kind = 'point';
    } else if (!Number.isNaN(low) && !Number.isNaN(high)) {
      if (!(high > low)) fail(i + 1, `'high' (${high}) must be greater than 'low' (${low})`);
      kind = 'range';
    } else if (!Number.isNaN(low)) kind = 'at-least';
    else if (!Number.isNaN(high)) kind = 'up-to';
    else return fail(i + 1, "no 'value', 'low' or 'high'");
    const published = get('published');
    if (published && !Number.isFinite(dayNumber(published))) {
      fail(i + 1, `'published' must be a date YYYY-MM-DD, got '${published}'`);
    }
    rows.push({
      stream,
      time,
      kind,
      value,
      low,
      high,
      sd,
      scale: 1,
      biasIndex: -1,
      id: `${streamName}:${i + 1}`,
      ...(published ? { published } : {}),
    });
  }
  if (rows.length === 0) fail(headerLine + 1, 'no data rows');
  return rows;
}

const measureOf = (e: Estimate): string | undefined => e.measure;
const briefingOf = (e: Estimate): string | undefined => e.briefing;

/**
 * The key that makes two estimates one piece of evidence: the briefing they repeat when the
 * evidence says so; otherwise the same source giving the same figure for the same date.
 */
export function duplicateKey(e: Estimate): string {
  const briefing = briefingOf(e);
  if (briefing) return `briefing:${briefing}`;
  return JSON.stringify([
    e.source,
    e.quantity,
    measureOf(e) ?? '',
    e.asOf,
    e.value ?? null,
    e.low ?? null,
    e.high ?? null,
    e.qualifier ?? null,
  ]);
}

export function evidenceRows(
  doc: EvidenceDocument,
  stream: StreamSpec,
  index: number,
  toTime: (date: string) => number,
  duplicates: string[],
): ObservationRow[] {
  const source = stream.source;
  if (source.kind !== 'evidence') return [];
  const reliability = new Map(doc.sources.map((s) => [s.id, s.reliability]));
  const credibility = new Map(doc.reports.map((r) => [r.id, r.credibility]));
  const chosen = doc.estimates
    .filter((e) => e.quantity === source.quantity)
    .filter((e) => source.bases.includes(e.basis))
    .filter((e) => !source.measures || source.measures.includes(measureOf(e) ?? ''))
    // An undated page is ordered by the date it describes (and, for asOf, never taken as known).
    .map((e) => ({ e, published: publishedDate(doc, e), order: orderingDate(doc, e) }))
    .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.e.id < b.e.id ? -1 : 1));
  const seen = new Set<string>();
  const rows: ObservationRow[] = [];
  for (const { e, published } of chosen) {
    if (stream.dedupe) {
      const key = duplicateKey(e);
      if (seen.has(key)) {
        duplicates.push(e.id);
        continue;
      }
      seen.add(key);
    }
    let kind: RowKind;
    let value = NaN;
    let low = NaN;
    let high = NaN;
    if (e.value !== undefined) {
      if (e.qualifier === 'at-least' || e.qualifier === 'more-than') {
        kind = 'at-least';
        low = e.value;
      } else if (e.qualifier === 'up-to') {
        kind = 'up-to';
        high = e.value;
      } else {
        kind = 'point';
        value = e.value;
      }
    } else if (e.low !== undefined && e.high !== undefined) {
      kind = 'range';
      low = e.low;
      high = e.high;
    } else if (e.low !== undefined) {
      kind = 'at-least';
      low = e.low;
    } else if (e.high !== undefined) {
      kind = 'up-to';
      high = e.high;
    } else continue;
    const grade = stream.error.grade
      ? RELIABILITY_SCALE[reliability.get(e.source) ?? 'F'] *
        CREDIBILITY_SCALE[credibility.get(e.report) ?? 6]
      : 1;
    rows.push({
      stream: index,
      time: toTime(e.asOf),
      kind,
      value,
      low,
      high,
      sd: NaN,
      scale: grade,
      biasIndex: -1,
      id: e.id,
      source: e.source,
      date: e.asOf,
      ...(e.briefing ? { briefing: e.briefing } : {}),
      ...(published ? { published } : {}),
    });
  }
  return rows;
}

/**
 * One briefing, one piece of evidence: when a briefing gives figures to several streams (the killed
 * and the killed-and-wounded of one NIS briefing, say), their errors are not independent, so each of
 * its k rows gets weight 1/k and the briefing counts once in the total. Rows without a briefing, or
 * whose briefing feeds one row, keep weight 1.
 */
export function shareBriefings(rows: ObservationRow[]): void {
  const count = new Map<string, number>();
  for (const r of rows) if (r.briefing) count.set(r.briefing, (count.get(r.briefing) ?? 0) + 1);
  for (const r of rows) {
    const k = r.briefing ? (count.get(r.briefing) ?? 1) : 1;
    if (k > 1) r.weight = 1 / k;
  }
}

/** Read a calibration spec and everything it names. Paths are relative to the spec file. */
export function loadCalibrationFile(specFile: string, options: LoadOptions = {}): LoadedCalibration {
  const spec = parseCalibrationSpec(readJson(specFile, '(spec)'), specFile);
  if (options.method) spec.method = options.method;
  if (options.samples !== undefined) spec.samples = options.samples;
  if (options.asOf !== undefined) {
    if (!Number.isFinite(dayNumber(options.asOf)))
      throw new SpecError('asOf', `must be a date YYYY-MM-DD, got '${options.asOf}'`);
    spec.asOf = options.asOf;
  }
  const base = dirname(resolve(specFile));
  const modelFile = resolve(base, spec.model);
  const modelText = readText(modelFile, 'model');
  const warnings: string[] = [];

  let calendar = spec.calendar;
  if (!calendar) {
    const caseFile = join(dirname(modelFile), 'case.json');
    if (existsSync(caseFile)) {
      const definition = parseCaseDefinition(readJson(caseFile, 'calendar'), caseFile);
      if (definition.startDate)
        calendar = { start: definition.startDate, daysPerTimeUnit: definition.daysPerTimeUnit };
    }
  }
  const startTime = spec.run.start ?? 0;
  const toTime = (date: string): number => {
    if (!calendar)
      throw new SpecError(
        'calendar',
        'dated data need a "calendar" in the spec (or a case.json beside the model)',
      );
    return startTime + (dayNumber(date) - dayNumber(calendar.start)) / calendar.daysPerTimeUnit;
  };

  const entries: VectorEntry[] = [];
  const priors: Distribution[] = [];
  spec.parameters.forEach((p, i) => {
    entries.push({ name: p.name, kind: 'model', variable: p.variable, field: `parameters[${i}]` });
    priors.push(makeDistribution(p.prior));
  });
  const streams: StreamDefinition[] = [];
  const rows: ObservationRow[] = [];
  const reports: StreamReport[] = [];
  const evidenceCache = new Map<string, EvidenceDocument>();
  spec.data.forEach((stream, index) => {
    const field = `data[${index}]`;
    let scaleIndex = -1;
    if (stream.error.sd.kind === 'estimate') {
      scaleIndex = entries.length;
      entries.push({ name: `sd.${stream.name}`, kind: 'scale', stream: index, field: `${field}.error.sd` });
      priors.push(makeDistribution(stream.error.sd.prior));
    }
    streams.push({
      name: stream.name,
      variable: stream.variable,
      error: { dist: stream.error.dist, df: stream.error.df, log: stream.error.log },
      fixedScale: stream.error.sd.kind === 'fixed' ? stream.error.sd.value : NaN,
      rowScale: stream.error.sd.kind === 'row',
      scaleIndex,
      field,
    });
    const duplicates: string[] = [];
    let streamRows: ObservationRow[];
    if (stream.source.kind === 'file') {
      const path = resolve(base, stream.source.file);
      streamRows = parseDataFile(readText(path, `${field}.file`), stream.source.file, index, stream.name);
      if (stream.error.sd.kind === 'row') {
        const missing = streamRows.find((r) => Number.isNaN(r.sd));
        if (missing)
          throw new SpecError(
            `${field}.error.sd`,
            `"row" needs an 'sd' on every row; ${missing.id} has none`,
          );
      }
      // A row's publication date, when not given, is the date it describes (if there is a calendar).
      for (const row of streamRows) {
        if (!row.published && calendar) {
          const day = dayNumber(calendar.start) + (row.time - startTime) * calendar.daysPerTimeUnit;
          row.date = new Date(Math.round(day) * 86400000).toISOString().slice(0, 10);
        }
      }
    } else {
      if (stream.error.sd.kind === 'row')
        throw new SpecError(`${field}.error.sd`, '"row" applies to data files with an sd column');
      const path = resolve(base, stream.source.file);
      let doc = evidenceCache.get(path);
      if (!doc) {
        const parsed = parseEvidenceJson(readText(path, `${field}.evidence`));
        if (!parsed.ok) {
          const first = parsed.issues[0];
          const where = first.line
            ? `${stream.source.file}:${first.line}:${first.column ?? 1}`
            : `${stream.source.file} ${first.path}`;
          throw new SpecError(`${field}.evidence`, `${where}: ${first.message}`);
        }
        doc = parsed.document;
        evidenceCache.set(path, doc);
      }
      const quantity = stream.source.quantity;
      if (!doc.estimates.some((e) => e.quantity === quantity)) {
        const known = [...new Set(doc.estimates.map((e) => e.quantity))].sort();
        throw new SpecError(
          `${field}.quantity`,
          `no estimate of '${quantity}' in ${stream.source.file} (known: ${known.join(', ')})`,
        );
      }
      streamRows = evidenceRows(doc, stream, index, toTime, duplicates);
      if (streamRows.length === 0) {
        throw new SpecError(field, `no estimate of '${quantity}' matches the stream's measure and bases`);
      }
    }
    // Bias parameters: one per stream, or one per source (all of the stream's sources, whether or
    // not their figures are published by asOf, so every date of a sequence has the same vector).
    const bias = stream.bias;
    if (bias) {
      const prior = makeDistribution(bias.prior);
      const add = (name: string): number => {
        entries.push({ name, kind: 'bias', stream: index, field: `${field}.bias` });
        priors.push(prior);
        return entries.length - 1;
      };
      if (bias.by === 'stream') {
        const k = add(`bias.${stream.name}`);
        for (const row of streamRows) row.biasIndex = k;
      } else {
        const sources = [...new Set(streamRows.map((r) => r.source ?? ''))].sort();
        if (bias.reference !== undefined && !sources.includes(bias.reference)) {
          throw new SpecError(
            `${field}.bias.reference`,
            `no row of this stream comes from '${bias.reference}' (its sources: ${sources.join(', ')})`,
          );
        }
        const bySource = new Map<string, number>();
        for (const source of sources)
          if (source !== bias.reference) bySource.set(source, add(`bias.${stream.name}.${source}`));
        for (const row of streamRows) row.biasIndex = bySource.get(row.source ?? '') ?? -1;
      }
    }
    let afterAsOf = 0;
    if (spec.asOf) {
      const before = streamRows.length;
      // An estimate from an undated page (a date it describes, none of publication) never counts
      // as published by a date: with asOf it is left out. Rows of data files without dates stay.
      streamRows = streamRows.filter((r) => {
        if (r.published === undefined) return r.date === undefined;
        return r.published <= spec.asOf!;
      });
      afterAsOf = before - streamRows.length;
    }
    reports.push({
      name: stream.name,
      variable: stream.variable,
      rows: streamRows.length,
      afterAsOf,
      duplicates,
      outsideRun: 0,
    });
    rows.push(...streamRows);
  });
  shareBriefings(rows);
  if (rows.length === 0)
    warnings.push('no data row is left (asOf is before every publication): the posterior is the prior');

  const predictPoints = spec.predict.points.map((p) => ({ ...p, time: p.time ?? toTime(p.date!) }));
  spec.predict.points = predictPoints;
  const definition: ProblemDefinition = {
    model: { text: modelText, file: spec.model },
    run: spec.run,
    seed: spec.seed,
    entries,
    streams,
    rows,
    extraVariables: [...new Set([...spec.predict.variables, ...predictPoints.map((p) => p.variable)])],
  };
  return {
    spec,
    specFile,
    modelFile,
    modelHash: createHash('sha256').update(modelText).digest('hex'),
    definition,
    priors,
    streams: reports,
    calendar,
    warnings,
  };
}
