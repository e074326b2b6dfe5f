import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
// Resolved here, because the CLI runs in a scratch directory where 'tsx' is not resolvable.
const TSX = import.meta.resolve('tsx');
const CASE_FILE = join(REPO, 'models/north-korea-russia/evidence.json');
let dir: string;
let db: string;

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, INTERLOCK_DB: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** No stack trace reaches the user. */
function expectNoStack(stderr: string) {
  expect(stderr).not.toMatch(/^\s+at /m);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'interlock-cli-'));
  db = join(dir, 'case.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interlock evidence import/export', () => {
  it('imports the case file and exports it byte for byte', () => {
    const imported = cli(['evidence', 'import', CASE_FILE, '--db', db]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported \d+ sources, \d+ reports, \d+ estimates/);
    const out = join(dir, 'export.json');
    expect(cli(['evidence', 'export', '--db', db, '--out', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(CASE_FILE, 'utf8'));
  });

  it('refuses an invalid file with JSON paths, exit 1, and leaves the database unchanged', () => {
    const before = cli(['evidence', 'export', '--db', db]).stdout;
    const doc = JSON.parse(readFileSync(CASE_FILE, 'utf8'));
    doc.sources[0].reliability = 'Z';
    doc.estimates[3].report = 'rep-missing';
    doc.estimates[5].value = 'many';
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(doc));
    const result = cli(['evidence', 'import', bad, '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${bad}: error: $.sources[0].reliability: 'Z' is not an Admiralty reliability grade`,
    );
    expect(result.stderr).toContain("$.estimates[3].report: unknown report 'rep-missing'");
    expect(result.stderr).toContain("$.estimates[5].value: must be a finite number, got 'many'");
    expectNoStack(result.stderr);
    expect(cli(['evidence', 'export', '--db', db]).stdout).toBe(before);
  });

  it('locates a JSON syntax error by line and column', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "format": "interlock-evidence",\n  "sources": [\n');
    const result = cli(['evidence', 'import', broken, '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: error: \\$: not valid JSON`),
    );
  });
});

describe('interlock reports', () => {
  it('ach --format json gives ranked hypotheses and evidence diagnosticity', () => {
    const result = cli(['ach', 'c6-purpose', '--db', db, '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.sets).toHaveLength(1);
    const set = json.sets[0];
    expect(set.id).toBe('c6-purpose');
    expect(set.hypotheses.map((h: { id: string }) => h.id).sort()).toEqual(['H1', 'H2', 'H3', 'H4']);
    for (const h of set.hypotheses) {
      expect(h).toEqual(
        expect.objectContaining({ text: expect.any(String), inconsistency: expect.any(Number) }),
      );
    }
    expect(set.hypotheses.map((h: { rank: number }) => h.rank)).toEqual([1, 2, 3, 4]);
    expect(set.evidence[0].diagnosticity).toBeGreaterThan(
      set.evidence[set.evidence.length - 1].diagnosticity,
    );
  });

  it('ach prints its formulas under the table; unknown sets and formats are refused', () => {
    const table = cli(['ach', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Formulas:');
    expect(table.stdout).toContain('exact halves rounded toward neutral');
    expect(cli(['ach', 'no-such-set', '--db', db])).toMatchObject({ code: 1 });
    const format = cli(['ach', '--db', db, '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be one of table, json');
  });

  it('estimates --format json lists every estimate in date order with its revision ratio', () => {
    const result = cli(['estimates', 'nk.troops.in_russia', '--db', db, '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.quantity).toBe('nk.troops.in_russia');
    const dates = json.estimates.map((e: { date: string }) => e.date);
    expect(dates).toEqual([...dates].sort());
    for (const key of ['date', 'value', 'low', 'high', 'unit', 'basis', 'source', 'revisionRatio']) {
      expect(json.estimates[0]).toHaveProperty(key);
    }
    expect(cli(['estimates', 'nk.troops.on_mars', '--db', db]).code).toBe(1);
    expect(cli(['estimates', 'nk.troops.in_russia', '--window', '0', '--db', db]).code).toBe(2);
  });

  it('forecasts and indicators read the same data from the JSON file without a database', () => {
    const forecasts = cli(['forecasts', '--evidence', CASE_FILE, '--format', 'json']);
    expect(forecasts.code).toBe(0);
    const json = JSON.parse(forecasts.stdout);
    expect(json.scores.length).toBeGreaterThan(0);
    expect(json.calibration.length).toBeGreaterThan(0);
    const indicators = cli(['indicators', '--evidence', CASE_FILE, '--as-of', '2024-11-30']);
    expect(indicators.code).toBe(0);
    expect(indicators.stdout).toMatch(/^ind-troops-above-12000 +not-triggered /m);
    expect(indicators.stdout).toContain('Formula:');
    expect(cli(['indicators', '--evidence', CASE_FILE, '--as-of', '30/11/2024']).code).toBe(2);
  });

  it('evidence list uses $INTERLOCK_DB when --db is absent; a missing database is exit 1', () => {
    const listed = cli(['evidence', 'list'], { INTERLOCK_DB: db });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('src-kr-nis');
    expect(listed.stdout).toContain('nk.troops.in_russia');
    // Without --db or INTERLOCK_DB the database is ./interlock.db in the working directory.
    expect(cli(['evidence', 'import', CASE_FILE]).code).toBe(0);
    expect(existsSync(join(dir, 'interlock.db'))).toBe(true);
    const missing = cli(['evidence', 'list', '--db', join(dir, 'nothing.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no evidence database');
  });

  it('a corrupt row gives a clear error naming it, not a crash', () => {
    const raw = new Database(db);
    raw.pragma('ignore_check_constraints = ON');
    raw.prepare("UPDATE sources SET reliability = 'Z' WHERE id = 'src-isw'").run();
    raw.close();
    const result = cli(['ach', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("'Z' is not an Admiralty reliability grade");
    expect(result.stderr).toContain("(table sources, row id 'src-isw')");
    expectNoStack(result.stderr);
  });
});
