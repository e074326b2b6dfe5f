import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { experimentRequest, modelDocument } from '../../src/server/schema.js';
import { jsonSchemaOf, openApiDocument } from '../../src/server/openapi.js';
import { check } from '../../src/validation.js';
import { quantiles, spearman } from '../../src/server/analysis.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const population = readFileSync(new URL('population.xmile', FIXTURES), 'utf8');

let server: RunningServer;
let root: string;

/** A raw request, so that paths are sent exactly as written (fetch would normalise `..`). */
function raw(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  json: () => Record<string, unknown>;
  text: string;
  headers: Record<string, unknown>;
}> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text, headers: res.headers, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'interlock-serve-'));
  mkdirSync(join(root, 'case'));
  writeFileSync(join(root, 'case', 'model.xmile'), population);
  writeFileSync(
    join(root, 'case', 'scenarios.json'),
    JSON.stringify({ crowded: { description: 'small capacity', overrides: { capacity: 300 } } }),
  );
  writeFileSync(
    join(root, 'case', 'parameters.json'),
    // As the CLI reads it (src/case): a parameter names its source.
    JSON.stringify({ capacity: { kind: 'assumption', source: 'test fixture', range: [200, 2000] } }),
  );
  writeFileSync(join(root, 'secret.txt'), 'not for clients');
  const web = join(root, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>shell</title>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
  server = await startServer({ model: join(root, 'case'), root, webDir: web, port: 0, modelBytes: 20_000 });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('workbench server', () => {
  it('listens on loopback and serves its OpenAPI document', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await raw('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/models', '/api/models/{id}', '/api/experiments']),
    );
  });

  it('serves the opened model with its case data', async () => {
    const res = await raw('GET', '/api/models/default');
    expect(res.status).toBe(200);
    const m = res.json() as { name: string; file: string; text: string; case: { scenarios: object } };
    expect(m.name).toBe('Population with crowding');
    expect(m.file).toBe('case/model.xmile');
    expect(m.text).toContain('<xmile');
    expect(Object.keys(m.case.scenarios)).toEqual(['crowded']);
  });

  it('reads the case files again when they change, and sends no README', async () => {
    const file = join(root, 'case', 'scenarios.json');
    const before = readFileSync(file, 'utf8');
    writeFileSync(join(root, 'case', 'README.md'), '# a case\n');
    try {
      const first = (await raw('GET', '/api/models/default')).json() as { case: Record<string, unknown> };
      expect(first.case.readme).toBeUndefined();
      writeFileSync(
        file,
        JSON.stringify({
          crowded: { description: 'small capacity', overrides: { capacity: 300 } },
          roomy: { description: 'large capacity', overrides: { capacity: 1900 } },
        }),
      );
      const second = (await raw('GET', '/api/models/default')).json() as { case: { scenarios: object } };
      expect(Object.keys(second.case.scenarios)).toEqual(['crowded', 'roomy']);
    } finally {
      writeFileSync(file, before);
      rmSync(join(root, 'case', 'README.md'), { force: true });
    }
    const third = (await raw('GET', '/api/models/default')).json() as { case: { scenarios: object } };
    expect(Object.keys(third.case.scenarios)).toEqual(['crowded']);
  });

  it('lists model files under the root only', async () => {
    const res = await raw('GET', '/api/models');
    const body = res.json() as { files: string[]; models: { id: string }[] };
    expect(body.files).toEqual(['case/model.xmile']);
    expect(body.models.map((m) => m.id)).toEqual(['default']);
  });

  it('opens a path under the root and refuses escapes', async () => {
    const ok = await raw('POST', '/api/models', JSON.stringify({ path: 'case/model.xmile' }), {
      'content-type': 'application/json',
    });
    expect(ok.status).toBe(201);
    expect(ok.json().id).toMatch(/^m\d+$/);
    for (const path of ['../etc/passwd.xmile', '/etc/passwd', 'case/../../x.xmile']) {
      const res = await raw('POST', '/api/models', JSON.stringify({ path }), {
        'content-type': 'application/json',
      });
      expect(res.status, path).toBe(403);
      expect(res.json().error).toMatch(/outside/);
    }
    const notModel = await raw('POST', '/api/models', JSON.stringify({ path: 'secret.txt' }), {
      'content-type': 'application/json',
    });
    expect(notModel.status).toBe(400);
    const missing = await raw('POST', '/api/models', JSON.stringify({ path: 'nope.xmile' }), {
      'content-type': 'application/json',
    });
    expect(missing.status).toBe(404);
  });

  it('validates request bodies against their schema', async () => {
    const bad = await raw('POST', '/api/models', JSON.stringify({ path: 3, extra: true }), {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.json().details).toEqual(
      expect.arrayContaining([
        'body.path: must be a string, got 3',
        'body.extra: unknown field (expected one of path)',
      ]),
    );
    const notJson = await raw('POST', '/api/models', '{oops', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.json().error).toMatch(/not valid JSON/);
    const wrongType = await raw('POST', '/api/models', 'x', { 'content-type': 'image/png' });
    expect(wrongType.status).toBe(415);
  });

  it('accepts an uploaded model and rejects broken or oversized ones with a clear message', async () => {
    const ok = await raw('POST', '/api/models', population, {
      'content-type': 'application/xml',
      'x-model-name': 'pop.xmile',
    });
    expect(ok.status).toBe(201);
    const got = await raw('GET', `/api/models/${ok.json().id as string}`);
    expect(got.json().case).toBeNull();

    const broken = readFileSync(new URL('broken.xmile', FIXTURES), 'utf8');
    const bad = await raw('POST', '/api/models', broken, { 'content-type': 'application/xml' });
    expect(bad.status).toBe(422);
    expect(bad.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace

    const big = await raw('POST', '/api/models', 'x'.repeat(30_000), { 'content-type': 'application/xml' });
    expect(big.status).toBe(413);
  });

  it('never expands XML entities from an upload', async () => {
    const evil = population
      .replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
      )
      .replace('<doc>People alive.</doc>', '<doc>&e;</doc>');
    const res = await raw('POST', '/api/models', evil, { 'content-type': 'application/xml' });
    if (res.status === 201) {
      const m = await raw('GET', `/api/models/${res.json().id as string}`);
      expect(m.text).not.toContain('root:');
    } else {
      expect(res.status).toBe(422);
    }
  });

  it('refuses requests addressed to other hosts (DNS rebinding) and cross-site simple bodies', async () => {
    const rebound = await raw('GET', '/api/models', undefined, { host: 'evil.example:80' });
    expect(rebound.status).toBe(403);
    expect((await raw('GET', '/api/health', undefined, { host: 'localhost' })).status).toBe(200);
    const plain = await raw('POST', '/api/models', population, { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    const exp = await raw('POST', '/api/experiments', JSON.stringify({ model: 'default' }), {
      'content-type': 'text/plain',
    });
    expect(exp.status).toBe(415);
  });

  it('answers unknown ids and endpoints with 404/405 and malformed ids with 400', async () => {
    expect((await raw('GET', '/api/models/zzz')).status).toBe(404);
    expect((await raw('GET', '/api/models/..%2F..')).status).toBe(400);
    expect((await raw('GET', '/api/nothing')).status).toBe(404);
    expect((await raw('DELETE', '/api/models')).status).toBe(405);
    expect((await raw('GET', '/api/models?x=1')).status).toBe(400);
  });

  it('serves the app shell and assets and refuses to leave the web folder', async () => {
    const shell = await raw('GET', '/simulate');
    expect(shell.status).toBe(200);
    expect(shell.text).toContain('<title>shell</title>');
    expect(shell.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect((await raw('GET', '/assets/app.js')).status).toBe(200);
    expect((await raw('GET', '/assets/missing.js')).status).toBe(404);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await raw('GET', p);
      expect([403, 404], p).toContain(res.status);
      expect(res.text).not.toContain('not for clients');
    }
  });

  it('runs an experiment to completion and reports its analysis', async () => {
    const start = await raw(
      'POST',
      '/api/experiments',
      JSON.stringify({ model: 'default', samples: 40, seed: 3, output: 'Population' }),
      {
        'content-type': 'application/json',
      },
    );
    expect(start.status).toBe(202);
    const id = start.json().id as string;
    let st: Record<string, unknown> = {};
    // Wait for the worker pool (generously: the machine may be busy); the assertion is on the outcome.
    for (let i = 0; i < 3000; i++) {
      st = (await raw('GET', `/api/experiments/${id}`)).json();
      if (st.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(st.status).toBe('done');
    expect(st.done).toBe(40);
    const result = st.result as {
      parameters: string[];
      finals: number[];
      sensitivity: { parameter: string; rho: number }[];
    };
    // The case ranges (parameters.json) decide what is varied.
    expect(result.parameters).toEqual(['capacity']);
    expect(result.finals.every(Number.isFinite)).toBe(true);
    // More capacity, more people in the end.
    expect(result.sensitivity[0]!.rho).toBeGreaterThan(0.9);
    // Interest = the top quartile of final population, so PRIM bounds capacity from below.
    const prim = (
      st.result as { prim: { chosen: number; trajectory: { density: number; box: [number, number][] }[] } }
    ).prim;
    const box = prim.trajectory[prim.chosen]!;
    expect(box.density).toBeGreaterThan(0.9);
    expect(box.box[0]![0]).toBeGreaterThan(1000);

    const bad = await raw('POST', '/api/experiments', JSON.stringify({ model: 'default', samples: 1e9 }), {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    const unknownOut = await raw(
      'POST',
      '/api/experiments',
      JSON.stringify({ model: 'default', output: 'nope' }),
      { 'content-type': 'application/json' },
    );
    expect(unknownOut.status).toBe(400);
  });
});

describe('API schemas', () => {
  it('publish in the OpenAPI document exactly what the handlers check, loops as an array', () => {
    const doc = openApiDocument({ modelBytes: 1, jsonBytes: 1 }) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(doc.components.schemas.ExperimentRequest).toEqual(jsonSchemaOf(experimentRequest));
    expect(doc.components.schemas.ModelDocument).toEqual(jsonSchemaOf(modelDocument));
    const caseData = doc.components.schemas.ModelDocument.properties.case as {
      anyOf: { properties?: Record<string, { type: string; items?: { required: string[] } }> }[];
    };
    const loops = caseData.anyOf.find((s) => s.properties)!.properties!.loops!;
    expect(loops.type).toBe('array');
    expect(loops.items!.required).toEqual(expect.arrayContaining(['id', 'name', 'polarity', 'path']));
  });

  it('refuse prototype keys and wrong ranges with their path', () => {
    const proto = check(experimentRequest, JSON.parse('{"model": "m", "parameters": {"__proto__": [1, 2]}}'));
    expect(proto).toEqual({
      ok: false,
      problems: [
        { path: 'parameters.__proto__', message: 'is a reserved key (__proto__, constructor, prototype)' },
      ],
    });
    const range = check(experimentRequest, { model: 'm', parameters: { k: [2, 1] } });
    expect(range).toEqual({
      ok: false,
      problems: [{ path: 'parameters.k', message: 'must be [low, high] with low <= high' }],
    });
  });
});

describe('experiment analysis', () => {
  it('computes quantiles and rank correlation', () => {
    expect(quantiles([3, 1, 2, NaN, 4], [0, 0.5, 1])).toEqual([1, 2.5, 4]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 1, 1, 1], [1, 2, 3, 4])).toBe(0);
  });
});

describe('workbench server with an evidence database', () => {
  it('serves the case evidence from the SQLite store given with --db, and refuses a missing one', async () => {
    const { openSqliteStore } = await import('../../src/store/sqlite.js');
    const { validateEvidence } = await import('../../src/evidence/data.js');
    const dir = mkdtempSync(join(tmpdir(), 'interlock-db-'));
    try {
      const raw = JSON.parse(
        readFileSync(new URL('../../models/north-korea-russia/evidence.json', import.meta.url), 'utf8'),
      );
      const parsed = validateEvidence(raw);
      if (!parsed.ok) throw new Error('case evidence does not validate');
      const doc = parsed.document;
      const db = join(dir, 'evidence.db');
      const store = await openSqliteStore(db);
      await store.importDocument(doc);
      await store.close();
      // A model without any evidence.json: what the page gets can only come from the database.
      const s = await startServer({
        model: join(REPO_ROOT, 'test/web/fixtures/population.xmile'),
        db,
        port: 0,
      });
      try {
        const res = await fetch(`${s.url}api/models/default`);
        const body = (await res.json()) as { case: { evidence: { sources: unknown[]; format: string } } };
        expect(body.case.evidence.format).toBe('interlock-evidence');
        expect(body.case.evidence.sources.length).toBe(doc.sources.length);
      } finally {
        await s.close();
      }
      await expect(startServer({ db: join(dir, 'missing.db'), port: 0 })).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
