/**
 * A small run of scripts/crash-explore.js: an experiment killed with SIGKILL at seeded random
 * moments and resumed each time ends with data files identical to an uninterrupted run. The full
 * test (20 kills) is `npm run crashtest`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

describe('explore --resume after kill -9', () => {
  it('three kills, then resume: identical files', () => {
    const r = spawnSync(
      process.execPath,
      ['scripts/crash-explore.js', '--kills', '3', '--samples', '3000', '--seed', '7'],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, INTERLOCK_CLI_TSX: '1' }, timeout: 170_000 },
    );
    expect(r.stdout).toContain('final state complete; all data files identical');
    expect(r.status).toBe(0);
  }, 180_000);
});
