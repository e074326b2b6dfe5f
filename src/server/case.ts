/** Case data kept beside a model file: scenarios, parameter sources and ranges, loops, evidence. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CASE_FILES = ['scenarios', 'parameters', 'loops', 'evidence'] as const;

/** The case files found in `dir` (null when there are none). A broken file is reported, not fatal. */
export function readCaseData(dir: string | undefined): Record<string, unknown> | null {
  if (!dir) return null;
  const data: Record<string, unknown> = {};
  let any = false;
  for (const name of CASE_FILES) {
    const file = join(dir, `${name}.json`);
    if (!existsSync(file)) continue;
    try {
      data[name] = JSON.parse(readFileSync(file, 'utf8'));
      any = true;
    } catch (err) {
      data[`${name}Error`] = `could not read ${name}.json: ${(err as Error).message}`;
    }
  }
  const readme = join(dir, 'README.md');
  if (any && existsSync(readme)) data.readme = readFileSync(readme, 'utf8').slice(0, 200_000);
  return any ? data : null;
}
