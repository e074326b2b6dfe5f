/**
 * End-to-end: the landing page answers first (the case's questions with one run per policy), a
 * plain model gets a summary of its behaviour; accessibility checked with axe-core.
 * Skips (saying why) when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { haveChromium, openSession, REPO, type Session } from './browser.js';
import { seriousViolations } from './a11y.js';

const available = haveChromium();
if (!available)
  console.warn('answers browser tests skipped: /usr/bin/chromium is absent (apt-get install chromium)');

const SHOTS = join(REPO, 'out', 'e2e');
const FIXTURE = fileURLToPath(new URL('./fixtures/population.xmile', import.meta.url));

describe.skipIf(!available)('the answer page (Chromium)', () => {
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

  it('opens on the four questions with a run per policy, troops as whole numbers', async () => {
    await page.goto(s.server.url);
    await page.locator('#answer-q1 table').waitFor();
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Answers');
    expect(await page.locator('section.answer h3').allTextContents()).toHaveLength(4);
    const rows = page.locator('#answer-q1 tbody tr');
    // One row per policy of the case (scenarios.json).
    const policies = Object.keys(
      JSON.parse(readFileSync(join(REPO, 'models/north-korea-russia/scenarios.json'), 'utf8')) as object,
    ).length;
    expect(await rows.count()).toBe(policies);
    const cells = await page.locator('#answer-q1 tbody tr.baseline td').allTextContents();
    expect(cells[0]).toMatch(/^\d{1,3}(,\d{3})*$/);
    expect((await page.locator('#answer-q1 a.claim').allTextContents()).join(' ')).toBe('C4 C14 C15');
    await page.screenshot({ path: join(SHOTS, 'answers.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  it('summarises a plain model instead', async () => {
    await page.goto(`${s.server.url}#/answers?model=default`);
    await page.locator('#upload').setInputFiles(FIXTURE);
    await page.waitForURL(/model=m\d+/);
    await page.locator('section.answer li').first().waitFor();
    const text = await page.locator('section.answer').textContent();
    expect(text).toContain('What this model does');
    expect(text).toMatch(/(grows|falls|rises|stays)/);
    await page.screenshot({ path: join(SHOTS, 'answers-plain.png') });
    expect(await seriousViolations(page)).toEqual([]);
  });
});
