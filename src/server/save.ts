/**
 * Saving a model the workbench edited: back to the file it was opened from, or as a named
 * alternative beside a case model. The text must be XMILE that the engine reads and compiles
 * without errors (checked in a worker before anything is written); the write goes to a temporary
 * file in the same folder, is flushed, then renamed over the target, so a crash mid-save leaves
 * the old file whole.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HttpError } from './http.js';
import { canonicalName } from '../equations/names.js';

/** A name for an alternative: lower case letters, digits and dashes, as model ids are. */
export const ALTERNATIVE_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Where a case's alternatives live, relative to its folder. */
export const ALTERNATIVES_DIR = 'alternatives';

/** Refuse text that is not an XMILE document before it reaches the engine. */
export function checkXmileShape(text: string): void {
  if (!text.trim()) throw new HttpError(400, 'empty model');
  const head = text.replace(/^\uFEFF/, '').trimStart();
  const body = head.startsWith('<?xml') ? head.slice(head.indexOf('?>') + 2).trimStart() : head;
  if (!/^<xmile[\s>]/.test(body.replace(/^(<!--[\s\S]*?-->\s*)*/, '')))
    throw new HttpError(422, 'not an XMILE document (its root element must be <xmile>)');
}

/**
 * Write `text` to `target` atomically: a temporary file beside it, flushed to disk, renamed over
 * it. `beforeRename` (tests) runs between the flush and the rename.
 */
export function atomicWrite(target: string, text: string, beforeRename?: () => void): void {
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    beforeRename?.();
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The file an alternative of a case model is written to. */
export function alternativePath(caseDir: string, name: string): string {
  if (!ALTERNATIVE_NAME.test(name))
    throw new HttpError(400, 'an alternative name is 1-40 lower-case letters, digits and dashes');
  const dir = join(caseDir, ALTERNATIVES_DIR);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.xmile`);
}

/** Header of a save that lists the variables renamed since the file was last saved. */
export const RENAMED_HEADER = 'x-renamed';

/**
 * The renames a save carries (header x-renamed: URI-encoded JSON `[["old", "new"], ...]`), or an
 * empty list when the header is absent. Anything else is refused before a file is touched.
 */
export function parseRenames(header: string | string[] | undefined): [string, string][] {
  if (header === undefined || header === '') return [];
  const bad = (why: string) => new HttpError(400, `${RENAMED_HEADER}: ${why}`);
  if (Array.isArray(header)) throw bad('give the header once');
  let json: unknown;
  try {
    json = JSON.parse(decodeURIComponent(header));
  } catch {
    throw bad('must be URI-encoded JSON like [["old name", "new name"]]');
  }
  if (!Array.isArray(json) || json.length > 500) throw bad('must be a list of at most 500 [old, new] pairs');
  return json.map((pair, i) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      !pair.every((n) => typeof n === 'string' && n.trim() !== '' && n.length <= 400)
    )
      throw bad(`entry ${i} must be [old name, new name] (non-empty strings)`);
    return [pair[0], pair[1]] as [string, string];
  });
}

/** Where an alternative's renames (relative to the case model) are kept: beside its file. */
export function renamesPath(alternativeFile: string): string {
  return alternativeFile.replace(/\.xmile$/i, '') + '.renames.json';
}

/**
 * Renames relative to the case model after more renames of the alternative's current names:
 * [a, b] then [b, c] is [a, c]; a name renamed back drops out; new names are added.
 */
export function composeRenames(
  before: readonly [string, string][],
  after: readonly [string, string][],
): [string, string][] {
  const key = canonicalName;
  const next = new Map(after.map(([from, to]) => [key(from), to]));
  const out: [string, string][] = before.map(([orig, cur]) => [orig, next.get(key(cur)) ?? cur]);
  const current = new Set(before.map(([, cur]) => key(cur)));
  for (const [from, to] of after) if (!current.has(key(from))) out.push([from, to]);
  return out.filter(([a, b]) => key(a) !== key(b));
}
