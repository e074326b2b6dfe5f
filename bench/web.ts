/**
 * Workbench benchmark: `npx tsx bench/web.ts`. Builds the web app if needed, serves the case model
 * on loopback, drives Debian's Chromium and measures
 *  - slider-to-redraw: one slider `input` event -> re-simulation in the page + chart DOM update +
 *    forced style/layout (target under 16 ms, one frame),
 *  - first load: navigation to the Simulate page until its first chart is drawn (target under 1 s),
 *  - bundle size: the built JavaScript and CSS, raw and gzipped.
 * Prints a table and writes bench/results/web.json. `--quick` repeats less. `--beside DIR` also
 * serves another build of the web app (say the previous commit's, built into DIR) from a second
 * server and alternates first loads between the two, so their ratio is measured under one load.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import {
  haveChromium,
  openSession,
  REPO,
  CHROMIUM,
  ensureWebBuild,
  CASE_MODEL,
} from '../test/web/browser.js';
import { startServer } from '../src/server/app.js';

// `--quick` (npm run bench -- --quick): fewer repetitions, same measures.
const QUICK = process.argv.includes('--quick');
const SLIDER_MOVES = QUICK ? 60 : 200;
const LOADS = QUICK ? 6 : 20;
const besideAt = process.argv.indexOf('--beside');
const BESIDE = besideAt >= 0 ? process.argv[besideAt + 1] : undefined;

function stats(xs: number[]): { median: number; p95: number; max: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return {
    median: q(0.5),
    p95: q(0.95),
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

function bundleSize(): {
  files: { file: string; bytes: number; gzip: number }[];
  js: number;
  jsGzip: number;
  total: number;
  totalGzip: number;
} {
  const dir = join(REPO, 'web-dist');
  const files: { file: string; bytes: number; gzip: number }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const buf = readFileSync(full);
        files.push({ file: full.slice(dir.length + 1), bytes: buf.length, gzip: gzipSync(buf).length });
      }
    }
  };
  walk(dir);
  const js = files.filter((f) => f.file.endsWith('.js'));
  return {
    files,
    js: js.reduce((a, f) => a + f.bytes, 0),
    jsGzip: js.reduce((a, f) => a + f.gzip, 0),
    total: files.reduce((a, f) => a + f.bytes, 0),
    totalGzip: files.reduce((a, f) => a + f.gzip, 0),
  };
}

async function main(): Promise<void> {
  if (!haveChromium()) {
    // Skipped, not failed: the other benchmarks need no browser.
    console.error(
      `bench/web skipped: ${CHROMIUM} is absent; install Debian's chromium (apt-get install chromium).`,
    );
    return;
  }
  ensureWebBuild();
  const bundle = bundleSize();
  const session = await openSession();
  try {
    const { page, server } = session;
    // First load: a fresh page each time, cache disabled through a new navigation with reload.
    const loads: number[] = [];
    const besideLoads: number[] = [];
    const parts: { fetchMs: number; compileMs: number; renderMs: number; doneAt?: number; dcl?: number }[] =
      [];
    const other = BESIDE
      ? await startServer({ model: CASE_MODEL, root: REPO, port: 0, host: '127.0.0.1', webDir: BESIDE })
      : undefined;
    const firstLoad = async (url: string): Promise<number> => {
      const fresh = await session.context.newPage();
      const t0 = Date.now();
      await fresh.goto(`${url}#/simulate?model=default`);
      await fresh.locator('#sim-charts path.line').first().waitFor();
      const ms = Date.now() - t0;
      await fresh.close();
      return ms;
    };
    for (let i = 0; i < LOADS; i++) {
      // Alternating, so both builds meet the same load on the machine.
      if (other) besideLoads.push(await firstLoad(other.url));
      const fresh = await session.context.newPage();
      const t0 = Date.now();
      await fresh.goto(`${server.url}#/simulate?model=default`);
      await fresh.locator('#sim-charts path.line').first().waitFor();
      loads.push(Date.now() - t0);
      const p = await fresh.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        return window.__interlockLoad
          ? { ...window.__interlockLoad, dcl: nav?.domContentLoadedEventEnd }
          : undefined;
      });
      if (p) parts.push(p);
      await fresh.close();
    }

    await page.goto(`${server.url}#/simulate?model=default`);
    await page.locator('#sim-charts path.line').first().waitFor();
    const info = await page.evaluate(() => ({
      sliders: document.querySelectorAll('input[type=range]').length,
      charts: document.querySelectorAll('#sim-charts figure').length,
      points:
        (document.querySelector('#sim-charts path.line')?.getAttribute('d') ?? '').split(/[ML]/).length - 1,
    }));
    const timing = await page.evaluate(async (moves: number) => {
      const slider = document.querySelector('input[type=range]') as HTMLInputElement;
      const lo = Number(slider.min);
      const hi = Number(slider.max);
      const withLayout: number[] = [];
      const handler: number[] = [];
      const simOnly: number[] = [];
      for (let i = 0; i < moves; i++) {
        slider.value = String(lo + ((hi - lo) * (i % 50)) / 49);
        const t0 = performance.now();
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        // Reading layout forces style and layout of the changed charts, as the next frame would.
        void document.body.offsetHeight;
        withLayout.push(performance.now() - t0);
        handler.push(window.__interlockRedraw?.last ?? NaN);
        simOnly.push(window.__interlockRedraw?.lastSim ?? NaN);
        if (i % 20 === 0) await new Promise((r) => requestAnimationFrame(() => r(null)));
      }
      return { withLayout, handler, simOnly };
    }, SLIDER_MOVES);
    // The first moves include JIT warm-up; report them apart.
    const warm = 20;
    const redraw = stats(timing.withLayout.slice(warm));
    const handler = stats(timing.handler.slice(warm));
    const simOnly = stats(timing.simOnly.slice(warm));
    const load = stats(loads);
    await other?.close();
    const beside = besideLoads.length ? stats(besideLoads) : undefined;
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        browser: 'Debian chromium, headless',
      },
      model: 'models/north-korea-russia',
      page: info,
      sliderToRedrawMs: {
        ...redraw,
        moves: SLIDER_MOVES - warm,
        warmupFirstMs: timing.withLayout[0],
        target: 16,
      },
      simulateAndDomMs: handler,
      simulateOnlyMs: simOnly,
      loadAverage: loadavg(),
      firstLoadMs: { ...load, loads: LOADS, target: 1000 },
      ...(beside ? { firstLoadBesideMs: { ...beside, webDir: BESIDE, loads: LOADS } } : {}),
      firstLoadPartsMedianMs: {
        drawnAtInPage: stats(parts.map((p) => p.doneAt ?? NaN)).median,
        domContentLoaded: stats(parts.map((p) => p.dcl ?? NaN)).median,
        fetchModel: stats(parts.map((p) => p.fetchMs)).median,
        readAndCompile: stats(parts.map((p) => p.compileMs)).median,
        firstRender: stats(parts.map((p) => p.renderMs)).median,
      },
      bundle: {
        jsBytes: bundle.js,
        jsGzipBytes: bundle.jsGzip,
        totalBytes: bundle.total,
        totalGzipBytes: bundle.totalGzip,
        files: bundle.files,
      },
    };
    const f = (x: number) => x.toFixed(2).padStart(9);
    const rows = [
      ['measure', 'median', 'p95', 'max', 'target'],
      ['slider -> redraw (ms)', f(redraw.median), f(redraw.p95), f(redraw.max), '     < 16'],
      ['  of which sim + DOM (ms)', f(handler.median), f(handler.p95), f(handler.max), ''],
      ['  of which sim alone (ms)', f(simOnly.median), f(simOnly.p95), f(simOnly.max), ''],
      ['first load (ms)', f(load.median), f(load.p95), f(load.max), '   < 1000'],
      ...(beside
        ? [
            ['  the --beside build (ms)', f(beside.median), f(beside.p95), f(beside.max), ''],
            ['  ratio this / beside', f(load.median / beside.median), f(load.p95 / beside.p95), '', ''],
          ]
        : []),
      ['  in page: drawn at (ms)', f(stats(parts.map((p) => p.doneAt ?? NaN)).median), '', '', ''],
      ['  DOMContentLoaded at (ms)', f(stats(parts.map((p) => p.dcl ?? NaN)).median), '', '', ''],
      ['  of which model fetch (ms)', f(stats(parts.map((p) => p.fetchMs)).median), '', '', ''],
      ['  of which read+compile (ms)', f(stats(parts.map((p) => p.compileMs)).median), '', '', ''],
      ['  of which first render (ms)', f(stats(parts.map((p) => p.renderMs)).median), '', '', ''],
    ];
    console.log(
      `load average during the run: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores`,
    );
    console.log(
      `workbench benchmark: case model, ${info.sliders} sliders, ${info.charts} charts of ${info.points} points`,
    );
    for (const r of rows)
      console.log(
        `${r[0]!.padEnd(28)}${r
          .slice(1)
          .map((c) => c.padStart(10))
          .join('')}`,
      );
    console.log(
      `bundle: JS ${(bundle.js / 1024).toFixed(1)} KiB (${(bundle.jsGzip / 1024).toFixed(1)} KiB gzip), all assets ${(bundle.total / 1024).toFixed(1)} KiB (${(bundle.totalGzip / 1024).toFixed(1)} KiB gzip)`,
    );
    mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
    writeFileSync(join(REPO, 'bench', 'results', 'web.json'), JSON.stringify(result, null, 2) + '\n');
    console.log('wrote bench/results/web.json');
  } finally {
    await session.close();
  }
}

await main();
