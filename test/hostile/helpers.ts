/**
 * Helpers of the hostile-input tests: run the CLI as a child process under a heap cap and report
 * its exit code, output, wall time and peak resident memory (measured inside the child by a
 * preloaded hook, so the figure is the child's own and works wherever Node runs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RSS_HOOK = path.join(repoRoot, 'test', 'hostile', 'rss-hook.mjs');
/** The built launcher: the limits below time the product, not a TypeScript loader's start-up. */
const CLI = path.join(repoRoot, 'bin', 'interlock.js');
const BUILT = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak resident set size of the child, in bytes (NaN when it died before reporting). */
  peakBytes: number;
}

/**
 * Run the built `interlock ARGS` (bin/interlock.js over dist/, as installed) under a 1 GB heap cap,
 * within `timeoutMs`. `npm test` builds first; run `npm run build` before running these alone.
 */
export function cliCapped(args: string[], timeoutMs = 20_000): CliOutcome {
  if (!existsSync(BUILT)) {
    throw new Error(`${path.relative(repoRoot, BUILT)} is missing: run \`npm run build\` before these tests`);
  }
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=1024', '--import', RSS_HOOK, CLI, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, INTERLOCK_DEBUG: '' },
  });
  const seconds = (performance.now() - started) / 1000;
  const m = /interlock-test-maxrss=(\d+)\n?/.exec(r.stderr ?? '');
  return {
    code: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '').replace(/interlock-test-maxrss=\d+\n?/, ''),
    seconds,
    peakBytes: m ? Number(m[1]) * 1024 : NaN,
  };
}

/** A minimal XMILE document around the given sections. */
export function xmile(body: { dims?: string; vars: string; specs?: string }): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>hostile</name></header>
<sim_specs>${body.specs ?? '<start>0</start><stop>4</stop><dt>1</dt>'}</sim_specs>
${body.dims ? `<dimensions>${body.dims}</dimensions>` : ''}
<model><variables>
${body.vars}
</variables></model>
</xmile>
`;
}

/** The budget is for the whole child process, Node's own start-up included. */
export const TIME_LIMIT_S = 5;
export const MEMORY_LIMIT = 1024 * 1024 * 1024;
