/**
 * docs/claims.md, the claims table every claim id links to, agrees with the case: it has one
 * section per claim C1-C18, every claim id cited by the case files has a section, and every
 * variable, loop, scenario and evidence id it names exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/engine.js';
import { readModelFile } from '../../src/node/files.js';
import { canonicalName } from '../../src/case/compare.js';
import { claimHref, claimIds, parseClaims } from '../../src/case/claims.js';

const DIR = 'models/north-korea-russia';
const text = readFileSync('docs/claims.md', 'utf8');
const claims = parseClaims(text);
const model = readModelFile(`${DIR}/model.xmile`).model!;
compileModel(model);

describe('docs/claims.md', () => {
  it('has a titled section for each claim C1-C18, in order', () => {
    expect(claims.map((c) => c.id)).toEqual(Array.from({ length: 18 }, (_, i) => `C${i + 1}`));
    for (const c of claims) expect(c.title.length, c.id).toBeGreaterThan(10);
    expect(claimHref('C7')).toBe('docs/claims.md#c7');
  });

  it('covers every claim id the case files cite', () => {
    const cited = new Set<string>();
    for (const f of ['parameters.json', 'loops.json', 'evidence.json', 'scenarios.json'])
      for (const id of claimIds(readFileSync(`${DIR}/${f}`, 'utf8'))) cited.add(id);
    expect(cited.size).toBeGreaterThan(10);
    const ids = new Set(claims.map((c) => c.id));
    expect([...cited].filter((id) => !ids.has(id))).toEqual([]);
  });

  it('names only variables, scenarios, files and evidence ids that exist', () => {
    const variables = new Set(model.variables.map((v) => canonicalName(v.name)));
    const scenarios = new Set(Object.keys(JSON.parse(readFileSync(`${DIR}/scenarios.json`, 'utf8'))));
    const evidence = readFileSync(`${DIR}/evidence.json`, 'utf8');
    const unknown: string[] = [];
    for (const [, name] of text.matchAll(/`([^`]+)`/g)) {
      if (/\.(json|md)$|\//.test(name!)) continue; // files
      if (name === 'ind-*') continue;
      if (variables.has(canonicalName(name!)) || scenarios.has(name!)) continue;
      if (evidence.includes(`"${name}"`)) continue;
      unknown.push(name!);
    }
    expect(unknown).toEqual([]);
    const loops = JSON.parse(readFileSync(`${DIR}/loops.json`, 'utf8'));
    const loopIds = new Set((Array.isArray(loops) ? loops : loops.loops).map((l: { id: string }) => l.id));
    for (const [, id] of text.matchAll(/\b(?:loops?|and) ((?:R|B)\d[a-z]?)\b/g))
      expect(loopIds.has(id), id).toBe(true);
  });
});
