/**
 * Validation of JSON input from one source: zod schemas. Each input format (evidence file, case
 * files, experiment and calibration specs, API bodies and queries) has one schema in its own
 * module; the TypeScript types are inferred from it and the served OpenAPI document is generated
 * from it, so the three cannot disagree. This module holds the pieces they share: the message of
 * each kind of problem, JSON paths (`data[0].error.sd`), the refusal of prototype keys, and the
 * small building blocks (a finite number, a non-empty string, a choice, a strict object).
 */
import { z } from 'zod';

/** Keys refused anywhere in a document: they would reach an object's prototype when copied. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** One problem found in a document: where (a JSON path, '' for the whole value) and what. */
export interface Problem {
  path: string;
  message: string;
}

/** A JSON path as written in messages: `a.b[0].c`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const k = String(key);
      out += /^[A-Za-z_$][\w$-]*$/.test(k) ? `${out ? '.' : ''}${k}` : `[${JSON.stringify(k)}]`;
    }
  }
  return out;
}

/** The first prototype key in a parsed JSON value, with its path (an object's keys, then its children in order). */
export function findForbiddenKey(value: unknown, path: PropertyKey[] = []): PropertyKey[] | undefined {
  // An explicit stack whose entries point at their parent (no path copied per level): a deeply
  // nested hostile document overflows neither the call stack nor memory.
  const nodes: { key: PropertyKey; parent: number }[] = [];
  const pathOf = (node: number, last: PropertyKey): PropertyKey[] => {
    const keys: PropertyKey[] = [last];
    for (let n = node; n >= 0; n = nodes[n]!.parent) keys.push(nodes[n]!.key);
    return [...path, ...keys.reverse()];
  };
  const stack: { value: unknown; node: number }[] = [{ value, node: -1 }];
  while (stack.length) {
    const { value: v, node } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const keys: PropertyKey[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    for (const k of keys) if (typeof k === 'string' && FORBIDDEN_KEYS.has(k)) return pathOf(node, k);
    for (let i = keys.length - 1; i >= 0; i--) {
      const child = (v as Record<PropertyKey, unknown>)[keys[i]!];
      if (typeof child !== 'object' || child === null) continue;
      nodes.push({ key: keys[i]!, parent: node });
      stack.push({ value: child, node: nodes.length - 1 });
    }
  }
  return undefined;
}

/** A value as messages show it: a string in single quotes (cut at 40 characters), else its kind. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a finite number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

type RawIssue = z.core.$ZodRawIssue;

/** Our wording of a problem no schema worded itself (passed to zod as the parse's error map). */
function defaultMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'unrecognized_keys': {
      // The object's own fields, listed so that a misspelt key shows what was meant.
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      return shape ? `unknown field (expected one of ${Object.keys(shape).join(', ')})` : 'unknown field';
    }
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? String(issue.expected);
      return issue.input === undefined
        ? `is required (${expected})`
        : `must be ${expected}, got ${describe(issue.input)}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}; got ${describe(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return `must have at least ${String(issue.minimum)} character(s)`;
      return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${describe(issue.input)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} item(s)`;
      if (issue.origin === 'string') return `must have at most ${String(issue.maximum)} character(s)`;
      if (issue.origin === 'object') return `must have at most ${String(issue.maximum)} entries`;
      return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${describe(issue.input)}`;
    case 'invalid_format':
      return `must match ${issue.pattern ?? issue.format}`;
    case 'invalid_union':
      return 'is not one of the accepted forms';
    default:
      return undefined;
  }
}

/** One zod issue as a located problem (an unknown key is located at the key itself). */
export function problemOf(issue: z.core.$ZodIssue): Problem {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
  // A union none of whose forms fit: when one form got past the value's type (its first problem
  // lies deeper), that problem is the one to report; otherwise the union's own message.
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const deepest = issue.errors
      .filter((branch) => branch.length > 0)
      .reduce<z.core.$ZodIssue | undefined>((best, branch) => {
        const first = branch[0];
        const depth = (i: z.core.$ZodIssue) => i.path.length + (i.code === 'unrecognized_keys' ? 1 : 0);
        return !best || depth(first) > depth(best) ? first : best;
      }, undefined);
    if (deepest && (deepest.path.length > 0 || deepest.code === 'unrecognized_keys')) {
      const inner = problemOf(deepest);
      const prefix = formatPath(path);
      return {
        path:
          prefix && !inner.path.startsWith('[') && inner.path
            ? `${prefix}.${inner.path}`
            : prefix + inner.path,
        message: inner.message,
      };
    }
  }
  return { path: formatPath(path), message: issue.message };
}

/** Check a parsed JSON value against a schema: its output, or every problem found (located). */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | { ok: false; problems: Problem[] } {
  const forbidden = findForbiddenKey(value);
  if (forbidden) {
    return {
      ok: false,
      problems: [
        { path: formatPath(forbidden), message: 'is a reserved key (__proto__, constructor, prototype)' },
      ],
    };
  }
  const r = schema.safeParse(value, { error: defaultMessage });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problems: r.error.issues.map(problemOf) };
}

// ---------------------------------------------------------------------------------------------
// Building blocks shared by the formats.

/** A finite number; `what` replaces "a finite number" in messages (e.g. "a number of days"). */
export const finite = (what = 'a finite number') =>
  z.number({
    error: (iss) =>
      iss.input === undefined ? `is required (${what})` : `must be ${what}, got ${describe(iss.input)}`,
  });

/** A string that is not empty or blank. */
export const text = () =>
  z
    .string({
      error: (iss) => (iss.input === undefined ? 'is required (a string)' : 'must be a non-empty string'),
    })
    .refine((s) => s.trim() !== '', 'must be a non-empty string');

/** One of a fixed list of strings; the message lists them and the value given. */
export const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (iss) =>
      iss.input === undefined
        ? `is required (one of ${values.join(', ')})`
        : `must be one of ${values.join(', ')}; got ${describe(iss.input)}`,
  });

/** true or false. */
export const flag = () => z.boolean({ error: 'must be true or false' });

/** A non-empty array of finite numbers. */
export const numbers = () =>
  z
    .array(finite(), { error: 'must be a non-empty array of numbers' })
    .min(1, 'must be a non-empty array of numbers');

/**
 * An object with exactly these fields: an unknown key is refused, located at the key, with the
 * accepted ones listed. `shape` says what each field holds.
 */
export const strict = <S extends z.ZodRawShape>(shape: S, expected?: string) =>
  z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'invalid_type')
        return `must be ${expected ?? 'an object'}${iss.input === undefined ? '' : `, got ${describe(iss.input)}`}`;
      return undefined;
    },
  });

/** An object used as a map from names to values. */
export const record = <V extends z.ZodType>(value: V, expected = 'an object') =>
  z.record(z.string(), value, {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? `must be ${expected}${iss.input === undefined ? '' : `, got ${describe(iss.input)}`}`
        : undefined,
  });

/** A calendar date YYYY-MM-DD that exists (2025-02-30 does not). */
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date as a day count (UTC), or NaN when it is not a real YYYY-MM-DD date. */
export function dayNumber(date: string): number {
  if (!DATE_PATTERN.test(date)) return NaN;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return NaN;
  return ms / 86400000;
}
export const date = () =>
  z
    .string({ error: (iss) => `must be a date YYYY-MM-DD, got ${describe(iss.input)}` })
    .refine((s) => Number.isFinite(dayNumber(s)), {
      error: (iss) => `must be a date YYYY-MM-DD, got ${describe(iss.input)}`,
    });

export { describe as describeValue };
