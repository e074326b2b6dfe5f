/**
 * End-to-end: the landing page answers first (the case's four questions answered from the
 * calibrated ensemble, the same answers npm start prints, with the numbers per policy), a plain
 * model gets a summary of its behaviour; accessibility checked with axe-core.
 * Skips (saying why) when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CASE_MODEL, haveChromium, openSession, REPO, type Session } from './browser.js';
import { computeCaseAnswers, type CaseAnswers } from '../../src/case/case-answers.js';
import { loadCase } from '../../src/case/load.js';
import { formatNumber, formatShare, formatShareInterval } from '../../src/format/number.js';
import { seriousViolations } from './a11y.js';

const available = haveChromium();
if (!available)
  console.warn('answers browser tests skipped: /usr/bin/chromium is absent (apt-get install chromium)');

const SHOTS = join(REPO, 'out', 'e2e');
const FIXTURE = fileURLToPath(new URL('./fixtures/population.xmile', import.meta.url));

describe.skipIf(!available)('the answer page (Chromium)', () => {
  let s: Session;
  let page: Page;
  let computed: CaseAnswers;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A small ensemble (the server is given it as npm start gives its own), so the test is quick.
    computed = computeCaseAnswers(loadCase(CASE_MODEL), {
      samples: 32,
      seed: 3,
      seeds: 2,
      minRecurrence: 2,
    })!;
    s = await openSession({ server: { answers: computed } });
    page = s.page;
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  it('opens on the four answers from the ensemble, with the numbers per policy and links', async () => {
    await page.goto(s.server.url);
    await page.locator('#answer-q1 .answer-text').waitFor();
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Answers');
    expect(await page.locator('section.answer h3').allTextContents()).toHaveLength(4);
    // Each answer is the library's sentence, word for word.
    expect(await page.locator('section.answer .answer-text').allTextContents()).toEqual(
      computed.answers.map((a) => a.answer),
    );
    // One row per policy of the case (scenarios.json), with the share and its interval.
    const policies = Object.keys(
      JSON.parse(readFileSync(join(REPO, 'models/north-korea-russia/scenarios.json'), 'utf8')) as object,
    ).length;
    const rows = page.locator('#answers-policies tbody tr');
    expect(await rows.count()).toBe(policies);
    const base = computed.headline.policies.find((p) => p.policy === computed.headline.baseline)!;
    const baseRow = rows.filter({ hasText: '(the baseline)' });
    const cells = await baseRow.locator('td').allTextContents();
    expect(cells[1]).toBe(formatShare(base.growing));
    expect(cells[2]).toBe(formatShareInterval(base.interval[0], base.interval[1]));
    expect(cells[3]).toMatch(/^(< 1|\d{1,3}(,\d{3})*)$/);
    // Q2 by reading of C11: one row per policy, one column per switch setting, the library's medians.
    const tech = page.locator('#answers-technology-by-switch');
    expect(await tech.locator('tbody tr').count()).toBe(policies);
    expect(await tech.locator('thead th').count()).toBe(1 + computed.headline.technologyBySwitch.length);
    const firstTech = await tech.locator('tbody tr').first().locator('td').allTextContents();
    const firstPolicy = computed.headline.policies[0]!.policy;
    expect(firstTech[0]).toBe(firstPolicy);
    expect(firstTech[1]).toBe(formatNumber(computed.headline.technologyBySwitch[0]!.medians[firstPolicy]!));
    expect((await page.locator('#answer-q1 a.claim').allTextContents()).join(' ')).toBe('C4 C14 C15');
    // What is behind each answer: links to the pages, for this model.
    const q4Links = await page
      .locator('#answer-q4 a:not(.claim)')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(q4Links).toContain('#/calibration?model=default');
    expect(await page.locator('#answers-rests-on li').count()).toBeGreaterThanOrEqual(3);
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
