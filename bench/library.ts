/**
 * The library a benchmark measures: the compiled one (dist/) when it is newer than every source it
 * is built from, as `interlock` runs it, else the sources through tsx. Through tsx every function
 * carries a naming wrapper (keepNames), which slows code that makes many closures (the readers,
 * lowering) and so skews a comparison between them. `--src` forces the sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time of the non-test .ts files under src/. */
function newestSource(): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, f.name);
      if (f.isDirectory()) visit(p);
      else if (f.name.endsWith('.ts') && !f.name.endsWith('.test.ts'))
        newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  visit(join(REPO, 'src'));
  return newest;
}

/** Whether the modules below come from dist/ (the built library) rather than src/. */
export const FROM_DIST =
  !process.argv.includes('--src') &&
  existsSync(join(REPO, 'dist', 'engine.js')) &&
  statSync(join(REPO, 'dist', 'engine.js')).mtimeMs >= newestSource();

/** Import `src/<path>.ts` or its built `dist/<path>.js`, typed as the source module. */
export async function libraryModule<T>(path: string): Promise<T> {
  const file = FROM_DIST ? join(REPO, 'dist', `${path}.js`) : join(REPO, 'src', `${path}.ts`);
  return (await import(pathToFileURL(file).href)) as T;
}
