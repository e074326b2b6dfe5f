/**
 * End-to-end, as a policy analyst uses the workbench: Simulate (charts that stay in view, hover
 * values, the baseline behind, exact entry and reset, the state in the address, CSV and PNG
 * export), Explore as the thesis experiment (a spec run, cancelled, or a results folder loaded;
 * PRIM with its base rate; robustness per policy), and the Calibration page (prior against
 * posterior, the predictive band over the reported figures, the Q4 section). Each page is checked
 * with axe (no serious or critical violation) and for keyboard reach. Screenshots go to out/e2e/.
 * Skips (saying why) when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { haveChromium, openSession, REPO, type Session } from './browser.js';
import { seriousViolations } from './a11y.js';

const available = haveChromium();
if (!available) {
  console.warn('analyst browser tests skipped: /usr/bin/chromium is absent (apt-get install chromium)');
}

const SHOTS = join(REPO, 'out', 'e2e');
const RESULTS = 'out/e2e-thesis';
/** The case's policies (scenarios.json): every policy meets the same sampled futures. */
const POLICIES = Object.keys(
  JSON.parse(readFileSync(join(REPO, 'models/north-korea-russia/scenarios.json'), 'utf8')) as object,
).length;
const count = (n: number) => n.toLocaleString('en-US');
const CALIBRATION = 'out/e2e-cal';

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'interlock.js'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`interlock ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Every enabled control of the page area can take keyboard focus. */
async function unreachable(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('main button, main input, main select, main a[href], main summary')]
      .filter((e) => {
        const el = e as HTMLElement & { disabled?: boolean };
        const visible = el.offsetParent !== null || el.getClientRects().length > 0;
        return visible && !el.disabled && el.tabIndex < 0;
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
}

describe.skipIf(!available)('the workbench for a policy analyst (Chromium)', () => {
  let s: Session;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // What the README tour writes: a results folder and a calibration folder under out/.
    cli([
      'explore',
      'models/north-korea-russia/experiments/thesis.json',
      '--samples',
      '16',
      '--out',
      RESULTS,
      '--force',
    ]);
    cli([
      'calibrate',
      'models/north-korea-russia/calibration.json',
      '--samples',
      '200',
      '--out',
      CALIBRATION,
    ]);
    s = await openSession();
    page = s.page;
  }, 300_000);

  afterAll(async () => {
    await s?.close();
    rmSync(join(REPO, RESULTS), { recursive: true, force: true });
    rmSync(join(REPO, CALIBRATION), { recursive: true, force: true });
  });

  const open = async (route: string) => {
    await page.goto(`${s.server.url}#/${route}`);
  };
  const current = () => page.locator('#sim-charts figure.chart path.line').first().getAttribute('d');

  it('Simulate: charts stay in view, show values under the pointer and the baseline behind', async () => {
    await open('simulate?model=default');
    await page.locator('#sim-charts figure.chart path.line').first().waitFor();
    // The baseline is drawn under the current run, and equals it before anything moves.
    const baseline = await page.locator('#sim-charts figure.chart path.baseline').first().getAttribute('d');
    expect(baseline!.length).toBeGreaterThan(50);
    expect(await current()).toBe(baseline);
    // Scroll down to the last lever: the first chart is still on screen.
    const last = page.locator('.lever input[type=range]').last();
    await page.locator('details summary').last().click();
    await last.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => window.scrollY);
    expect(scrolled).toBeGreaterThan(300);
    const box = await page.locator('#sim-charts figure.chart').first().boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(1000);
    // Hover: the readout gives the current run's and the baseline's value at that time.
    const svg = page.locator('#sim-charts figure.chart svg').first();
    const sb = (await svg.boundingBox())!;
    await page.mouse.move(sb.x + sb.width * 0.6, sb.y + sb.height / 2);
    const readout = await page.locator('#sim-charts .readout').first().textContent();
    expect(readout).toMatch(/^[A-Z][a-z]{2} \d{4}: current [\d,.]+.* \| baseline \(/);
    await page.screenshot({ path: join(SHOTS, 'simulate-sticky.png') });
  });

  it('Simulate: exact entry, reset, the state in the address, CSV and PNG export', async () => {
    await open('simulate?model=default');
    await page.locator('#sim-charts figure.chart path.line').first().waitFor();
    const before = await current();
    const entry = page.locator('.lever input[type=number]').first();
    const slider = page.locator('.lever input[type=range]').first();
    const original = await entry.inputValue();
    const min = Number(await slider.getAttribute('min'));
    const max = Number(await slider.getAttribute('max'));
    const exact = String(Number((min + (max - min) * 0.37).toPrecision(6)));
    await entry.fill(exact);
    await entry.press('Enter');
    await entry.blur();
    await expect.poll(() => current()).not.toBe(before);
    expect(Number(await slider.inputValue())).toBeCloseTo(Number(exact), 6);
    // The address holds the policy and the changed value.
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain(`:${exact}`);
    const link = page.url();
    // Opened cold, the link gives the same state and the same chart.
    const moved = await current();
    const other = await s.context.newPage();
    await other.goto(link);
    await other.locator('#sim-charts figure.chart path.line').first().waitFor();
    expect(await other.locator('.lever input[type=number]').first().inputValue()).toBe(exact);
    expect(await other.locator('#sim-charts figure.chart path.line').first().getAttribute('d')).toBe(moved);
    await other.close();
    // Reset: back to the policy's value and the baseline's chart.
    await page.locator('.lever button', { hasText: 'reset' }).first().click();
    expect(await entry.inputValue()).toBe(original);
    await expect.poll(() => current()).toBe(before);
    // CSV: a header of the time axis and the series, then one row per saved time.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#sim-charts figure.chart .chart-export button', { hasText: 'CSV' }).first().click(),
    ]);
    const text = readFileSync((await csv.path())!, 'utf8');
    const rows = text.trim().split('\n');
    expect(rows[0]).toMatch(/^date,current,baseline/);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows[1]!.split(',').every((c) => Number.isFinite(Number(c)))).toBe(true);
    // PNG: a real image file.
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#sim-charts figure.chart .chart-export button', { hasText: 'PNG' }).first().click(),
    ]);
    const bytes = readFileSync((await png.path())!);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(5000);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await unreachable(page)).toEqual([]);
  });

  it('Explore: the thesis spec runs with policies crossed, then PRIM and robustness per policy', async () => {
    await open('explore?model=default');
    await page.locator('#exp-spec').waitFor();
    expect(await page.locator('#exp-spec').inputValue()).toBe(
      'models/north-korea-russia/experiments/thesis.json',
    );
    await page.fill('#exp-samples', '12');
    await page.click('#exp-start');
    await page.locator('#exp-summary').waitFor({ timeout: 120_000 });
    expect(await page.locator('#exp-status').textContent()).toContain(
      `done: ${12 * POLICIES} of ${12 * POLICIES} runs`,
    );
    expect(await page.locator('#exp-summary').textContent()).toContain(
      `12 futures x ${POLICIES} policies = ${12 * POLICIES} runs`,
    );
    // PRIM states its base rate, and either a box with significant restrictions or a warning.
    const base = await page.locator('#exp-prim-base').textContent();
    expect(base).toMatch(
      /troops_m24 > troops_m12 under escalation-management: \d+ of 12 runs, a base rate of/,
    );
    const warned = await page.locator('#exp-prim-warning').count();
    const boxed = await page.locator('#prim-box').count();
    expect(warned + boxed).toBe(1);
    // Robustness: one row per policy with regret and a percentile band.
    const rows = page.locator('#robustness tbody tr');
    expect(await rows.count()).toBe(POLICIES);
    expect(await rows.first().textContent()).toMatch(/escalation-management/);
    // Fan bands are labelled.
    const legend = await page.locator('#exp-results figure svg').first().textContent();
    expect(legend).toContain('5-95% of runs');
    expect(legend).toContain('25-75% of runs');
    await page.screenshot({ path: join(SHOTS, 'explore-thesis.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await unreachable(page)).toEqual([]);
  });

  it('Explore: a long run can be cancelled, and a results folder written by the CLI loads', async () => {
    await open('explore?model=default');
    await page.locator('#exp-spec').waitFor();
    await page.fill('#exp-samples', '5000');
    await page.click('#exp-start');
    await expect.poll(() => page.locator('#exp-status').textContent(), { timeout: 60_000 }).toMatch(/left/);
    await page.click('#exp-cancel');
    await expect
      .poll(() => page.locator('#exp-status').textContent(), { timeout: 60_000 })
      .toMatch(new RegExp(`^stopped: [\\d,]+ of ${count(5000 * POLICIES)} runs`));
    // The CLI's folder (16 futures x every policy).
    await page.selectOption('#exp-results-folder', RESULTS);
    await page.click('#exp-load');
    await expect
      .poll(() => page.locator('#exp-summary').textContent(), { timeout: 60_000 })
      .toContain(`16 futures x ${POLICIES} policies = ${16 * POLICIES} runs`);
    // A question nothing in the uncertainties explains gets a warning, not a box.
    await page.fill('#exp-where', 'troops_m24 > 0 and troops_m24 < 0');
    await page.click('#exp-analyse');
    await expect.poll(() => page.locator('#exp-prim').textContent()).toMatch(/0 of 16 runs|No box/);
  });

  it('Calibration: Q4 by date, the case posterior, prior against posterior and the predictive band', async () => {
    await open('calibration?model=default');
    await page.locator('#cal-folder').waitFor();
    await page.locator(`#cal-folder option[value="${CALIBRATION}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#cal-folder', CALIBRATION);
    await page.click('#cal-open');
    await page.locator('#cal-summary').waitFor();
    expect(await page.locator('#cal-summary').textContent()).toMatch(/mcmc, 200 posterior draws/);
    const spec = JSON.parse(readFileSync(join(REPO, 'models/north-korea-russia/calibration.json'), 'utf8'));
    const figures = page.locator('#cal-parameters figure');
    // Every estimated parameter (the spec's, plus the source biases) has its chart.
    expect(await figures.count()).toBeGreaterThanOrEqual(spec.parameters.length);
    expect(await figures.first().textContent()).toMatch(/prior \(uniform\)/);
    // One chart per evidence stream of the spec.
    expect(await page.locator('#cal-streams figure').count()).toBe(spec.data.length);
    expect(await page.locator('#cal-streams figure').first().textContent()).toMatch(/src-/);
    // Q4, the case's: one row per forecast date and the total; a date opens onto its forecasts.
    const q4 = JSON.parse(
      readFileSync(join(REPO, 'models/north-korea-russia/calibration/q4.json'), 'utf8'),
    ) as { steps: { asOf: string; rows: unknown[] }[] };
    const dates = page.locator('#q4-table > tbody > tr:not(.q4-detail)');
    expect(await dates.count()).toBe(q4.steps.length + 1);
    expect(await dates.last().locator('td').nth(1).textContent()).toBe(
      count(q4.steps.reduce((n, st) => n + st.rows.length, 0)),
    );
    await page.click(`#q4-table button:text-is("${q4.steps[0]!.asOf}")`);
    const opened = page.locator(`#q4-date-${q4.steps[0]!.asOf} table tbody tr`);
    expect(await opened.count()).toBe(q4.steps[0]!.rows.length);
    expect(await page.locator('#cal-case-table tbody tr').count()).toBeGreaterThan(5);
    await page.screenshot({ path: join(SHOTS, 'calibration.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await unreachable(page)).toEqual([]);
  });
});
