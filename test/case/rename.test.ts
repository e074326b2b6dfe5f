/**
 * Renaming variables of the case model updates the case folder's files that name them
 * (src/case/rename.ts): on a copy of models/north-korea-russia, a lever, a calibrated parameter,
 * an outcome stock and a loop variable are renamed in the model and in the folder; afterwards
 * every name the files hold resolves as it did before, the files differ only at those names, and
 * the case runs every scenario to the same outcomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileModel, writeXmile, type Model } from '../../src/engine.js';
import { readModelFile } from '../../src/node/files.js';
import { applyEdit } from '../../src/edit/edit.js';
import { canonicalName } from '../../src/equations/names.js';
import { loadCase, renameInCaseFolder } from '../../src/case/load.js';
import { checkCaseVariables, compareScenarios } from '../../src/case/compare.js';
import { CaseError, parseCaseDefinition, parseJsonText } from '../../src/case/definition.js';
import { namesInCaseFile, renameInCaseFile } from '../../src/case/rename.js';
import { assignSectors } from '../../src/case/sectors.js';

const DIR = 'models/north-korea-russia';
const RENAMES: [string, string][] = [
  ['interdiction_lever', 'strike lever'],
  ['nk_sealift_capacity', 'nk shipping capacity'],
  ['nk_troops_in_theatre', 'nk troops present'],
  ['kim_value_per_credit', 'kim value of a credit'],
];

/** Every case file that names variables, relative to the folder. */
function namingFiles(dir: string): string[] {
  const files = ['case.json', 'scenarios.json', 'parameters.json', 'loops.json', 'calibration.json'];
  files.push('calibration/posterior.json');
  for (const sub of ['experiments', 'calibration/sequence'])
    for (const f of readdirSync(join(dir, sub)).sort()) files.push(`${sub}/${f}`);
  return files.filter((f) => namesInCaseFile(f, readFileSync(join(dir, f), 'utf8')) !== undefined);
}

/** Names held by the folder's files that are not variables of the model, by file. */
function unresolved(dir: string, model: Model): Record<string, string[]> {
  const known = new Set(model.variables.map((v) => canonicalName(v.name)));
  const out: Record<string, string[]> = {};
  for (const f of namingFiles(dir)) {
    const names = namesInCaseFile(f, readFileSync(join(dir, f), 'utf8'))!;
    out[f] = [...new Set(names.filter((n) => !known.has(canonicalName(n))))].sort();
  }
  return out;
}

/** case.json as loadCase parses it, without compiling the model. */
function caseDefinition(dir: string) {
  const f = join(dir, 'case.json');
  return parseCaseDefinition(parseJsonText(readFileSync(f, 'utf8'), f), f);
}

describe('renaming case-model variables in the case folder', () => {
  let tmp: string;
  const original = readModelFile(`${DIR}/model.xmile`).model!;
  let renamed: Model = original;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'interlock-rename-'));
    cpSync(DIR, tmp, { recursive: true });
    for (const [from, to] of RENAMES) renamed = applyEdit(renamed, { op: 'rename', from, to });
    writeFileSync(join(tmp, 'model.xmile'), writeXmile(renamed));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('without the folder updated, the renamed names dangle and the case does not load', () => {
    const before = unresolved(DIR, original);
    const dangling = unresolved(tmp, renamed);
    const gained = Object.entries(dangling).flatMap(([f, ns]) =>
      ns.filter((n) => !before[f]!.includes(n)).map((n) => `${f}: ${n}`),
    );
    expect(gained.length).toBeGreaterThan(10);
    const { compiled } = compileModel(renamed);
    expect(() => checkCaseVariables(compiled!, caseDefinition(tmp), 'case.json')).toThrow(CaseError);
  });

  it('updates every file that names them, only at those names, and the case runs the same', () => {
    const changes = renameInCaseFolder(tmp, RENAMES);
    const changed = changes.map((c) => c.file).sort();
    // The lever is in scenarios.json; the stock in case.json, the experiments, calibration.json
    // and the posterior; the sealift capacity in parameters.json and every as-of calibration.
    for (const f of [
      'case.json',
      'scenarios.json',
      'parameters.json',
      'loops.json',
      'calibration.json',
      'calibration/posterior.json',
      'experiments/thesis.json',
      'experiments/sensitivity.json',
    ])
      expect(changed).toContain(f);
    expect(changed.filter((f) => f.startsWith('calibration/sequence/')).length).toBeGreaterThan(5);
    for (const c of changes) writeFileSync(c.path, c.text);

    // Every name resolves exactly as in the original folder (what did not name a model variable
    // there, such as a source's bias in the posterior, still does not).
    expect(unresolved(tmp, renamed)).toEqual(unresolved(DIR, original));
    // Spelled as the files spell names, and nothing else touched: renaming back gives the
    // original bytes.
    expect(readFileSync(join(tmp, 'scenarios.json'), 'utf8')).toContain('"strike_lever": 1');
    for (const c of changes.filter((x) => x.file !== 'case.json')) {
      const back = renameInCaseFile(
        c.file,
        c.text,
        RENAMES.map(([a, b]) => [b, a] as [string, string]),
      )!;
      expect(back.count).toBe(c.count);
      expect(back.text).toBe(readFileSync(join(DIR, c.file), 'utf8'));
    }

    // Every variable keeps its sector on the diagram: one the sector claimed by a prefix the new
    // name lacks is listed in that sector by its new name.
    const sectorsOf = (dir: string, m: Model) => {
      const { compiled } = compileModel(m);
      const sectors = (caseDefinition(dir).sectors ?? []).map((x) => ({
        name: x.name,
        prefixes: x.prefixes ?? [],
        variables: x.variables ?? [],
      }));
      const placed = assignSectors(
        compiled!.graph.nodes.map((n) => n.name),
        compiled!.graph.edges,
        sectors,
      );
      return placed;
    };
    const before = sectorsOf(DIR, original);
    const after = sectorsOf(tmp, renamed);
    const newName = new Map(RENAMES.map(([a, b]) => [canonicalName(a), b]));
    for (const [name, sector] of before) {
      const now = [...after].find(
        ([n]) => canonicalName(n) === canonicalName(newName.get(canonicalName(name)) ?? name),
      );
      expect(now?.[1], name).toBe(sector);
    }
    expect(readFileSync(join(tmp, 'case.json'), 'utf8')).toContain('"strike_lever"');

    // The case loads (names checked) and every policy gives the outcomes of the original.
    const a = loadCase(DIR);
    const b = loadCase(tmp);
    const runsA = compareScenarios(a.compiled, a.definition, a.scenarios);
    const runsB = compareScenarios(b.compiled, b.definition, b.scenarios);
    expect(runsB.map((r) => r.outcomes)).toEqual(runsA.map((r) => r.outcomes));
    expect(runsB.length).toBeGreaterThanOrEqual(6);
    const nothingChanges = renameInCaseFolder(tmp, RENAMES);
    expect(nothingChanges).toEqual([]);
  });

  it('renames several names at once (a swap), and a label with its own variable keeps its name', () => {
    const swapped = renameInCaseFile('scenarios.json', '{"s": {"overrides": {"a_b": 1, "c": 2}}}', [
      ['a b', 'c'],
      ['c', 'a b'],
    ])!;
    expect(swapped.text).toBe('{"s": {"overrides": {"c": 1, "a_b": 2}}}');
    const spec =
      '{"uncertainties": [{"name": "x", "variable": "x"}, {"name": "y"}, {"name": "x_label", "variable": "z"}]}';
    const r = renameInCaseFile('experiments/e.json', spec, [
      ['x', 'x2'],
      ['y', 'y2'],
      ['x label', 'nope'],
    ])!;
    expect(r.text).toBe(
      '{"uncertainties": [{"name": "x", "variable": "x2"}, {"name": "y2"}, {"name": "x_label", "variable": "z"}]}',
    );
    // A file that does not name variables, and one that is not JSON.
    expect(renameInCaseFile('evidence.json', '{}', [['a', 'b']])).toBeUndefined();
    expect(renameInCaseFile('case.json', '{"outcomes": [', [['a', 'b']])).toBeUndefined();
  });
});
