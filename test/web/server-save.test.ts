/**
 * Saving from the editor: PUT of a model back to its file (checked, size-limited, atomic) and
 * named alternatives of a case model, on a server over a temporary folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { atomicWrite } from '../../src/server/save.js';

const population = readFileSync(new URL('./fixtures/population.xmile', import.meta.url), 'utf8');
let server: RunningServer;
let root: string;
const file = () => join(root, 'case', 'model.xmile');

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, server.url), { method, body, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const xml = { 'content-type': 'application/xml' };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'interlock-save-'));
  mkdirSync(join(root, 'case'));
  writeFileSync(file(), population);
  writeFileSync(
    join(root, 'case', 'scenarios.json'),
    JSON.stringify({ crowded: { description: 'd', overrides: { capacity: 300 } } }),
  );
  server = await startServer({
    model: join(root, 'case'),
    root,
    port: 0,
    host: '127.0.0.1',
    modelBytes: 64 * 1024,
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('saving edited models', () => {
  it('writes a checked model back to the file it was opened from, and serves the new text', async () => {
    const edited = population.replace('<eqn>1000</eqn>', '<eqn>1500</eqn>');
    expect(edited).not.toBe(population);
    const r = await call('PUT', '/api/models/default', edited, xml);
    expect(r.status).toBe(200);
    expect(readFileSync(file(), 'utf8')).toBe(edited);
    expect((await call('GET', '/api/models/default')).body.text).toBe(edited);
    // No temporary file is left beside it.
    expect(readdirSync(join(root, 'case')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a model with errors (located), a non-XMILE body, the wrong type and an oversized body; the file stays', async () => {
    const before = readFileSync(file(), 'utf8');
    const broken = before.replace(/<eqn>[^<]*<\/eqn>/, '<eqn>1 +* 2</eqn>');
    const bad = await call('PUT', '/api/models/default', broken, xml);
    expect(bad.status).toBe(422);
    expect(String((bad.body.details as string[])[0])).toMatch(/line \d+/);
    expect((await call('PUT', '/api/models/default', '<html><body/></html>', xml)).status).toBe(422);
    expect(
      (await call('PUT', '/api/models/default', '{"a":1}', { 'content-type': 'application/json' })).status,
    ).toBe(415);
    const big = before.replace('</xmile>', `<!--${'x'.repeat(70 * 1024)}--></xmile>`);
    expect((await call('PUT', '/api/models/default', big, xml)).status).toBe(413);
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it('does not write an uploaded model anywhere', async () => {
    const up = await call('POST', '/api/models', population, { ...xml, 'x-model-name': 'up.xmile' });
    expect(up.status).toBe(201);
    const r = await call('PUT', `/api/models/${String(up.body.id)}`, population, xml);
    expect(r.status).toBe(409);
    expect(String(r.body.error)).toMatch(/download/);
  });

  it('saves a named alternative beside the case model, lists it with its original, and refuses bad names', async () => {
    for (const name of ['../escape', 'Upper', '', 'a/b', '.hidden'])
      expect(
        (
          await call('POST', '/api/models/default/alternatives', population, {
            ...xml,
            'x-alternative-name': name,
          })
        ).status,
      ).toBe(400);
    const alt = population.replace('<eqn>1000</eqn>', '<eqn>500</eqn>');
    const r = await call('POST', '/api/models/default/alternatives', alt, {
      ...xml,
      'x-alternative-name': 'small-start',
    });
    expect(r.status).toBe(201);
    expect(r.body.file).toBe('case/alternatives/small-start.xmile');
    expect(readFileSync(join(root, 'case', 'alternatives', 'small-start.xmile'), 'utf8')).toBe(alt);
    const list = (await call('GET', '/api/models')).body.models as { id: string; alternativeOf?: string }[];
    expect(list.find((m) => m.id === r.body.id)?.alternativeOf).toBe('default');
    // It comes with the original's case data (so Simulate and Compare run it with the same policies).
    const doc = await call('GET', `/api/models/${String(r.body.id)}`);
    expect((doc.body.case as { scenarios: object }).scenarios).toHaveProperty('crowded');
  });

  it('saving the case model with renames updates the case files; an alternative keeps its renames beside it', async () => {
    const scenarios = join(root, 'case', 'scenarios.json');
    const before = readFileSync(scenarios, 'utf8');
    const current = readFileSync(file(), 'utf8');
    const renamedText = current.replace(/(\W)capacity(\W)/g, '$1room$2');
    expect(renamedText).toContain('name="room"');
    const header = { ...xml, 'x-renamed': encodeURIComponent(JSON.stringify([['capacity', 'room']])) };
    const alt = await call('POST', '/api/models/default/alternatives', renamedText, {
      ...header,
      'x-alternative-name': 'roomy',
    });
    expect(alt.status).toBe(201);
    // The alternative: the case files stay; its renames are kept beside it and served with it,
    // and its case data (the original's policies) is checked under the original's names.
    expect(readFileSync(scenarios, 'utf8')).toBe(before);
    expect(
      JSON.parse(readFileSync(join(root, 'case', 'alternatives', 'roomy.renames.json'), 'utf8')),
    ).toEqual({
      renamed: [['capacity', 'room']],
    });
    const altDoc = await call('GET', `/api/models/${String(alt.body.id)}`);
    expect(altDoc.status).toBe(200);
    expect(altDoc.body.renamed).toEqual([['capacity', 'room']]);
    // The alternative renamed again and saved over itself: its renames still start from the case
    // model's names, and the case files stay.
    const again = renamedText.replace(/(\W)room(\W)/g, '$1space$2');
    const put2 = await call('PUT', `/api/models/${String(alt.body.id)}`, again, {
      ...xml,
      'x-renamed': encodeURIComponent(
        JSON.stringify([
          ['room', 'space'],
          ['lifetime', 'lifespan'],
        ]),
      ),
    });
    // 'lifespan' is not in the text: the renames are refused, nothing written.
    expect(put2.status).toBe(422);
    expect(readFileSync(join(root, 'case', 'alternatives', 'roomy.xmile'), 'utf8')).toBe(renamedText);
    const again2 = again.replace(/(\W)lifetime(\W)/g, '$1lifespan$2');
    const put3 = await call('PUT', `/api/models/${String(alt.body.id)}`, again2, {
      ...xml,
      'x-renamed': encodeURIComponent(
        JSON.stringify([
          ['room', 'space'],
          ['lifetime', 'lifespan'],
        ]),
      ),
    });
    expect(put3.status).toBe(200);
    expect(put3.body.caseFiles).toEqual([]);
    expect((await call('GET', `/api/models/${String(alt.body.id)}`)).body.renamed).toEqual([
      ['capacity', 'space'],
      ['lifetime', 'lifespan'],
    ]);
    expect(readFileSync(scenarios, 'utf8')).toBe(before);
    // A malformed header is refused before anything is written.
    const bad = await call('PUT', '/api/models/default', renamedText, { ...xml, 'x-renamed': '%5B1%5D' });
    expect(bad.status).toBe(400);
    expect(readFileSync(file(), 'utf8')).toBe(current);
    // Saved without its renames, the folder's scenarios name a parameter the model no longer has.
    expect((await call('PUT', '/api/models/default', renamedText, xml)).status).toBe(200);
    expect((await call('GET', '/api/models/default')).status).toBe(422);
    // With them: scenarios.json follows, and the model opens with its case data again.
    const put = await call('PUT', '/api/models/default', renamedText, header);
    expect(put.status).toBe(200);
    expect(put.body.caseFiles).toEqual(['scenarios.json']);
    expect(JSON.parse(readFileSync(scenarios, 'utf8'))).toEqual({
      crowded: { description: 'd', overrides: { room: 300 } },
    });
    const doc = await call('GET', '/api/models/default');
    expect(doc.status).toBe(200);
    expect(
      (doc.body.case as { scenarios: Record<string, { overrides: object }> }).scenarios.crowded!.overrides,
    ).toEqual({ room: 300 });
  });
});

describe('atomicWrite', () => {
  it('leaves the old file whole when the process dies between writing and renaming', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interlock-atomic-'));
    const target = join(dir, 'm.xmile');
    writeFileSync(target, 'old contents');
    expect(() =>
      atomicWrite(target, 'new contents', () => {
        throw new Error('crash');
      }),
    ).toThrow('crash');
    expect(readFileSync(target, 'utf8')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['m.xmile']);
    atomicWrite(target, 'new contents');
    expect(readFileSync(target, 'utf8')).toBe('new contents');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a process killed mid-save (SIGKILL after the flush, before the rename) leaves the old file whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interlock-atomic-'));
    const target = join(dir, 'm.xmile');
    writeFileSync(target, 'old contents');
    const save = fileURLToPath(new URL('../../src/server/save.ts', import.meta.url));
    const script = `import { atomicWrite } from ${JSON.stringify(pathToFileURL(save).href)};
atomicWrite(${JSON.stringify(target)}, 'x'.repeat(1 << 20), () => process.kill(process.pid, 'SIGKILL'));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
    });
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(target, 'utf8')).toBe('old contents');
    rmSync(dir, { recursive: true, force: true });
  });
});
