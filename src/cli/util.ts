/**
 * Shared helpers of the command-line shell: exit codes, error types and output.
 * Exit codes: 0 success; 1 the input (model, spec, data) is wrong; 2 bad usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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
