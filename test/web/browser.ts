/**
 * Shared set-up for the browser tests and the benchmark: build the web app when it is missing,
 * start the server on a free loopback port, and launch Debian's Chromium through playwright-core
 * (never Playwright's own downloaded browsers).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CASE_MODEL = join(REPO, 'models', 'north-korea-russia');

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Build web-dist/ with Vite unless it is already there (npm test builds it first). */
export function ensureWebBuild(): void {
  if (existsSync(join(REPO, 'web-dist', 'index.html'))) return;
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: REPO,
    stdio: 'pipe',
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stderr || r.stdout}`);
}

export interface Session {
  server: RunningServer;
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** A browser on a fresh server: the case model under the repository by default, or `model` under `root`. */
export async function openSession(
  options: { model?: string; root?: string; server?: Partial<ServerOptions> } = {},
): Promise<Session> {
  ensureWebBuild();
  const server = await startServer({
    ...options.server,
    model: options.model ?? CASE_MODEL,
    root: options.root ?? REPO,
    port: 0,
    host: '127.0.0.1',
  });
  const profile = mkdtempSync(join(tmpdir(), 'interlock-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1000 },
    });
  } catch (err) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return {
    server,
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
