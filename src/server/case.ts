/**
 * Case data kept beside a model file: the case definition (case.json), scenarios, parameter
 * sources and ranges, named loops, evidence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** File stem -> key in the case data ('case.json' is the case definition: question, charts, ...). */
const CASE_FILES: Record<string, string> = {
  scenarios: 'scenarios',
  parameters: 'parameters',
  loops: 'loops',
  evidence: 'evidence',
  case: 'definition',
};

/** The case files found in `dir` (null when there are none). A broken file is reported, not fatal. */
export function readCaseData(dir: string | undefined): Record<string, unknown> | null {
  if (!dir) return null;
  const data: Record<string, unknown> = {};
  let any = false;
  for (const [name, field] of Object.entries(CASE_FILES)) {
    const file = join(dir, `${name}.json`);
    if (!existsSync(file)) continue;
    try {
      data[field] = JSON.parse(readFileSync(file, 'utf8'));
      any = true;
    } catch (err) {
      data[`${field}Error`] = `could not read ${name}.json: ${(err as Error).message}`;
    }
  }
  const readme = join(dir, 'README.md');
  if (any && existsSync(readme)) data.readme = readFileSync(readme, 'utf8').slice(0, 200_000);
  return any ? data : null;
}
