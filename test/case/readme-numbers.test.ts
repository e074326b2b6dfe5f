/**
 * The README's headline numbers are what `npm run case:numbers` prints now: this fails when the
 * model, its parameters or the experiment spec change and the README is not regenerated
 * (`npm run case:numbers -- --write`). Tables are compared cell by cell, so that Prettier's column
 * padding does not count as drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headlineText, readmeNumbers } from '../../models/north-korea-russia/tools/numbers.js';
import { HEADLINE_CACHE, headlineKey } from '../../src/case/case-answers.js';
import { HEADLINE_DEFAULTS } from '../../src/case/headline.js';

/** Lines with table cells trimmed and separator rows reduced to their shape. */
function normalise(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((cell) => (/^\s*-+\s*$/.test(cell) ? '---' : cell.trim()))
            .join('|')
        : line,
    );
}

describe('README headline numbers', () => {
  it('match what the numbers script prints now', () => {
    const readme = readFileSync('models/north-korea-russia/README.md', 'utf8');
    const block = readmeNumbers(readme);
    expect(block.length).toBeGreaterThan(100);
    const fresh = headlineText(HEADLINE_DEFAULTS, 'ignore');
    expect(normalise(block)).toEqual(normalise(fresh));
    // The kept ensemble (calibration/headline.json, read by npm start and the workbench) is current
    // and gives the same numbers as the fresh one.
    expect(headlineText(HEADLINE_DEFAULTS, 'use')).toBe(fresh);
    const kept = JSON.parse(readFileSync(`models/north-korea-russia/${HEADLINE_CACHE}`, 'utf8')) as {
      key: string;
    };
    expect(kept.key, 'run npm run case:numbers -- --write').toBe(
      headlineKey('models/north-korea-russia', HEADLINE_DEFAULTS),
    );
  }, 600_000);

  it('would notice a changed figure (the comparison above can fail)', () => {
    const readme = readFileSync('models/north-korea-russia/README.md', 'utf8');
    const block = readmeNumbers(readme);
    const row = block.split('\n').find((l) => l.startsWith('| escalation-management'))!;
    const changed = block.replace(
      row,
      row.replace(/\d/, (d) => String((Number(d) + 1) % 10)),
    );
    expect(normalise(changed)).not.toEqual(normalise(block));
    expect(readmeNumbers('no markers here')).toBe('');
  });
});
