/** docs/builtins.md is generated from the catalogue; the committed file must be current. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../src/equations/builtins.js';
import { DOC_PATH, renderBuiltinsDoc } from '../../scripts/gen-builtins-doc.js';

describe('docs/builtins.md', () => {
  it('matches the catalogue (regenerate with `npx tsx scripts/gen-builtins-doc.ts`)', async () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(await renderBuiltinsDoc());
  });

  it('documents every builtin once, with its arity', async () => {
    const rows = (await renderBuiltinsDoc()).split('\n');
    for (const f of BUILTINS) {
      const row = rows.filter((l) => new RegExp(`^\\| \`${f.name}\`\\s+\\|`).test(l));
      expect(row, f.name).toHaveLength(1);
      expect(row[0]!.split('|')[2]!.trim(), f.name).toMatch(new RegExp(`^${f.minArgs}\\b`));
    }
  });
});
