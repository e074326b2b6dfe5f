/**
 * Golden tests of `interlock run` and `interlock check`, spawned as a user would run them (from
 * source through tsx, so the test needs no build). Expected outputs are committed under
 * test/fixtures/golden/ and were checked by hand: Water drains by half per unit time with Euler
 * steps of 0.5, so it falls by a quarter each step (64, 48, 36, 27, 20.25).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const golden = (name: string) => readFileSync(path.join(repoRoot, 'test/fixtures/golden', name), 'utf8');
const MODEL = 'test/fixtures/golden/drain.xmile';
const BAD = 'test/fixtures/golden/bad.xmile';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, INTERLOCK_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A stack trace line, as Node prints them. */
const STACK = /^\s+at .+(:\d+:\d+\)?|<anonymous>)$/m;

const tmp = mkdtempSync(path.join(tmpdir(), 'interlock-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('interlock run: output formats', () => {
  it.each([
    ['csv', 'drain.csv.golden'],
    ['tsv', 'drain.tsv.golden'],
    ['json', 'drain.json.golden'],
  ])('--format %s matches the golden file', (format, file) => {
    const r = cli('run', MODEL, '--format', format);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden(file));
  });

  it('csv is the default format', () => {
    expect(cli('run', MODEL).stdout).toBe(golden('drain.csv.golden'));
  });

  it('--vars selects and orders columns (any spelling of a name)', () => {
    const r = cli('run', MODEL, '--vars', 'WATER, half_water');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('drain-vars.csv.golden'));
  });

  it('--set overrides a constant and --save-step thins the rows', () => {
    // fraction 0.25 with dt 0.5: Water x 0.875 per step; saved every second step: 64, 49, 37.515625.
    const r = cli('run', MODEL, '--set', 'fraction=0.25', '--save-step', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('drain-set.csv.golden'));
  });

  it('--save-step that is not a multiple of dt is bad usage (exit 2) with the nearest multiple', () => {
    // drain.xmile has dt 0.5
    const r = cli('run', MODEL, '--save-step', '0.7');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--save-step 0.7 is not a multiple of dt 0.5: use 0.5');
    expect(r.stderr).not.toMatch(STACK);
    expect(cli('run', MODEL, '--save-step', '0.3', '--dt', '0.1').code).toBe(0);
    expect(cli('run', MODEL, '--save-step', '0').stderr).toContain('must be positive');
  });

  it('--set on a stock sets its initial value; --stop, --dt and --method change the run', () => {
    const r = cli(
      'run',
      MODEL,
      '--set',
      'Water=8',
      '--stop',
      '1',
      '--dt',
      '1',
      '--vars',
      'Water',
      '--method',
      'rk2',
    );
    // Heun with dt 1 on dW/dt = -W/2: W x (1 - 1/2 + 1/8) = 8 x 0.625 = 5.
    expect(r.stdout).toBe('time,Water\n0,8\n1,5\n');
  });

  it('--out writes the file and nothing to stdout', () => {
    const out = path.join(tmp, 'out.csv');
    const r = cli('run', MODEL, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(golden('drain.csv.golden'));
  });
});

describe('interlock run and check: errors', () => {
  it.each([
    [['run', MODEL, '--method', 'foo'], /--method must be one of euler, rk2, rk4; got 'foo'/],
    [['run', MODEL, '--format', 'xml'], /--format must be one of csv, tsv, json/],
    [['run', MODEL, '--dt', 'abc'], /--dt expects a number, got 'abc'/],
    [['run', MODEL, '--dt', '0'], /dt must be a positive number/],
    [['run', MODEL, '--set', 'fraction'], /--set expects NAME=VALUE/],
    [['run', MODEL, '--set', 'nope=1'], /unknown parameter 'nope'/],
    [['run', MODEL, '--set', 'drain=1'], /'drain' cannot be set/],
    [['run', MODEL, '--vars', 'nope'], /unknown variable\(s\): nope/],
    [['run', MODEL, '--bogus'], /unknown option '--bogus'/],
    [['run'], /missing required argument/],
  ])('%j -> exit 2 with a message', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a model with an error -> exit 1 with FILE:LINE:COL', () => {
    const r = cli('run', BAD);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${BAD}:6:30: error: unknown variable 'missing' (in the equation of 'a')\n`);
  });

  it('check prints every diagnostic and a summary, exit 1 on errors and 0 on a clean model', () => {
    const bad = cli('check', BAD);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`^${BAD}:6:30: error: unknown variable 'missing'`));
    expect(bad.stdout).toMatch(/1 error\(s\), 0 warning\(s\)\n$/);
    const good = cli('check', MODEL);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe(`${MODEL}: 0 error(s), 0 warning(s)\n`);
    const json = cli('check', BAD, '--format', 'json');
    const parsed = JSON.parse(json.stdout) as {
      errors: number;
      diagnostics: { code: string; line: number }[];
    };
    expect(parsed.errors).toBe(1);
    expect(parsed.diagnostics.map((d) => [d.code, d.line])).toEqual([['unknown-variable', 6]]);
  });

  it('warnings go to stderr with their location and the run still succeeds', () => {
    const r = cli('run', 'test/fixtures/golden/warn.xmile');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('time,S,x\n0,1,2\n1,3,2\n2,5,2\n');
    expect(r.stderr).toBe(
      "test/fixtures/golden/warn.xmile:6:7: warning: stock 'S' names 'x' as a flow, but it is an auxiliary\n",
    );
  });

  it('a missing file -> exit 1, named, without a stack trace', () => {
    for (const cmd of ['run', 'check']) {
      const r = cli(cmd, 'test/fixtures/golden/no-such-model.xmile');
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/no-such-model\.xmile.*cannot read model: no such file/);
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  it('malformed XML -> exit 1 with a location, without a stack trace', () => {
    const r = cli('run', 'test/fixtures/golden/malformed.xmile');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^test\/fixtures\/golden\/malformed\.xmile:\d+:\d+: error: /);
    expect(r.stderr).not.toMatch(STACK);
  });
});
