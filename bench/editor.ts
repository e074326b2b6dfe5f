/**
 * Editor benchmark: `npx tsx bench/editor.ts`. Serves the case model, opens the Model page in
 * Debian's Chromium and measures, side by side in one run:
 *  - keystroke to re-simulated chart, changing a constant (the fast path: the compiled model
 *    re-runs with the new value; target under 50 ms),
 *  - keystroke to re-simulated chart, changing an equation (read, compile, units check, run),
 *  - the diagram's layout (ELK in a worker) on first load, and again from the tab's cache.
 * Each edit is one `input` event on the equation field, timed from the event to the end of the
 * run it causes (edits are coalesced into the next task) plus a forced layout (the chart's DOM
 * update included); a burst of typing faster than the runs; and, in Node, the editor's path of
 * an equation edit beside the whole path it replaced. Writes bench/results/editor.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { CHROMIUM, ensureWebBuild, haveChromium, openSession, REPO } from '../test/web/browser.js';
import { compileModel, readModel } from '../src/engine.js';
import { diagnose } from '../src/edit/diagnose.js';
import { EditorSession } from '../src/web/editor/session.js';

const QUICK = process.argv.includes('--quick');
const EDITS = QUICK ? 20 : 60;

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
}

/**
 * In Node, side by side: an equation edit of the case model through the editor's session
 * (parses of unchanged equations reused, advisory checks apart, one run without warm-up)
 * against the whole path the editor took before (every equation parsed, compile, units, unused
 * links, a warmed-up run). Also the advisory checks alone, which the page runs when typing pauses.
 */
function nodePaths(): { sessionMs: number; fullMs: number; ratio: number; adviseMs: number } {
  const text = readFileSync(join(REPO, 'models', 'north-korea-russia', 'model.xmile'), 'utf8');
  const model = readModel(text, { file: 'model.xmile' }).model!;
  const session = new EditorSession(model, compileModel(model).compiled!);
  const name = 'russian_losses';
  const original = model.variables.find((v) => v.name === name)!.eqn!.text;
  const n = QUICK ? 21 : 61;
  const ses: number[] = [];
  const full: number[] = [];
  const adv: number[] = [];
  for (let i = 0; i < n; i++) {
    const edit = { op: 'set-equation' as const, name, text: `(${original}) * ${1 + (i % 7) / 10}` };
    let t = performance.now();
    session.apply(edit, 'eqn');
    ses.push(performance.now() - t);
    t = performance.now();
    session.advise();
    adv.push(performance.now() - t);
    // The path before: fresh equation objects (nothing parsed is reused), everything at once.
    const fresh = {
      ...session.model,
      variables: session.model.variables.map((v) => (v.eqn ? { ...v, eqn: { ...v.eqn } } : v)),
    };
    t = performance.now();
    const d = diagnose(fresh);
    const sim = d.compiled!.simulation();
    sim.run();
    full.push(performance.now() - t);
  }
  const sessionMs = stats(ses.slice(1)).median;
  const fullMs = stats(full.slice(1)).median;
  return { sessionMs, fullMs, ratio: fullMs / sessionMs, adviseMs: stats(adv.slice(1)).median };
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
          const compile: number[] = [];
          const layout: number[] = [];
          const draw: number[] = [];
          const handler: number[] = [];
          const wait: number[] = [];
          const run: number[] = [];
          for (let i = 0; i < n; i++) {
            field.value = texts[i]!;
            const start = performance.now();
            const ran = new Promise((r) => window.addEventListener('interlock-edit', r, { once: true }));
            field.dispatchEvent(new Event('input', { bubbles: true }));
            await ran;
            const handled = performance.now();
            void document.body.offsetHeight;
            ms.push(performance.now() - start);
            layout.push(performance.now() - handled);
            // From the event to the edit starting to run (its task, a frame drawn in between).
            wait.push(window.__interlockEdit?.queuedMs ?? NaN);
            fast.push(window.__interlockEdit?.fast ?? false);
            compile.push(window.__interlockEdit?.compileMs ?? NaN);
            run.push(window.__interlockEdit?.runMs ?? NaN);
            draw.push(window.__interlockEdit?.drawMs ?? NaN);
            handler.push(window.__interlockEdit?.ms ?? NaN);
            if (i % 10 === 0) await new Promise((r) => requestAnimationFrame(() => r(null)));
          }
          return { ms, fast, compile, run, layout, wait, draw, handler };
        },
        { n: EDITS, texts: Array.from({ length: EDITS }, (_, i) => values(i)) },
      );
    };
    const constant = await time('nk tour length', (i) => String(4 + (i % 9)));
    const original = await page.locator('#edit-eqn').inputValue();
    const equation = await time('russian losses', (i) => `(${original}) * ${1 + (i % 5) / 10}`);
    // A burst of typing faster than a run: real key presses 15 ms apart at the end of the field.
    // Edits are coalesced, so fewer runs than keystrokes; the figure is from the last keystroke's
    // input event to the end of the run after it (the run of the whole typed text).
    await page.evaluate(() => {
      const w = window as unknown as { __burst: { inputs: number[]; runs: number[] } };
      w.__burst = { inputs: [], runs: [] };
      // In the capture phase: before the page's own listener, which may run the edit at once.
      document.addEventListener('input', () => w.__burst.inputs.push(performance.now()), true);
      window.addEventListener('interlock-edit', () => w.__burst.runs.push(performance.now()));
    });
    await page.locator('#edit-eqn').fill(`(${original}) * 1`);
    await page.waitForTimeout(300);
    await page.locator('#edit-eqn').press('Control+End');
    await page.locator('#edit-eqn').pressSequentially('.0123456789012345678', { delay: 15 });
    await page.waitForTimeout(1000);
    const burst = await page.evaluate(() => {
      const { inputs, runs } = (window as unknown as { __burst: { inputs: number[]; runs: number[] } })
        .__burst;
      const typed = inputs.slice(1);
      const last = typed[typed.length - 1]!;
      const after = runs.find((t) => t > last)!;
      return {
        keystrokes: typed.length,
        runs: runs.filter((t) => t > typed[0]! - 1).length,
        lastMs: after - last,
      };
    });
    const warm = 5;
    const c = stats(constant.ms.slice(warm));
    const e = stats(equation.ms.slice(warm));
    const result = {
      date: new Date().toISOString(),
      model: 'models/north-korea-russia',
      loadAverage: { before: load0, after: loadavg() },
      edits: EDITS - warm,
      constantKeystrokeMs: { ...c, fastPathTaken: constant.fast.every(Boolean), target: 50 },
      equationKeystrokeMs: {
        ...e,
        fastPathTaken: equation.fast.some(Boolean),
        compileMedian: stats(equation.compile.slice(warm)).median,
        runMedian: stats(equation.run.slice(warm)).median,
        layoutMedian: stats(equation.layout.slice(warm)).median,
        drawMedian: stats(equation.draw.slice(warm)).median,
        handlerMedian: stats(equation.handler.slice(warm)).median,
        waitMedian: stats(equation.wait.slice(warm)).median,
      },
      equationOverConstantMedian: e.median / c.median,
      burst: { ...burst, gapMs: 15 },
      node: nodePaths(),
      layoutMs: { first: layoutFirst, cached: layoutCached, ratio: layoutFirst / layoutCached },
    };
    console.log(
      `constant edit -> chart: median ${c.median.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms (target 50)\n` +
        `equation edit -> chart: median ${e.median.toFixed(1)} ms, p95 ${e.p95.toFixed(1)} ms ` +
        `(${result.equationOverConstantMedian.toFixed(1)}x the constant edit; in the edit's handler ${result.equationKeystrokeMs.handlerMedian.toFixed(1)} ms, of which compile ${result.equationKeystrokeMs.compileMedian.toFixed(1)} ms, run ${result.equationKeystrokeMs.runMedian.toFixed(1)} ms, chart ${result.equationKeystrokeMs.drawMedian.toFixed(1)} ms, waiting for the task ${result.equationKeystrokeMs.waitMedian.toFixed(1)} ms, page layout after ${result.equationKeystrokeMs.layoutMedian.toFixed(1)} ms)\n` +
        `in Node: equation edit through the session ${result.node.sessionMs.toFixed(1)} ms, the whole path ${result.node.fullMs.toFixed(1)} ms (${result.node.ratio.toFixed(2)}x); advisory checks ${result.node.adviseMs.toFixed(1)} ms\n` +
        `typing burst: ${burst.keystrokes} keystrokes 15 ms apart -> ${burst.runs} runs, last keystroke to chart ${burst.lastMs.toFixed(1)} ms\n` +
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
