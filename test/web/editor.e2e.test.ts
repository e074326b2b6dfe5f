/**
 * End-to-end: the Model page's diagram and editor in Debian's Chromium, on a copy of the case
 * folder (saving writes to it). Skips, saying why, when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CASE_MODEL, haveChromium, openSession, REPO, type Session } from './browser.js';
import { seriousViolations } from './a11y.js';

const available = haveChromium();
if (!available) {
  console.warn('editor browser tests skipped: /usr/bin/chromium is absent (apt-get install chromium)');
}

const SHOTS = join(REPO, 'out', 'e2e');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;
const inside = (a: Box, b: Box) =>
  a.x >= b.x - 0.5 &&
  a.y >= b.y - 0.5 &&
  a.x + a.width <= b.x + b.width + 0.5 &&
  a.y + a.height <= b.y + b.height + 0.5;

async function chartPath(page: Page): Promise<string> {
  return (await page.locator('#details figure.chart path.line').last().getAttribute('d')) ?? '';
}

async function series(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => window.__interlockEditor!.series(n)!, name);
}

describe.skipIf(!available)('Model page: diagram and editor (Chromium)', () => {
  let s: Session;
  let page: Page;
  let root: string;
  let modelFile: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'interlock-editor-'));
    cpSync(CASE_MODEL, join(root, 'case'), { recursive: true });
    modelFile = join(root, 'case', 'model.xmile');
    s = await openSession({ model: join(root, 'case'), root });
    page = s.page;
    await page.goto(`${s.server.url}#/model?model=default`);
    await page.locator('#diagram g.node').first().waitFor({ timeout: 120_000 });
  });

  afterAll(async () => {
    await s?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lays the case out by sector; at the default zoom every label is whole, readable and clear of the others', async () => {
    const sectors = await page.locator('#diagram .sector-title').allTextContents();
    expect(sectors).toEqual(
      expect.arrayContaining([
        'Russia',
        "North Korea's troops",
        'The exchange',
        "Kim's decision",
        'The West',
      ]),
    );
    const measured = await page.locator('#diagram g.node').evaluateAll((gs) =>
      gs.map((g) => {
        const text = g.querySelector('text')!;
        const shape = g.querySelector('rect')!;
        const b = text.getBoundingClientRect();
        const r = shape.getBoundingClientRect();
        return {
          name: g.getAttribute('data-name')!,
          label: text.textContent!.trim(),
          text: { x: b.x, y: b.y, width: b.width, height: b.height },
          box: { x: r.x, y: r.y, width: r.width, height: r.height },
          // Rendered size of one line of text on screen.
          px: b.height / text.querySelectorAll('tspan').length,
        };
      }),
    );
    expect(measured.length).toBeGreaterThan(150);
    for (const m of measured) {
      // Never truncated: the label is the whole name.
      expect(m.label).toBe(m.name);
      // Inside its own shape, and at least 10 px tall on screen.
      expect(inside(m.text, m.box), m.name).toBe(true);
      expect(m.px, m.name).toBeGreaterThanOrEqual(10);
    }
    // No two labels (nor two shapes) overlap.
    for (let i = 0; i < measured.length; i++)
      for (let j = i + 1; j < measured.length; j++) {
        expect(
          overlap(measured[i]!.box, measured[j]!.box),
          `${measured[i]!.name} / ${measured[j]!.name}`,
        ).toBe(false);
      }
    // Fit to the width of the box by default (at most one screen's scroll sideways at 80%).
    const { svgW, boxW } = await page.evaluate(() => ({
      svgW: document.querySelector('#diagram svg')!.getBoundingClientRect().width,
      boxW: document.getElementById('diagram')!.clientWidth,
    }));
    expect(svgW).toBeLessThanOrEqual(boxW * 1.25);
    await page.screenshot({ path: join(SHOTS, 'model-diagram.png') });
  });

  it('zooms with the buttons and the keyboard, and fits the whole drawing on request', async () => {
    const width = () => page.locator('#diagram svg').evaluate((e) => e.getBoundingClientRect().width);
    const w0 = await width();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(await width()).toBeGreaterThan(w0);
    await page.locator('#diagram').focus();
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    expect(await width()).toBeLessThan(w0);
    await page.click('#fit-all');
    const all = await page.evaluate(() => {
      const r = document.querySelector('#diagram svg')!.getBoundingClientRect();
      const box = document.getElementById('diagram')!;
      return { w: r.width, h: r.height, bw: box.clientWidth, bh: box.clientHeight };
    });
    expect(all.w).toBeLessThanOrEqual(all.bw);
    expect(all.h).toBeLessThanOrEqual(all.bh);
    await page.locator('#diagram').focus();
    await page.keyboard.press('0');
    expect(await width()).toBeCloseTo(w0, 0);
  });

  it('highlights a named loop on the stock-and-flow diagram and shows the loops as a causal-loop view', async () => {
    const named = page.locator('#case-loops button').first();
    await named.click();
    expect(await named.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#diagram path.edge.hl').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#diagram g.node.hl').count()).toBeGreaterThanOrEqual(10);
    await page.click('#tab-cld');
    await page.locator('#cld g.node').first().waitFor({ timeout: 120_000 });
    expect(await page.locator('#cld g.node.hl').count()).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: join(SHOTS, 'model-loops.png') });
    await page.click('#tab-sfd');
    await named.click();
    expect(await page.locator('#diagram path.edge.hl').count()).toBe(0);
  });

  it('details beside the diagram: equation, units, documentation, claims linked, loops, a run chart', async () => {
    await page.selectOption('#variable-picker', 'russian losses at full tempo');
    const details = page.locator('#details');
    await expect.poll(() => details.locator('h3').textContent()).toContain('russian losses at full tempo');
    expect(await page.locator('#edit-eqn').inputValue()).not.toBe('');
    expect(await page.locator('#edit-units').inputValue()).not.toBe('');
    expect(await details.locator('a[href*="#/claims"]').count()).toBeGreaterThan(0);
    expect(await details.locator('figure.chart path.line').count()).toBeGreaterThanOrEqual(1);
    // Beside the diagram, not under it.
    const d = await details.boundingBox();
    const g = await page.locator('#diagram').boundingBox();
    expect(d!.x).toBeGreaterThan(g!.x + g!.width - 1);
    expect(d!.y).toBeLessThan(g!.y + g!.height);
    expect(d!.y + d!.height).toBeGreaterThan(g!.y);
  });

  it('edits a constant and an equation: the chart changes at once; an error is located in place', async () => {
    await page.selectOption('#variable-picker', 'nk tour length');
    const before = await chartPath(page);
    await page.fill('#edit-eqn', '3');
    await expect.poll(() => chartPath(page)).not.toBe(before);
    expect(await page.evaluate(() => window.__interlockEdit!.fast)).toBe(true);
    expect(await page.locator('#edit-status').textContent()).toBe('Changed, not saved');
    expect(await page.title()).toMatch(/^\* /);

    await page.selectOption('#variable-picker', 'russian losses');
    const eqn = page.locator('#edit-eqn');
    const original = await eqn.inputValue();
    await eqn.fill(`${original} * (1 +* 2)`);
    const diag = page.locator('#edit-diagnostics');
    await expect.poll(() => diag.textContent()).toMatch(/Error at column \d+/);
    const column = Number(/column (\d+)/.exec((await diag.textContent())!)![1]);
    expect(`${original} * (1 +* 2)`[column - 1]).toBe('*');
    expect(await eqn.getAttribute('aria-invalid')).toBe('true');
    // The mark points at the offending character, however long the equation.
    const [shown, mark] = (await page.locator('#edit-caret').textContent())!.split('\n');
    expect(mark!.trimStart()).toBe('^');
    expect(shown![mark!.length - 1]).toBe('*');
    expect(shown!.length).toBeLessThanOrEqual(50);
    await page.screenshot({ path: join(SHOTS, 'editor-error.png') });
    // The error state too: no serious or critical accessibility violation.
    expect(await seriousViolations(page)).toEqual([]);
    await eqn.fill(`${original} * nowhere_variable`);
    await expect.poll(() => diag.textContent()).toMatch(/nowhere.variable/);
    const b2 = await chartPath(page);
    await eqn.fill(`${original} * 2`);
    await expect.poll(() => diag.locator('li.error').count()).toBe(0);
    await expect.poll(() => chartPath(page)).not.toBe(b2);
    expect(await page.evaluate(() => window.__interlockEdit!.fast)).toBe(false);
  });

  it('adds a stock and a flow, connects them, draws a graphical function; undo and redo', async () => {
    await page.fill('#new-name', 'reserve');
    await page.click('#add-stock');
    await page.locator('#diagram g.node[data-name="reserve"]').waitFor();
    await page.fill('#new-name', 'refill');
    await page.click('#add-flow');
    await page.locator('#diagram g.node[data-name="refill"]').waitFor();
    await page.fill('#edit-eqn', '2');
    await page.selectOption('#variable-picker', 'reserve');
    await page.selectOption('#flow-pick', 'refill');
    await page.selectOption('#flow-dir', 'inflow');
    await page.click('#flow-connect');
    await expect.poll(() => page.locator('#details pre.eqn').first().textContent()).toContain('+ refill');
    const time = await page.evaluate(() => window.__interlockEditor!.time());
    const reserve = await series(page, 'reserve');
    // d(reserve)/dt = 2 from 0: reserve(t) = 2 t.
    reserve.forEach((v, i) => expect(v).toBeCloseTo(2 * time[i]!, 9));
    await page.screenshot({ path: join(SHOTS, 'editor-added.png') });

    // A graphical function drawn by dragging its last point up.
    await page.fill('#new-name', 'shape');
    await page.click('#add-aux');
    await page.fill('#edit-eqn', 'TIME / 48');
    await page.click('#gf-add');
    const last = page.locator('#gf .gf-point').last();
    await last.waitFor();
    const shapeBefore = await series(page, 'shape');
    expect(shapeBefore.at(-1)).toBeCloseTo(1, 9);
    const box = (await last.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y - 40, { steps: 4 });
    await page.mouse.up();
    const ys = await page
      .locator('#gf .gf-table input')
      .evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
    expect(ys.at(-1)).toBeGreaterThan(1);
    await expect.poll(async () => (await series(page, 'shape')).at(-1)).toBeCloseTo(ys.at(-1)!, 9);
    // Keyboard: the same point moves with the arrow keys.
    await last.focus();
    await page.keyboard.press('ArrowDown');
    const ys2 = await page
      .locator('#gf .gf-table input')
      .evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
    expect(ys2.at(-1)).toBeLessThan(ys.at(-1)!);
    await page.screenshot({ path: join(SHOTS, 'editor-gf.png') });
    expect(await seriousViolations(page)).toEqual([]);

    // Undo back to before the graphical function's keyboard step, then redo it.
    await page.click('#edit-undo');
    await expect.poll(async () => (await series(page, 'shape')).at(-1)).toBeCloseTo(ys.at(-1)!, 9);
    await page.click('#edit-redo');
    await expect.poll(async () => (await series(page, 'shape')).at(-1)).toBeCloseTo(ys2.at(-1)!, 9);
    // Undo as far as the added auxiliary: it leaves the diagram.
    for (let i = 0; i < 8 && (await page.locator('#diagram g.node[data-name="shape"]').count()); i++)
      await page.click('#edit-undo');
    expect(await page.locator('#diagram g.node[data-name="shape"]').count()).toBe(0);
    expect(await page.locator('#diagram g.node[data-name="reserve"]').count()).toBe(1);
  });

  it('renames with references updated', async () => {
    await page.selectOption('#variable-picker', 'refill');
    const centre = async (name: string) => {
      const b = (await page.locator(`#diagram g.node[data-name="${name}"] rect`).first().boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2, w: b.width };
    };
    const before = await centre('refill');
    await page.fill('#edit-name', 'top up');
    await page.click('#edit-rename');
    await page.locator('#diagram g.node[data-name="top up"]').waitFor();
    // It keeps its place on the diagram.
    const after = await centre('top up');
    // (Its box takes the new label's width, so its centre may move by up to that change.)
    expect(Math.abs(after.x - before.x)).toBeLessThan(2 + Math.abs(after.w - before.w));
    expect(Math.abs(after.y - before.y)).toBeLessThan(2);
    await page.selectOption('#variable-picker', 'reserve');
    await expect.poll(() => page.locator('#details pre.eqn').first().textContent()).toContain('+ top up');
    // A lever the case's policies set (scenarios.json): saving will carry the new name there.
    await page.selectOption('#variable-picker', 'interdiction lever');
    await page.fill('#edit-name', 'strike lever');
    await page.press('#edit-name', 'Enter');
    await page.locator('#diagram g.node[data-name="strike lever"]').waitFor();
  });

  it('shows unit warnings once typing pauses, located on the variable', async () => {
    await page.selectOption('#variable-picker', 'russian losses');
    const warnings = () => page.locator('#edit-diagnostics li.warning').allTextContents();
    expect(await warnings()).toEqual([]);
    await page.fill('#edit-units', 'people');
    // A flow in people into a stock of people: it should be people per month.
    await expect
      .poll(warnings, { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/people\/month \(stock units per month\)/)]));
    await page.screenshot({ path: join(SHOTS, 'editor-units.png') });
    await page.fill('#edit-units', 'people/month');
    await expect.poll(warnings, { timeout: 10_000 }).toEqual([]);
  });

  it('is reachable by keyboard with labelled inputs and no serious accessibility violations', async () => {
    // One node of the diagram is in the Tab order; arrows move between nodes by position.
    expect(await page.locator('#diagram g.node[tabindex="0"]').count()).toBe(1);
    await page.locator('#diagram g.node[tabindex="0"]').focus();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-name') ?? '');
    const xOf = (name: string) =>
      page.locator(`#diagram g.node[data-name="${name}"]`).evaluate((g) => g.getBoundingClientRect().x);
    const a = await focused();
    await page.keyboard.press('ArrowRight');
    const b = await focused();
    expect(b).not.toBe(a);
    expect(await xOf(b)).toBeGreaterThan(await xOf(a));
    await page.keyboard.press('ArrowLeft');
    const c = await focused();
    expect(await xOf(c)).toBeLessThan(await xOf(b));
    expect(await page.locator('#diagram g.node[tabindex="0"]').getAttribute('data-name')).toBe(c);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#details h3').textContent()).toContain(c);
    // Tab leaves the drawing at once and reaches the details of the selected variable.
    for (
      let i = 0;
      i < 12 && !(await page.evaluate(() => !!document.activeElement?.closest('#details')));
      i++
    )
      await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('#details') !== null)).toBe(true);
    await page.keyboard.press('Tab');
    const violations = await seriousViolations(page);
    expect(violations, JSON.stringify(violations)).toEqual([]);
  });

  it('saves back to the file, reopens it as saved, and the CLI runs the saved file the same', async () => {
    const inBrowser = await series(page, 'reserve');
    await page.click('#save-server');
    await expect
      .poll(() => page.locator('#edit-message').textContent(), { timeout: 60_000 })
      .toContain('Saved to');
    expect(await page.locator('#edit-status').textContent()).toBe('No unsaved changes');
    const saved = readFileSync(modelFile, 'utf8');
    expect(saved).toContain('name="reserve"');
    expect(saved).toContain('<inflow>top_up</inflow>');
    // The renamed lever is renamed in the case's files too, and the case still reads.
    expect(await page.locator('#edit-message').textContent()).toContain('scenarios.json');
    const scenarios = readFileSync(join(root, 'case', 'scenarios.json'), 'utf8');
    expect(scenarios).toContain('"strike_lever": 1');
    expect(scenarios).not.toContain('interdiction_lever');
    // Reopen: a fresh page reads the file from the server.
    await page.reload();
    await page.goto(`${s.server.url}#/model?model=default`);
    await page.locator('#diagram g.node[data-name="reserve"]').waitFor({ timeout: 120_000 });
    await page.selectOption('#variable-picker', 'reserve');
    expect(await series(page, 'reserve')).toEqual(inBrowser);
    const cli = spawnSync(
      process.execPath,
      [
        join(REPO, 'bin', 'interlock.js'),
        'run',
        modelFile,
        '--vars',
        'reserve,russian losses',
        '--format',
        'json',
      ],
      { encoding: 'utf8' },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { series: Record<string, number[]> };
    expect(out.series.reserve).toEqual(inBrowser);
    // Chromium's V8 and Node's may differ in the last bit of Math functions: equal to 1e-13.
    const browserLosses = await series(page, 'russian losses');
    expect(out.series['russian losses']!.length).toBe(browserLosses.length);
    out.series['russian losses']!.forEach((v, i) =>
      expect(Math.abs(v - browserLosses[i]!)).toBeLessThanOrEqual(1e-13 * Math.abs(v)),
    );
  });

  it('saves an edited copy as a named alternative, listed beside the original', async () => {
    await page.selectOption('#variable-picker', 'nk tour length');
    await page.fill('#edit-eqn', '4');
    await page.fill('#alt-name', 'short-tours');
    await page.click('#save-alt');
    await expect
      .poll(() => page.locator('#edit-message').textContent(), { timeout: 60_000 })
      .toContain('alternatives/short-tours.xmile');
    const list = await page.evaluate(() => fetch('/api/models').then((r) => r.json()));
    const alt = (list as { models: { id: string; alternativeOf?: string }[] }).models.find(
      (m) => m.alternativeOf,
    );
    expect(alt?.alternativeOf).toBe('default');
    expect(readFileSync(join(root, 'case', 'alternatives', 'short-tours.xmile'), 'utf8')).toContain(
      '<eqn>4</eqn>',
    );
    // Run it beside the original on Simulate (same policy and levers) and on Compare (every policy).
    await page.click('#alt-result a[href*="#/simulate"]');
    await expect
      .poll(() => page.locator('#beside-note').textContent(), { timeout: 60_000 })
      .toContain('Beside this model');
    await expect
      .poll(() => page.locator('#sim-charts .legend').first().textContent())
      .toContain('alternative: short-tours');
    // Shorter tours change the troops in theatre: the alternative's line is not the original's.
    const lines = page.locator('#sim-charts figure').first().locator('path.line');
    expect(await lines.count()).toBeGreaterThanOrEqual(2);
    expect(await lines.nth(1).getAttribute('d')).not.toBe(await lines.nth(0).getAttribute('d'));
    await page.screenshot({ path: join(SHOTS, 'simulate-beside.png') });

    // An alternative that only renames the lever a policy sets runs that policy as the original
    // does: the case's scenarios name the lever as the case model does, the alternative under
    // its own name.
    await page.goto(`${s.server.url}#/model?model=default`);
    await page.locator('#variable-picker').waitFor();
    await page.click('#edit-undo'); // the tour length of 4 (saved above as short-tours)
    await page.selectOption('#variable-picker', 'strike lever');
    await page.fill('#edit-name', 'hit lever');
    await page.press('#edit-name', 'Enter');
    await page.fill('#alt-name', 'renamed-lever');
    await page.click('#save-alt');
    await expect
      .poll(() => page.locator('#edit-message').textContent(), { timeout: 60_000 })
      .toContain('alternatives/renamed-lever.xmile');
    expect(
      JSON.parse(readFileSync(join(root, 'case', 'alternatives', 'renamed-lever.renames.json'), 'utf8')),
    ).toEqual({ renamed: [['strike lever', 'hit lever']] });
    expect(readFileSync(join(root, 'case', 'scenarios.json'), 'utf8')).toContain('"strike_lever": 1');
    const renamedId = new URL(
      (await page.locator('#alt-result a[href*="#/simulate"]').getAttribute('href'))!,
      s.server.url,
    ).hash.match(/beside=([a-z0-9-]+)/)![1]!;
    const linesOf = async () =>
      page
        .locator('#sim-charts figure')
        .first()
        .locator('path.line')
        .evaluateAll((ps) => ps.map((p) => ({ stroke: p.getAttribute('stroke'), d: p.getAttribute('d') })));
    for (const [policy, same] of [
      ['interdiction', true],
      ['escalation-management', true],
    ] as const) {
      await page.goto(`${s.server.url}#/simulate?model=default&policy=${policy}&beside=${renamedId}`);
      await expect
        .poll(() => page.locator('#beside-note').textContent(), { timeout: 60_000 })
        .toContain('Beside this model');
      const drawn = await linesOf();
      const alt = drawn.find((l) => l.stroke === '#7b3294');
      const current = drawn.find((l) => l.stroke !== '#7b3294' && l.stroke !== null);
      expect(alt, JSON.stringify(drawn.map((l) => l.stroke))).toBeDefined();
      expect(alt!.d === current!.d, policy).toBe(same);
    }
    // Compare: chosen from the alternatives the server lists for this model.
    await page.goto(`${s.server.url}#/compare?model=default`);
    await page.locator('#beside-pick').waitFor();
    await page.selectOption('#beside-pick', alt!.id);
    await expect
      .poll(() => page.locator('#compare-charts figure').first().textContent(), { timeout: 60_000 })
      .toContain('short-tours');
    expect(s.errors).toEqual([]);
  });
});
