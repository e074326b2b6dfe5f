/**
 * `interlock convert`, spawned as a user runs it: the written file reads back as the same model
 * and runs the same from the CLI; bad input and bad flags exit 1 and 2 with located messages.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MODEL = 'models/examples/teacup.xmile';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, INTERLOCK_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'interlock-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('interlock convert', () => {
  it('writes XMILE that runs the same as the original', () => {
    const out = path.join(tmp, 'teacup.xmile');
    const c = cli('convert', MODEL, '--to', 'xmile', '--out', out);
    expect(c.code, c.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<xmile version="1.0"')).toBe(true);
    const a = cli('run', MODEL, '--format', 'csv');
    const b = cli('run', out, '--format', 'csv');
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    // Standard output without --out gives the same bytes.
    expect(cli('convert', MODEL).stdout).toBe(text);
  });

  it('a malformed model exits 1 with FILE:LINE:COL; a bad --to exits 2', () => {
    const bad = cli('convert', 'test/fixtures/golden/malformed.xmile', '--out', path.join(tmp, 'x.xmile'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/malformed\.xmile:\d+:\d+: error: /);
    const usage = cli('convert', MODEL, '--to', 'vensim');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--to');
    const missing = cli('convert', 'no/such/model.xmile');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });
});
