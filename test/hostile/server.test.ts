/**
 * The server under hostile requests: model bombs and slow models are ended in their worker and
 * answered with a clear 4xx while other clients are served; experiments can be cancelled; the
 * Host allow-list and the API token guard it off loopback.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBindHost, isLoopbackHost, startServer, type RunningServer } from '../../src/server/app.js';
import { cliCapped, xmile } from './helpers.js';

const population = readFileSync(new URL('../web/fixtures/population.xmile', import.meta.url), 'utf8');

interface Answer {
  status: number;
  json: () => Record<string, unknown>;
  at: number;
}

function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text), at: performance.now() });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const productBomb = xmile({
  dims: '<dim name="A" size="1000"/><dim name="B" size="1000"/><dim name="C" size="10"/>',
  vars: '<aux name="x"><dimensions><dim name="A"/><dim name="B"/><dim name="C"/></dimensions><eqn>1</eqn></aux>',
});
// Within a raised elements budget, but far too much work for the worker's limits.
const heavy = xmile({
  dims: '<dim name="A" size="1000000"/>',
  vars: '<aux name="x"><dimensions><dim name="A"/></dimensions><eqn>SMTH3(TIME + A, 2)</eqn></aux>',
});

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    budgets: { elements: 20_000_000 },
    modelLimits: { memoryMb: 192, timeoutMs: 4000 },
    experimentLimits: { memoryMb: 256, timeoutMs: 60_000 },
  });
  const opened = await call(server, 'POST', '/api/models', population, {
    'content-type': 'application/xml',
    'x-model-name': 'population',
  });
  expect(opened.status).toBe(201);
});
afterAll(async () => server?.close());

describe('the server stays up for everyone', () => {
  it('a model over the budget is a 422 naming the budget', async () => {
    const s2 = await startServer({ port: 0 });
    try {
      const r = await call(s2, 'POST', '/api/models', productBomb, { 'content-type': 'application/xml' });
      expect(r.status).toBe(422);
      expect(JSON.stringify(r.json().details)).toContain("over the 'elements' budget of 200,000");
    } finally {
      await s2.close();
    }
  });

  it('a model too heavy for its worker is ended with a 422 while health keeps answering', async () => {
    const started = performance.now();
    const bomb = call(server, 'POST', '/api/models', heavy, { 'content-type': 'application/xml' });
    const healths: Answer[] = [];
    let bombDone = false;
    void bomb.then(() => (bombDone = true));
    while (!bombDone && healths.length < 400) {
      healths.push(await call(server, 'GET', '/api/health'));
      await new Promise((r) => setTimeout(r, 10));
    }
    const answer = await bomb;
    expect(answer.status).toBe(422);
    expect(String(answer.json().error)).toMatch(
      /checking the model (took longer than the server allows \(4 s\)|needs more memory than the server allows \(192 MB\))/,
    );
    // Health was answered, many times, before the bomb's answer came back.
    expect(healths.length).toBeGreaterThan(5);
    expect(healths.every((h) => h.status === 200)).toBe(true);
    expect(healths.filter((h) => h.at < answer.at).length).toBeGreaterThan(5);
    expect(performance.now() - started).toBeLessThan(15_000);
    // And the server goes on.
    expect((await call(server, 'GET', '/api/models')).status).toBe(200);
  });

  it('DELETE /api/experiments/:id cancels a running experiment', async () => {
    // A million steps per run: 5000 runs would take minutes; cancelled, it ends within a run.
    const slow = xmile({
      specs: '<start>0</start><stop>1000</stop><dt>0.001</dt>',
      vars: [
        '<stock name="S"><eqn>1</eqn><inflow>grow</inflow></stock>',
        '<flow name="grow"><eqn>S * k * (1 - S / 1000)</eqn></flow>',
        '<aux name="k"><eqn>0.1</eqn></aux>',
      ].join('\n'),
    });
    const opened = await call(server, 'POST', '/api/models', slow, { 'content-type': 'application/xml' });
    expect(opened.status).toBe(201);
    const start = await call(
      server,
      'POST',
      '/api/experiments',
      JSON.stringify({ model: opened.json().id, samples: 5000, seed: 1, output: 'S' }),
      { 'content-type': 'application/json' },
    );
    expect(start.status).toBe(202);
    const id = String(start.json().id);
    let st: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) {
      st = (await call(server, 'GET', `/api/experiments/${id}`)).json();
      if (st.status === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(st.status).toBe('running');
    const del = await call(server, 'DELETE', `/api/experiments/${id}`);
    expect(del.status).toBe(200);
    for (let i = 0; i < 500; i++) {
      st = (await call(server, 'GET', `/api/experiments/${id}`)).json();
      if (st.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(st.status).toBe('stopped');
    expect(Number(st.done)).toBeLessThan(5000);
    expect((await call(server, 'DELETE', '/api/experiments/e999')).status).toBe(404);
  });

  it('__proto__ and constructor keys in a body or a query are a 400 naming the key', async () => {
    const json = { 'content-type': 'application/json' };
    const proto = await call(
      server,
      'POST',
      '/api/experiments',
      '{"model": "population", "__proto__": {"samples": 2}}',
      json,
    );
    expect(proto.status).toBe(400);
    expect(proto.json().details).toEqual([
      'body.__proto__: is a reserved key (__proto__, constructor, prototype)',
    ]);
    const ctor = await call(
      server,
      'POST',
      '/api/experiments',
      JSON.stringify({ model: 'population', parameters: { constructor: [0, 1] } }),
      json,
    );
    expect(ctor.status).toBe(400);
    expect(ctor.json().details).toEqual([
      'body.parameters.constructor: is a reserved key (__proto__, constructor, prototype)',
    ]);
    const query = await call(server, 'GET', '/api/folders?model=population&__proto__=x');
    expect(query.status).toBe(400);
    expect(query.json().details).toEqual([
      'query.__proto__: is a reserved key (__proto__, constructor, prototype)',
    ]);
  });

  it('bad percent-encoding in a path is a 400, not a 500', async () => {
    expect((await call(server, 'GET', '/api/models/%ZZ')).status).toBe(400);
    expect((await call(server, 'GET', '/api/experiments/%E0%A4%A')).status).toBe(400);
  });
});

describe('off loopback: Host allow-list and API token', () => {
  it('a token, when set, is required on the API; the Host check uses the allow-list', async () => {
    const token = 'a-test-token-of-enough-length';
    const s = await startServer({ port: 0, token, allowHosts: ['wb.example'] });
    try {
      expect((await call(s, 'GET', '/api/health')).status).toBe(401);
      expect((await call(s, 'GET', '/api/health', undefined, { 'x-interlock-token': 'wrong' })).status).toBe(
        401,
      );
      expect((await call(s, 'GET', '/api/health', undefined, { 'x-interlock-token': token })).status).toBe(
        200,
      );
      expect(
        (await call(s, 'GET', '/api/health', undefined, { authorization: `Bearer ${token}` })).status,
      ).toBe(200);
      const named = await call(s, 'GET', '/api/health', undefined, {
        'x-interlock-token': token,
        host: 'WB.example:4321',
      });
      expect(named.status).toBe(200);
      const rebound = await call(s, 'GET', '/api/health', undefined, {
        'x-interlock-token': token,
        host: 'evil.example',
      });
      expect(rebound.status).toBe(403);
    } finally {
      await s.close();
    }
  });

  it('binding every interface keeps the Host check and generates a token', async () => {
    const s = await startServer({ port: 0, host: '0.0.0.0' });
    try {
      expect(s.workbench.loopbackOnly).toBe(false);
      expect(s.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const url = new URL(s.url);
      const local = { ...s, url: `http://127.0.0.1:${url.port}/` };
      expect((await call(local, 'GET', '/api/health')).status).toBe(401);
      expect(
        (await call(local, 'GET', '/api/health', undefined, { 'x-interlock-token': s.token! })).status,
      ).toBe(200);
      const rebound = await call(local, 'GET', '/api/health', undefined, {
        'x-interlock-token': s.token!,
        host: 'evil.example',
      });
      expect(rebound.status).toBe(403);
    } finally {
      await s.close();
    }
  });

  it('empty and wildcard-looking hosts are refused unless spelled out', () => {
    for (const bad of ['', ' ', '0', '0x0', '::0', '0:0::0', ' 127.0.0.1', 'a b', '*'])
      expect(checkBindHost(bad), JSON.stringify(bad)).toBeDefined();
    for (const good of ['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1', 'wb.example', '192.168.1.5'])
      expect(checkBindHost(good), good).toBeUndefined();
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });

  it('interlock serve --host "" is a usage error', () => {
    const r = cliCapped(['serve', '--host', '', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--host is empty');
  });
});
