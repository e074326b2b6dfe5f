/**
 * Request paths never reach the file system unchecked: everything is resolved against an
 * allowed root and refused when it would leave it (`..`, absolute paths, symlinks out).
 */
import { realpathSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export const MODEL_EXTENSIONS = ['.xmile', '.stmx', '.xml'];

/**
 * Resolve a relative path under `root`. Returns undefined when the path is absolute, contains a
 * NUL, climbs out of the root, or (once symlinks are followed) lands outside it.
 */
export function resolveUnder(root: string, requested: string): string | undefined {
  if (requested.includes('\0') || isAbsolute(requested) || /^[a-zA-Z]:/.test(requested)) return undefined;
  const rootReal = safeRealpath(root) ?? resolve(root);
  const candidate = resolve(rootReal, requested);
  if (!isInside(rootReal, candidate)) return undefined;
  const real = safeRealpath(candidate);
  if (real !== undefined && !isInside(rootReal, real)) return undefined;
  return real ?? candidate;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Model files under `root` (depth-limited, hidden and dependency folders skipped), root-relative. */
export function listModelFiles(root: string, maxDepth = 4, limit = 500): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > maxDepth || out.length >= limit) return;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (name.startsWith('.') || name === 'node_modules' || name === 'dist' || name === 'web-dist') continue;
      const full = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(full, depth + 1);
      else if (MODEL_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) {
        out.push(relative(root, full).split(sep).join('/'));
        if (out.length >= limit) return;
      }
    }
  };
  walk(root, 0);
  return out;
}

/**
 * Folders under `root` (depth-limited, hidden and dependency folders skipped) that hold `marker`
 * (e.g. metadata.json of experiment results), root-relative, at most `limit`.
 */
export function listFoldersWith(
  root: string,
  starts: string[],
  marker: string[],
  maxDepth = 3,
  limit = 100,
): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (out.length >= limit || depth > maxDepth) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && marker.includes(e.name))) {
      out.push(relative(root, dir).split(sep).join('/'));
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      walk(join(dir, e.name), depth + 1);
    }
  };
  for (const s of starts) {
    const full = resolveUnder(root, s);
    if (full) walk(full, 0);
  }
  return [...new Set(out)].sort();
}
