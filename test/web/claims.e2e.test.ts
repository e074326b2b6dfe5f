/**
 * End-to-end: the Claims page and the claim links (docs/claims.md in the browser), with the
 * accessibility check. Skips (saying why) when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { haveChromium, openSession, REPO, type Session } from './browser.js';
import { seriousViolations } from './a11y.js';

const available = haveChromium();
if (!available)
  console.warn('claims browser tests skipped: /usr/bin/chromium is absent (apt-get install chromium)');

const SHOTS = join(REPO, 'out', 'e2e');

describe.skipIf(!available)('claims in the browser (Chromium)', () => {
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

  it('lists C1-C18 with where each lives, opens one claim from its link, and passes axe', async () => {
    await page.goto(`${s.server.url}#/claims?model=default&claim=C11`);
    await page.locator('#claim-c18').waitFor();
    expect(await page.locator('section.claim-entry').count()).toBe(18);
    const selected = page.locator('section.claim-entry.selected');
    await expect.poll(() => selected.getAttribute('id')).toBe('claim-c11');
    expect(await selected.textContent()).toContain('c11_casualty_as_down_payment');
    await page.screenshot({ path: join(SHOTS, 'claims.png') });
    expect(await seriousViolations(page)).toEqual([]);

    // From the Model page: select a variable; its claims are links to this page.
    await page.goto(`${s.server.url}#/model?model=default`);
    const node = page.locator('#diagram g.node[data-name="russian losses at full tempo"]');
    await node.waitFor();
    await node.focus();
    await page.keyboard.press('Enter');
    const link = page.locator('#details a.claim').first();
    await link.waitFor();
    const id = (await link.textContent())!;
    expect(id).toMatch(/^C\d{1,2}$/);
    await link.click();
    await expect
      .poll(() => page.locator('section.claim-entry.selected').getAttribute('id'))
      .toBe(`claim-${id.toLowerCase()}`);
    expect(s.errors).toEqual([]);
  });
});
