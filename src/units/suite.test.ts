/**
 * Runs the unit checker over every model of the SDXorg test-model suite
 * (`../shared/sd-test-models`, next to the repository) and over the models shipped in `models/`.
 * These files declare few units and some sloppily; the checker must never throw and must only
 * produce well-formed warnings. Skipped with a message when the suite is not there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readModel } from '../engine.js';
import { checkUnits } from './check.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = path.resolve(repoRoot, '..', 'shared', 'sd-test-models', 'tests');
const haveSuite = existsSync(suiteDir);
if (!haveSuite) console.warn(`unit suite tests skipped: ${path.relative(repoRoot, suiteDir)} not found`);

function modelFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...modelFiles(full));
    else if (/\.(xmile|stmx)$/i.test(entry)) out.push(full);
  }
  return out;
}

const CODES = new Set(['unit-mismatch', 'unit-unknown', 'unit-syntax']);

describe.skipIf(!haveSuite)('units over the SDXorg suite and the shipped models', () => {
  const files = [...modelFiles(suiteDir), ...modelFiles(path.join(repoRoot, 'models'))];

  it('finds the model files', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('checks every readable model without an internal error, giving well-formed warnings', () => {
    let checked = 0;
    for (const f of files) {
      const rel = path.relative(repoRoot, f);
      const { model } = readModel(readFileSync(f, 'utf8'), { file: rel });
      if (!model) continue;
      checked++;
      const ws = checkUnits(model);
      for (const w of ws) {
        expect(w.severity, rel).toBe('warning');
        expect(CODES.has(w.code), `${rel}: ${w.code}`).toBe(true);
        expect(w.message, rel).not.toContain('internal error');
        expect(w.file, rel).toBe(rel);
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
