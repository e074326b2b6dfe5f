/**
 * Shared helpers of the command-line shell: exit codes, error types and output.
 * Exit codes: 0 success; 1 the input (model, spec, data) is wrong; 2 bad usage.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { parseBudgetItems, type Budgets } from '../model/budgets.js';
import type { Diagnostic } from '../model/types.js';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/** Bad usage: an unknown flag value, a missing argument. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The input is wrong (a model, spec or data file). Exit 1. Carries located diagnostics. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

/** `FILE:LINE:COL: severity: message` (parts omitted when unknown). */
export function formatDiagnostic(d: Diagnostic): string {
  const where: string[] = [];
  if (d.file) where.push(d.file);
  if (d.line !== undefined) {
    where.push(String(d.line));
    if (d.column !== undefined) where.push(String(d.column));
  }
  const prefix = where.length ? `${where.join(':')}: ` : '';
  const subject = d.variable && !d.message.includes(d.variable) ? ` (in ${d.variable})` : '';
  return `${prefix}${d.severity}: ${d.message}${subject}`;
}

/** Write to a file, or to stdout when `out` is absent or `-`. */
export function writeOutput(text: string, out?: string): void {
  if (!out || out === '-') {
    process.stdout.write(text);
  } else {
    // The folder is made when missing, so `--out out/result.json` works on a fresh clone.
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  }
}

/**
 * Write a large text piece by piece (to a file, or stdout for `-` or none), so that it is never
 * built as one string: `pieces` yields the text in blocks.
 */
export function writeStreamed(pieces: Iterable<string>, out?: string): void {
  const toStdout = !out || out === '-';
  const fd = toStdout ? 1 : openSync(out, 'w');
  try {
    for (const piece of pieces) {
      const bytes = Buffer.from(piece, 'utf8');
      let offset = 0;
      while (offset < bytes.length) {
        try {
          offset += writeSync(fd, bytes, offset, bytes.length - offset);
        } catch (err) {
          // A non-blocking stdout (a pipe) can be momentarily full: wait for it and go on.
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
    }
  } finally {
    if (!toStdout) closeSync(fd);
  }
}

function collectItem(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The `--budget NAME=N` option (repeatable); see model/budgets.ts for the names. */
export function addBudgetOption(command: Command): Command {
  return command.option(
    '--budget <name=n>',
    'raise or lower a resource budget (elements, delayOrder, steps, savedCells, runs, experimentCells, workers); repeatable',
    collectItem,
    [],
  );
}

/** The budgets given with --budget, or a usage error naming the bad item. */
export function budgetsFromFlags(items: string[] | undefined): Partial<Budgets> {
  const { budgets, error } = parseBudgetItems(items ?? []);
  if (error) throw new UsageError(error);
  return budgets;
}

/** Parse a finite number from a flag value, or raise a usage error naming the flag. */
export function parseNumberFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`${flag} expects a number, got '${value}'`);
  }
  return n;
}

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const v = value.toLowerCase() as T;
  if (!choices.includes(v)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}; got '${value}'`);
  }
  return v;
}
