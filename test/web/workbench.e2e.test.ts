/**
 * End-to-end: the built workbench in Debian's Chromium against a real server on a free port.
 * Skips (saying why) when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { haveChromium, openSession, REPO, type Session } from './browser.js';
import { seriousViolations } from './a11y.js';

const available = haveChromium();
if (!available) {
  console.warn('workbench browser tests skipped: /usr/bin/chromium is absent (apt-get install chromium)');
}

const SHOTS = join(REPO, 'out', 'e2e');
const FIXTURE = fileURLToPath(new URL('./fixtures/population.xmile', import.meta.url));

async function firstPath(page: Page, chart = '#sim-charts'): Promise<string> {
  return page.locator(`${chart} figure.chart path.line`).first().getAttribute('d') as Promise<string>;
}

describe.skipIf(!available)('browser workbench (Chromium)', () => {
  let s: Session;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s = await openSession();
    page = s.page;
  });

  afterAll(async () => {
    await s?.close();
  });

  const open = async (route: string) => {
    await page.goto(`${s.server.url}#/${route}`);
  };

  it('Simulate: charts draw, a slider re-simulates in the page, scenarios switch', async () => {
    await open('simulate?model=default');
    await page.locator('#sim-charts figure.chart path.line').first().waitFor();
    const before = await firstPath(page);
    expect(before.length).toBeGreaterThan(50);
    // The case has a start date: the time axis reads in calendar months.
    const ticks = await page
      .locator('#sim-charts figure.chart g.axes text[text-anchor=middle]')
      .allTextContents();
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(t).toMatch(/^[A-Z][a-z]{2} \d{4}$/);
    expect(ticks[0]).toBe('Oct 2024');

    // Move the first lever to the top of its range.
    const slider = page.locator('input[type=range]').first();
    const max = await slider.getAttribute('max');
    await slider.fill(max!);
    await expect.poll(() => firstPath(page)).not.toBe(before);
    const moved = await firstPath(page);

    // Keyboard: the same slider moves with the arrow keys and redraws again.
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => firstPath(page)).not.toBe(moved);

    // Switch scenario: the note and the chart change.
    const options = await page
      .locator('#scenario option')
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options.length).toBeGreaterThan(2);
    await page.selectOption('#scenario', options[1]!);
    const a = await firstPath(page);
    await page.selectOption('#scenario', options[options.length - 1]!);
    await expect.poll(() => firstPath(page)).not.toBe(a);
    expect(await page.locator('#scenario-note').textContent()).not.toBe('');
    await page.screenshot({ path: join(SHOTS, 'simulate.png') });
  });

  it('Simulate: a saved run is kept and overlaid as a dashed line', async () => {
    await open('simulate?model=default');
    await page.locator('#sim-charts path.line').first().waitFor();
    await page.fill('#run-label', 'e2e run');
    await page.getByRole('button', { name: 'Save run' }).click();
    await expect.poll(() => page.locator('#saved-runs li').count()).toBeGreaterThan(0);
    expect(await page.locator('#saved-runs').textContent()).toContain('e2e run');
    expect(await page.locator('#sim-charts path.line[stroke-dasharray]').count()).toBeGreaterThan(0);
  });

  it('every form control on Simulate and Explore has a label', async () => {
    for (const route of ['simulate?model=default', 'explore?model=default']) {
      await open(route);
      await page.locator('main select:visible, main input:visible').first().waitFor();
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea')]
          .filter((el) => {
            const e = el as HTMLInputElement;
            return (
              !(e.labels && e.labels.length) &&
              !e.getAttribute('aria-label') &&
              !e.getAttribute('aria-labelledby')
            );
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unlabelled, route).toEqual([]);
    }
    // The accessibility tree names the controls (sliders by their variable, the scenario picker).
    await open('simulate?model=default');
    await page.locator('input[type=range]').first().waitFor();
    const tree = await page.locator('main').ariaSnapshot();
    expect(tree).toMatch(/slider "[a-z][^"]+"/);
    expect(tree).toContain('combobox "Policy"');
    expect(tree).toContain('button "Save run"');
    expect(tree).not.toMatch(/slider\s*(\[|$)/m);
    // The page takes focus after each navigation; going back with Shift+Tab reaches the model
    // picker and then the page navigation.
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Shift+Tab');
      reached = await page.evaluate(() => document.activeElement?.closest('nav') !== null);
    }
    expect(reached).toBe(true);
  });

  it('Model: diagram, loops highlighted on it, and variable details with claims', async () => {
    await open('model?model=default');
    await page.locator('#diagram g.node').first().waitFor();
    expect(await page.locator('#diagram g.node').count()).toBeGreaterThan(20);
    const heading = await page.locator('#loops-h').textContent();
    expect(heading).toMatch(/\d+ reinforcing, \d+ balancing/);
    const firstLoop = page.locator('#loop-list button').first();
    // Every detected loop is listed under the case's named ones, folded.
    if (!(await firstLoop.isVisible())) await page.click('#all-loops summary');
    await firstLoop.click();
    expect(await firstLoop.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#diagram path.edge.hl').count()).toBeGreaterThanOrEqual(2);

    // Keyboard: focus a node and press Enter.
    const node = page.locator('#diagram g.node.aux').first();
    await node.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#details').textContent()).toContain('Equation');
    // A sourced parameter shows the claims it encodes.
    const paramNode = page.locator('#diagram g.node[data-name="russian losses at full tempo"]');
    if (await paramNode.count()) {
      await paramNode.click();
      await expect.poll(() => page.locator('#details').textContent()).toMatch(/Claims encoded: .*C\d/);
    }
    // The case's named loops are checked against the model and highlighted on click.
    if (await page.locator('#case-loops').count()) {
      expect(await page.locator('#case-loops h4').first().textContent()).toMatch(
        /\d+ of \d+ found in the model/,
      );
      const named = page.locator('#case-loops button').first();
      await named.click();
      expect(await named.getAttribute('aria-pressed')).toBe('true');
      expect(await firstLoop.getAttribute('aria-pressed')).toBe('false');
      expect(await page.locator('#diagram path.edge.hl').count()).toBeGreaterThanOrEqual(3);
    }
    // Filter the loops: balancing only, then only those through a chosen variable.
    const all = await page.locator('#loop-list button:visible').count();
    await page.selectOption('#loop-polarity', 'B');
    const balancing = await page.locator('#loop-list button:visible').count();
    expect(balancing).toBeLessThan(all);
    expect(await page.locator('#loop-list button:visible .pol.R').count()).toBe(0);
    // Keyboard users can pick a variable from a list, and zoom the diagram.
    const second = await page.locator('#variable-picker option').nth(2).getAttribute('value');
    await page.selectOption('#variable-picker', second!);
    await expect.poll(() => page.locator('#details h3').textContent()).toContain(second!);
    await page.check('#loop-through');
    const through = await page.locator('#loop-list button:visible').count();
    expect(through).toBeLessThanOrEqual(balancing);
    for (const text of await page.locator('#loop-list button:visible').allTextContents())
      expect(text).toContain(second!);
    const w0 = Number(await page.locator('#diagram svg').getAttribute('width'));
    await page.getByRole('button', { name: 'Zoom out' }).click();
    expect(Number(await page.locator('#diagram svg').getAttribute('width'))).toBeLessThan(w0);
    await page.screenshot({ path: join(SHOTS, 'model.png') });
  });

  it('Compare: every scenario side by side', async () => {
    await open('compare?model=default');
    await page.locator('#compare-table').waitFor();
    const scenarios = await page.locator('#scenario-table tbody tr').count();
    expect(scenarios).toBeGreaterThan(2);
    // One column per scenario, plus any saved runs, plus the output name.
    expect(await page.locator('#compare-table thead th').count()).toBeGreaterThanOrEqual(scenarios + 1);
    expect(
      await page.locator('#compare-charts figure').first().locator('path.line').count(),
    ).toBeGreaterThanOrEqual(scenarios);
    // Calendar dates on the time axis and in the table's heading, as on Simulate (case.json's start date).
    const ticks = await page.locator('#compare-charts figure').first().locator('svg text').allTextContents();
    expect(ticks.some((t) => /^[A-Z][a-z]{2} \d{4}$/.test(t))).toBe(true);
    expect(await page.locator('h3', { hasText: 'End values' }).textContent()).toMatch(
      /\(([A-Z][a-z]{2} \d{4})\)/,
    );
    // No two policies look alike: past the palette's seven colours, lines are dashed.
    const styles = await page
      .locator('#compare-charts figure')
      .first()
      .locator('path.line')
      .evaluateAll((ps) =>
        ps.map((p) => `${p.getAttribute('stroke')}|${p.getAttribute('stroke-dasharray') ?? ''}`),
      );
    expect(new Set(styles).size).toBe(styles.length);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('Evidence: the competing-hypotheses matrix with scores, and estimate timelines', async () => {
    await open('evidence?model=default');
    await page.locator('table.matrix').first().waitFor();
    expect(await page.locator('table.matrix td.c').count()).toBeGreaterThan(4);
    expect(await page.locator('table.matrix').first().textContent()).toContain('weighted inconsistency');
    // Hypotheses and evidence are written whole (a header cut mid-word hides what is rated).
    const ev = JSON.parse(readFileSync(join(REPO, 'models/north-korea-russia/evidence.json'), 'utf8')) as {
      hypothesisSets: { hypotheses: { id: string; text: string }[] }[];
    };
    const first = ev.hypothesisSets[0]!.hypotheses.find((x) => x.id === 'H1')!;
    expect(await page.locator('table.matrix').first().locator('thead').textContent()).toContain(first.text);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Estimate timelines' }).click();
    await page.locator('#timeline-table').waitFor();
    expect(await page.locator('#evidence-body svg circle').count()).toBeGreaterThan(0);
    expect(await seriousViolations(page), 'timelines').toEqual([]);
    await page.getByRole('tab', { name: 'Forecasts and calibration' }).click();
    await page.locator('#calibration-table').waitFor();
    expect(await seriousViolations(page), 'forecasts').toEqual([]);
    await page.getByRole('tab', { name: 'Sources' }).click();
    expect(await page.locator('#sources-table .grade').count()).toBeGreaterThan(0);
    expect(await seriousViolations(page), 'sources').toEqual([]);
  });

  it('Explore on a model without experiment specs: a Latin hypercube over its ranges', async () => {
    // (The case's thesis experiment is tested in analyst.e2e.test.ts.)
    const opened = await page.evaluate(async () => {
      const r = await fetch('/api/models', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: 'test/web/fixtures/population.xmile' }),
      });
      return ((await r.json()) as { id: string }).id;
    });
    await open(`explore?model=${opened}`);
    await page.fill('#exp-samples', '40');
    await page.click('#exp-start');
    await page.locator('#exp-results figure').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('#exp-status').textContent()).toMatch(/done: 40 of 40/);
    expect(await page.locator('#exp-results figure').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#exp-results path.band').count()).toBe(2);
    expect(await page.locator('#exp-results .legend').first().textContent()).toContain('5-95% of runs');
    await page.screenshot({ path: join(SHOTS, 'explore.png'), fullPage: true });
  });

  it('uploads another model; every page works on it or says why it cannot', async () => {
    await open('simulate?model=default');
    await page.locator('#upload').setInputFiles(FIXTURE);
    await page.waitForURL(/model=m\d+/);
    await expect.poll(() => page.locator('#model-title').textContent()).toContain('Population with crowding');
    await page.locator('#sim-charts path.line').first().waitFor();
    const before = await firstPath(page);
    await page.locator('input[type=range]').first().fill('0');
    await expect.poll(() => firstPath(page)).not.toBe(before);
    expect(await page.locator('main').textContent()).toContain('no case policies');

    const id = /model=(m\d+)/.exec(page.url())![1]!;
    await open(`model?model=${id}`);
    await page.locator('#loop-list button').first().waitFor();
    const loops = await page.locator('#loop-list').textContent();
    expect(loops).toMatch(/R1/);
    expect(loops).toMatch(/B1/);
    await open(`evidence?model=${id}`);
    await expect.poll(() => page.locator('main').textContent()).toContain('no evidence base');
    await open(`compare?model=${id}`);
    await expect.poll(() => page.locator('main').textContent()).toContain('no case policies');
    await page.screenshot({ path: join(SHOTS, 'uploaded.png') });
  });

  it('opens a model file by its path under the server root', async () => {
    await open('model?model=default');
    await page
      .locator('#open-path option[value="test/web/fixtures/population.xmile"]')
      .waitFor({ state: 'attached' });
    await page.selectOption('#open-path', 'test/web/fixtures/population.xmile');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.waitForURL(/#\/model\?model=m\d+/);
    await expect.poll(() => page.locator('#model-title').textContent()).toContain('population.xmile');
    await page.locator('#diagram g.node').first().waitFor();
    expect(await page.locator('#diagram g.node').count()).toBe(7);
  });

  it('a broken upload is refused with the reason shown', async () => {
    await open('simulate?model=default');
    await page
      .locator('#upload')
      .setInputFiles(fileURLToPath(new URL('./fixtures/broken.xmile', import.meta.url)));
    await expect
      .poll(() => page.locator('.picker-status').textContent(), { timeout: 30_000 })
      .toMatch(/model|XML|error/i);
    expect(page.url()).toContain('model=default');
  });

  it('raised no page errors', () => {
    // The refused upload above logs its 422 as a failed resource load; nothing else may fail.
    expect(s.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
  });
});
