/**
 * Renaming a model variable inside the files of its case folder. The files name variables in
 * known places (below); each place holding a renamed name is rewritten in the file's own text,
 * so the rest of the file (layout, order, other values) is left byte for byte as it was.
 *
 * Where a case folder names variables:
 * - case.json: outcomes[].variable, charts[].variable, hindcast.quantities.*.* and
 *   sectors[].variables[]; sector prefixes are patterns, not names, and stay: a variable one
 *   claims by prefix is listed in that sector's variables when its new name would leave it;
 * - scenarios.json: the keys of each scenario's overrides;
 * - parameters.json: its keys;
 * - loops.json: path[] and variables[] of each loop, its knockout's outcome and override keys;
 * - calibration.json: parameters[] (its variable, else its name, which then names the variable),
 *   data[].variable, predict.variables[] and predict.points[].variable;
 * - experiments/*.json: uncertainties[] and levers[] (the same rule), outcomes[].variable;
 * - calibration/posterior.json and calibration/sequence/*.json (written by the calibration
 *   tool): the keys of draws and parameters, streams[].variable. These are the same parameters
 *   under the new name, so the calibration stays usable.
 */
import { canonicalName } from '../equations/names.js';

/** A JSON value with the offsets of its text (strings keep their raw token). */
type Node =
  | { t: 'object'; entries: { key: Str; value: Node }[] }
  | { t: 'array'; items: Node[]; start: number; end: number }
  | Str
  | { t: 'other' };
interface Str {
  t: 'string';
  value: string;
  start: number;
  end: number;
}

/** A small JSON reader that keeps where each string is; undefined when the text is not JSON. */
function parseWithOffsets(text: string): Node | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const str = (): Str => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) throw new Error('unterminated string');
    i++;
    return { t: 'string', value: JSON.parse(text.slice(start, i)) as string, start, end: i };
  };
  const value = (): Node => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: { key: Str; value: Node }[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Error('expected a key');
        const key = str();
        ws();
        if (text[i++] !== ':') throw new Error('expected :');
        entries.push({ key, value: value() });
        ws();
        const d = text[i++];
        if (d === '}') return { t: 'object', entries };
        if (d !== ',') throw new Error('expected , or }');
      }
    }
    if (c === '[') {
      const start = i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items, start, end: i };
      }
      for (;;) {
        items.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return { t: 'array', items, start, end: i };
        if (d !== ',') throw new Error('expected , or ]');
      }
    }
    if (c === '"') return str();
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) throw new Error('unexpected character');
    i += m[0].length;
    return { t: 'other' };
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A place that names variables: a path of keys from the top, where `*` is any key or index;
 * the last step is `=` (the string there), `{}` (the keys of the object there) or `name|variable`
 * (the object's `variable`, else its `name`, which then stands for the variable).
 */
type Place = string;

const PLACES: { file: RegExp; places: Place[] }[] = [
  {
    file: /^case\.json$/,
    places: [
      'outcomes.*.variable =',
      'charts.*.variable =',
      'hindcast.quantities.*.* =',
      'sectors.*.variables.* =',
    ],
  },
  { file: /^scenarios\.json$/, places: ['*.overrides {}'] },
  { file: /^parameters\.json$/, places: ['{}'] },
  {
    file: /^loops\.json$/,
    places: ['*.path.* =', '*.variables.* =', '*.knockout.outcome =', '*.knockout.overrides {}'],
  },
  {
    file: /^calibration\.json$/,
    places: [
      'parameters.* name|variable',
      'data.*.variable =',
      'predict.variables.* =',
      'predict.points.*.variable =',
    ],
  },
  {
    file: /^experiments\/[^/]+\.json$/,
    places: ['uncertainties.* name|variable', 'levers.* name|variable', 'outcomes.*.variable ='],
  },
  {
    file: /^calibration\/(posterior\.json|sequence\/[^/]+\.json)$/,
    places: ['draws {}', 'parameters {}', 'streams.*.variable ='],
  },
];

/** Whether a file of a case folder (path relative to it, `/`-separated) names variables. */
export function namesVariables(relPath: string): boolean {
  return PLACES.some((p) => p.file.test(relPath));
}

/** The new name as the file spells names: with `_` for spaces where the old one had no space. */
function respell(old: string, to: string): string {
  return /\s/.test(old) ? to.trim() : to.trim().replace(/\s+/g, '_');
}

/** The strings at the places of a file that name variables; undefined as for `renameInCaseFile`. */
function namingStrings(relPath: string, text: string, root = parseWithOffsets(text)): Str[] | undefined {
  const rule = PLACES.find((p) => p.file.test(relPath));
  if (!rule || !root) return undefined;
  const found = new Map<number, Str>();
  const visit = (node: Node, steps: string[], last: string) => {
    if (steps.length === 0) {
      if (last === '=' && node.t === 'string') found.set(node.start, node);
      else if (last === '{}' && node.t === 'object')
        for (const e of node.entries) found.set(e.key.start, e.key);
      else if (last === 'name|variable' && node.t === 'object') {
        const variable = node.entries.find((e) => e.key.value === 'variable')?.value;
        const target = variable ?? node.entries.find((e) => e.key.value === 'name')?.value;
        if (target?.t === 'string') found.set(target.start, target);
      }
      return;
    }
    const [step, ...rest] = steps;
    if (node.t === 'object') {
      for (const e of node.entries) if (step === '*' || e.key.value === step) visit(e.value, rest, last);
    } else if (node.t === 'array' && step === '*') for (const item of node.items) visit(item, rest, last);
  };
  for (const place of rule.places) {
    const sp = place.lastIndexOf(' ');
    const path = sp < 0 ? '' : place.slice(0, sp);
    visit(root, path ? path.split('.') : [], place.slice(sp + 1));
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

/** The variable names a case file holds at its naming places, in file order. */
export function namesInCaseFile(relPath: string, text: string): string[] | undefined {
  return namingStrings(relPath, text)?.map((s) => s.value);
}

export interface CaseRename {
  text: string;
  /** How many places were rewritten (0: the text is unchanged). */
  count: number;
}

/**
 * Rewrite the names in one case file: `renames` maps old names (any spelling) to new ones, all
 * at once (a swap of two names works). Returns undefined when the file is not one that names
 * variables or is not JSON (the case reader reports that, with its location).
 */
export function renameInCaseFile(
  relPath: string,
  text: string,
  renames: Iterable<[string, string]>,
): CaseRename | undefined {
  const root = parseWithOffsets(text);
  const strings = namingStrings(relPath, text, root);
  if (!strings) return undefined;
  const pairs = [...renames];
  const map = new Map<string, string>();
  for (const [from, to] of pairs) map.set(canonicalName(from), to);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const s of strings) {
    const to = map.get(canonicalName(s.value));
    if (to !== undefined && to !== s.value)
      edits.push({ start: s.start, end: s.end, text: JSON.stringify(respell(s.value, to)) });
  }
  if (relPath === 'case.json' && root) edits.push(...keepSectors(root, pairs));
  let out = text;
  // From the end, so earlier offsets stay valid.
  for (const e of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, count: edits.length };
}

/**
 * A variable that a sector of case.json claims by a prefix keeps its sector under a new name the
 * prefix does not claim: the new name is added to that sector's `variables` (src/case/sectors.ts
 * lets a listed name win over prefixes).
 */
function keepSectors(
  root: Node,
  renames: [string, string][],
): { start: number; end: number; text: string }[] {
  if (root.t !== 'object') return [];
  const list = root.entries.find((e) => e.key.value === 'sectors')?.value;
  if (list?.t !== 'array') return [];
  const field = (o: Node, name: string) =>
    o.t === 'object' ? o.entries.find((e) => e.key.value === name)?.value : undefined;
  const strings = (n: Node | undefined) =>
    n?.t === 'array' ? n.items.flatMap((x) => (x.t === 'string' ? [x.value] : [])) : [];
  const sectors = list.items.map((o) => ({
    variables: field(o, 'variables'),
    listed: new Set(strings(field(o, 'variables')).map(canonicalName)),
    prefixes: strings(field(o, 'prefixes')).map(canonicalName),
  }));
  const prefixes = sectors
    .flatMap((s, i) => s.prefixes.map((p) => ({ p, i })))
    .sort((a, b) => b.p.length - a.p.length);
  const listedIn = (k: string) => sectors.findIndex((s) => s.listed.has(k));
  const sectorOf = (k: string) => {
    const i = listedIn(k);
    return i >= 0 ? i : prefixes.find((x) => k.startsWith(x.p))?.i;
  };
  const added = new Map<number, string[]>();
  for (const [from, to] of renames) {
    const kFrom = canonicalName(from);
    if (listedIn(kFrom) >= 0) continue; // renamed in its list
    const was = sectorOf(kFrom);
    if (was === undefined || sectorOf(canonicalName(to)) === was) continue;
    added.set(was, [...(added.get(was) ?? []), respell(from, to)]);
  }
  const edits: { start: number; end: number; text: string }[] = [];
  for (const [i, names] of added) {
    const arr = sectors[i]!.variables;
    if (arr?.t !== 'array') continue; // no list to add to: the sector is found from neighbours
    const quoted = names.map((n) => JSON.stringify(n)).join(', ');
    const last = arr.items[arr.items.length - 1];
    if (!last) edits.push({ start: arr.start + 1, end: arr.end - 1, text: quoted });
    else if (last.t === 'string') edits.push({ start: last.end, end: last.end, text: `, ${quoted}` });
  }
  return edits;
}
