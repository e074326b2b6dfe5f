import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const built = existsSync(CLI);
if (!built) console.warn('serve CLI tests skipped: dist/ is not built (npm run build)');

describe.skipIf(!built)('interlock serve', () => {
  it('refuses a bad port (usage, exit 2) and a missing model (input, exit 1) without a stack trace', () => {
    const port = spawnSync(process.execPath, [CLI, 'serve', '--port', '99999'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port must be 0-65535');
    const missing = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', 'no/such/model.xmile'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such model file or folder');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('serves a model on loopback, prints the URL, answers the API and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', 'test/web/fixtures/population.xmile'],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited early with ${code}: ${err}`)));
      });
      const res = await fetch(`${url}api/models/default`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { name: string; case: unknown };
      expect(body.name).toBe('Population with crowding');
      expect(body.case).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
