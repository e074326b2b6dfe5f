/**
 * Editor benchmark: `npx tsx bench/editor.ts`. Serves the case model, opens the Model page in
 * Debian's Chromium and measures, side by side in one run:
 *  - keystroke to re-simulated chart, changing a constant (the fast path: the compiled model
 *    re-runs with the new value; target under 50 ms),
 *  - keystroke to re-simulated chart, changing an equation (read, compile, units check, run),
 *  - the diagram's layout (ELK in a worker) on first load, and again from the tab's cache.
 * Each edit is one `input` event on the equation field, timed to the end of its handler plus a
 * forced layout (the chart's DOM update included). Writes bench/results/editor.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { CHROMIUM, ensureWebBuild, haveChromium, openSession, REPO } from '../test/web/browser.js';

const QUICK = process.argv.includes('--quick');
const EDITS = QUICK ? 20 : 60;

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
}

async function main(): Promise<void> {
  if (!haveChromium()) {
    console.error(`bench/editor skipped: ${CHROMIUM} is absent (apt-get install chromium).`);
    return;
  }
  ensureWebBuild();
  const load0 = loadavg();
  const session = await openSession();
  try {
    const { page, server } = session;
    let t0 = Date.now();
    await page.goto(`${server.url}#/model?model=default`);
    await page.locator('#diagram g.node').first().waitFor({ timeout: 180_000 });
    const layoutFirst = Date.now() - t0;
    t0 = Date.now();
    await page.reload();
    await page.locator('#diagram g.node').first().waitFor({ timeout: 180_000 });
    const layoutCached = Date.now() - t0;

    const time = async (variable: string, values: (i: number) => string) => {
      await page.selectOption('#variable-picker', variable);
      await page.locator('#edit-eqn').waitFor();
      return page.evaluate(
        async ({ n, texts }) => {
          const field = document.getElementById('edit-eqn') as HTMLTextAreaElement;
          const ms: number[] = [];
          const fast: boolean[] = [];
          for (let i = 0; i < n; i++) {
            field.value = texts[i]!;
            const start = performance.now();
            field.dispatchEvent(new Event('input', { bubbles: true }));
            void document.body.offsetHeight;
            ms.push(performance.now() - start);
            fast.push(window.__interlockEdit?.fast ?? false);
            if (i % 10 === 0) await new Promise((r) => requestAnimationFrame(() => r(null)));
          }
          return { ms, fast };
        },
        { n: EDITS, texts: Array.from({ length: EDITS }, (_, i) => values(i)) },
      );
    };
    const constant = await time('nk tour length', (i) => String(4 + (i % 9)));
    const original = await page.locator('#edit-eqn').inputValue();
    const equation = await time('russian losses', (i) => `(${original}) * ${1 + (i % 5) / 10}`);
    const warm = 5;
    const c = stats(constant.ms.slice(warm));
    const e = stats(equation.ms.slice(warm));
    const result = {
      date: new Date().toISOString(),
      model: 'models/north-korea-russia',
      loadAverage: { before: load0, after: loadavg() },
      edits: EDITS - warm,
      constantKeystrokeMs: { ...c, fastPathTaken: constant.fast.every(Boolean), target: 50 },
      equationKeystrokeMs: { ...e, fastPathTaken: equation.fast.some(Boolean) },
      equationOverConstantMedian: e.median / c.median,
      layoutMs: { first: layoutFirst, cached: layoutCached, ratio: layoutFirst / layoutCached },
    };
    console.log(
      `constant edit -> chart: median ${c.median.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms (target 50)\n` +
        `equation edit -> chart: median ${e.median.toFixed(1)} ms, p95 ${e.p95.toFixed(1)} ms ` +
        `(${result.equationOverConstantMedian.toFixed(1)}x the constant edit)\n` +
        `diagram layout: first ${layoutFirst} ms, from the tab's cache ${layoutCached} ms\n` +
        `load average ${load0.map((x) => x.toFixed(2)).join(' ')}`,
    );
    mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
    writeFileSync(join(REPO, 'bench', 'results', 'editor.json'), JSON.stringify(result, null, 2) + '\n');
    console.log('wrote bench/results/editor.json');
  } finally {
    await session.close();
  }
}

await main();
