import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const TSX = import.meta.resolve('tsx');
let dir: string;

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectNoStack(stderr: string) {
  expect(stderr).not.toMatch(/^\s+at /m);
}

const inputs = ['x1', 'x2', 'x3'].map((name) => ({ name, dist: 'uniform', low: -Math.PI, high: Math.PI }));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'interlock-explore-cli-'));
  writeFileSync(
    join(dir, 'sobol.json'),
    JSON.stringify({
      model: 'builtin:ishigami',
      seed: 7,
      samples: 512,
      method: 'sobol',
      uncertainties: inputs,
      outcomes: [{ name: 'y' }],
    }),
  );
  writeFileSync(
    join(dir, 'policies.json'),
    JSON.stringify({
      model: 'builtin:logistic',
      seed: 3,
      samples: 300,
      method: 'lhs',
      uncertainties: [
        { name: 'r', dist: 'uniform', low: 0.05, high: 0.5 },
        { name: 'K', dist: 'triangular', low: 50, mode: 100, high: 150 },
      ],
      levers: [{ name: 'x0', values: [1, 5] }],
      outcomes: [
        { name: 'path', variable: 'x', reduce: 'series' },
        { name: 'final', variable: 'x', reduce: 'final', kind: 'maximize' },
      ],
      satisfice: 'final > 60',
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interlock explore and analysis commands', () => {
  it('explores a Sobol design and reports indices as JSON', () => {
    const run = cli(['explore', 'sobol.json', '--out', 'sobol-out', '--jobs', '2']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/done: 4,096 of 4,096 runs \(0 failed\)/);
    expect(readFileSync(join(dir, 'sobol-out/results.csv'), 'utf8').split('\n')[0]).toBe(
      'run,policy,scenario,x1,x2,x3,status,y',
    );
    const sa = cli(['sensitivity', 'sobol-out', '--format', 'json']);
    expect(sa.code).toBe(0);
    const json = JSON.parse(sa.stdout) as Record<string, Record<string, { S1: number; ST: number }>>;
    expect(json.y.x1.S1).toBeCloseTo(0.3139, 1);
    expect(json.y.x2.ST).toBeCloseTo(0.4424, 1);
    expect(json.y.x3.S1).toBeCloseTo(0, 1);
    const table = cli(['sensitivity', 'sobol-out']);
    expect(table.stdout).toMatch(/input\s+S1\s+±\s+ST\s+±/);
    expect(table.stdout).toMatch(/x1 x x3/);
    // Ranked by ST (Ishigami: x1 0.56 > x2 0.44 > x3 0.24), every line within 100 columns.
    const order = ['x1', 'x2', 'x3'].map((n) => table.stdout.search(new RegExp(`^${n} `, 'm')));
    expect(order[0]).toBeGreaterThan(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(Math.max(...table.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    const top = cli(['sensitivity', 'sobol-out', '--top', '1']);
    expect(top.stdout).toMatch(/^x1 /m);
    expect(top.stdout).not.toMatch(/^x[23] /m);
    expect(top.stdout).toContain('(2 less important inputs not shown; --top 0 shows all)');
    expect(cli(['sensitivity', 'sobol-out', '--top', '-1']).code).toBe(2);
    // The report's sensitivity bars come from the chart kit: ST with S1 inside, largest first.
    expect(cli(['report', 'sobol-out', '--out', 'sobol.html']).code).toBe(0);
    const html = readFileSync(join(dir, 'sobol.html'), 'utf8');
    const section = html.slice(html.indexOf('<h2>Sensitivity'), html.indexOf('<h2>Inputs against'));
    expect(section.match(/<rect class="hbar" /g)).toHaveLength(3);
    expect(section.match(/<rect class="hbar-inner" /g)).toHaveLength(3);
    const labels = [...section.matchAll(/<text x="4" y="[\d.]+">(x\d)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['x1', 'x2', 'x3']);
  });

  it('explores policies, then runs robustness, discovery and the report', () => {
    expect(cli(['explore', 'policies.json', '-o', 'pol', '-q']).code).toBe(0);
    const robust = cli(['robustness', 'pol', '--format', 'json']);
    expect(robust.code).toBe(0);
    const r = JSON.parse(robust.stdout) as {
      satisfice: string;
      policies: { policy: string; satisficing: number }[];
    };
    expect(r.satisfice).toBe('final > 60');
    expect(r.policies.map((p) => p.policy)).toEqual(['x0=1', 'x0=5']);
    // A larger initial population reaches the capacity sooner: it satisfices more often.
    expect(r.policies[1].satisficing).toBeGreaterThan(r.policies[0].satisficing);

    const found = cli(['discover', 'pol', '--where', 'final < 40', '--format', 'json']);
    expect(found.code).toBe(0);
    const d = JSON.parse(found.stdout) as {
      boxes: { coverage: number; density: number; mass: number; limits: Record<string, number[]> }[];
      tradeoff: { coverage: number; density: number }[];
      chosen: number;
    };
    const box = d.boxes[0];
    expect(d.tradeoff[d.chosen].density).toBe(box.density);
    expect(d.tradeoff[0].coverage).toBe(1);
    expect(Object.keys(box.limits)).toContain('r');
    expect(box.limits.r[1]).toBeLessThan(0.3); // slow growth explains a low final value
    expect(box.density).toBeGreaterThan(0.7);

    const report = cli(['report', 'pol', '--out', 'report.html', '--where', 'final < 40']);
    expect(report.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/Outcomes over time/);
    expect(html).toMatch(/Scenario discovery/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // self-contained
    expect(html).not.toMatch(/<script/);
    // Every chart is the chart kit's (labelled for screen readers); no hand-drawn frames remain.
    expect((html.match(/<svg /g) ?? []).length).toBe((html.match(/<svg [^>]*role="img"/g) ?? []).length);
    // The scatter plots: one point per run shown, for each of the two uncertainties.
    const shown = Number(/(\d+) runs shown/.exec(html)![1]);
    const scatter = html.slice(html.indexOf('<h2>Inputs against'));
    expect((scatter.match(/<circle class="point"/g) ?? []).length).toBe(2 * shown);
    // The PRIM trade-off: one point per box, the chosen one highlighted.
    const prim = html.slice(
      html.indexOf('<h2>Scenario discovery'),
      html.indexOf('<h2>Sensitivity') >= 0
        ? html.indexOf('<h2>Sensitivity')
        : html.indexOf('<h2>Inputs against'),
    );
    expect((prim.match(/<circle class="point"/g) ?? []).length).toBe(d.tradeoff.length);
    expect((prim.match(/<circle class="point"[^>]*stroke="#1d232b"/g) ?? []).length).toBe(1);
  });

  it('rejects wrong input with a message naming the field and no stack trace', () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        model: 'builtin:ishigami',
        uncertainties: [{ name: 'x1', low: 2, high: 1 }],
        outcomes: [{ name: 'y' }],
      }),
    );
    const bad = cli(['explore', 'bad.json', '--out', 'bad-out']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/uncertainties\[0\]\.high: must be greater than low/);
    expectNoStack(bad.stderr);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);

    writeFileSync(
      join(dir, 'unknown.json'),
      JSON.stringify({
        model: 'builtin:ishigami',
        uncertainties: [{ name: 'speed', low: 0, high: 1 }],
        outcomes: [{ name: 'y' }],
      }),
    );
    const unknown = cli(['explore', 'unknown.json', '--out', 'unknown-out']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /uncertainties\[0\]\.variable: the model has no settable parameter 'speed'/,
    );
    expectNoStack(unknown.stderr);
  });

  it('rejects bad analysis arguments with exit codes 1 and 2', () => {
    const where = cli(['discover', 'pol', '--where', 'nonsense > 1']);
    expect(where.code).toBe(2);
    expect(where.stderr).toMatch(/--where: unknown name 'nonsense'/);
    expect(cli(['sensitivity', 'pol']).stderr).toMatch(/needs a "sobol" or "morris" design/);
    expect(cli(['explore', 'sobol.json', '--out', 'x', '--jobs', 'zero']).code).toBe(2);
    expect(cli(['sensitivity', 'missing-dir']).code).toBe(1);
  });
});
