import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileModel, readModel, writeXmile, type Model } from '../engine.js';
import { applyEdit, EditError, EDITED_FILE, renameInEquation, unusedLinks } from './edit.js';
import { EditHistory } from './history.js';
import { diagnose } from './diagnose.js';

const TEACUP = readFileSync(
  fileURLToPath(new URL('../../models/examples/teacup.xmile', import.meta.url)),
  'utf8',
);
const CASE = readFileSync(
  fileURLToPath(new URL('../../models/north-korea-russia/model.xmile', import.meta.url)),
  'utf8',
);

function read(text: string): Model {
  const r = readModel(text, { file: 'm.xmile' });
  if (!r.model) throw new Error(JSON.stringify(r.diagnostics));
  return r.model;
}

function run(model: Model, vars?: string[]) {
  const c = compileModel(model);
  if (!c.compiled) throw new Error(JSON.stringify(c.diagnostics.filter((d) => d.severity === 'error')));
  return c.compiled.run({ vars });
}

describe('renameInEquation', () => {
  it('rewrites whole names in any spelling, and leaves longer names, comments and numbers alone', () => {
    expect(
      renameInEquation(
        'Room_Temperature + room temperature2 * "room temperature"',
        'Room Temperature',
        'ambient',
      ),
    ).toBe('ambient + room temperature2 * ambient');
    expect(renameInEquation('a {a is a comment} + ab + a.b + 1e3', 'a', 'z')).toBe(
      'z {a is a comment} + ab + z.b + 1e3',
    );
    // Text that does not lex is left as it is (the diagnostics say why).
    expect(renameInEquation('a + {', 'a', 'z')).toBe('a + {');
  });
});

describe('applyEdit', () => {
  it('changing a constant changes the run as Newton cooling predicts', () => {
    const m = applyEdit(read(TEACUP), { op: 'set-equation', name: 'room temperature', text: '20' });
    const r = run(m);
    // Euler with dt = 0.125 on dT/dt = -(T - 20)/10 from 180: T(t) = 20 + 160 (1 - dt/10)^(t/dt).
    const t = r.column('Teacup Temperature')!;
    const k = 30 / 0.125;
    expect(t[t.length - 1]).toBeCloseTo(20 + 160 * (1 - 0.0125) ** k, 9);
  });

  it('renames with every reference, stock flow list and view element updated; results unchanged', () => {
    const before = read(TEACUP);
    const after = applyEdit(before, { op: 'rename', from: 'Heat_Loss_to_Room', to: 'cooling' });
    const cup = after.variables.find(
      (v) => v.name === 'Teacup_Temperature' || v.name === 'Teacup Temperature',
    )!;
    expect(cup.outflows).toEqual(['cooling']);
    expect(after.view!.elements.map((e) => e.name)).toContain('cooling');
    expect(after.view!.connectors.filter((c) => c.to === 'cooling')).toHaveLength(3);
    const a = run(before).column('Teacup Temperature')!;
    const b = run(after).column('Teacup Temperature')!;
    expect([...b]).toEqual([...a]);
    expect(run(after).column('cooling')).toBeDefined();
    // The original is untouched (edits return new models).
    expect(before.variables.some((v) => v.name === 'cooling')).toBe(false);
  });

  it('renames a variable of the case model and its 300-variable results stay bit-identical', () => {
    const before = read(CASE);
    const after = applyEdit(before, {
      op: 'rename',
      from: 'kim_perceived_incentive',
      to: 'kim sense of gain',
    });
    expect(after.variables.some((v) => v.name === 'kim_sense_of_gain')).toBe(true);
    const a = run(before);
    const b = run(after);
    expect([...b.column('nk troops in theatre')!]).toEqual([...a.column('nk troops in theatre')!]);
    expect([...b.column('kim sense of gain')!]).toEqual([...a.column('kim perceived incentive')!]);
  });

  it('refuses a name that is taken, empty or malformed', () => {
    const m = read(TEACUP);
    expect(() => applyEdit(m, { op: 'rename', from: 'room temperature', to: 'characteristic_time' })).toThrow(
      /already the name/,
    );
    expect(() => applyEdit(m, { op: 'add', kind: 'aux', name: '  ' })).toThrow(EditError);
    expect(() => applyEdit(m, { op: 'add', kind: 'aux', name: 'a-b' })).toThrow(/character/);
    expect(() => applyEdit(m, { op: 'add', kind: 'aux', name: '2x' })).toThrow(/digit/);
    expect(() => applyEdit(m, { op: 'set-equation', name: 'nothing', text: '1' })).toThrow(/no variable/);
  });

  it('adds a stock and a flow that fills it: s(t) = 2 t', () => {
    let m = read(TEACUP);
    m = applyEdit(m, { op: 'add', kind: 'stock', name: 'water' });
    m = applyEdit(m, { op: 'add', kind: 'flow', name: 'tap', eqn: '2' });
    m = applyEdit(m, { op: 'connect-flow', flow: 'tap', stock: 'water', as: 'inflow' });
    const r = run(m);
    const w = r.column('water')!;
    for (let i = 0; i < r.time.length; i++) expect(w[i]).toBeCloseTo(2 * r.time[i]!, 9);
    // As an outflow instead, it drains: s(t) = -2 t.
    const out = applyEdit(m, { op: 'connect-flow', flow: 'tap', stock: 'water', as: 'outflow' });
    expect(out.variables.find((v) => v.name === 'water')!.inflows).toEqual([]);
    expect(run(out).column('water')!.at(-1)).toBeCloseTo(-60, 9);
  });

  it('deletes a variable: its flow is unhooked and the references left are located errors', () => {
    const m = applyEdit(read(TEACUP), { op: 'delete', name: 'Heat Loss to Room' });
    expect(m.variables.find((v) => /teacup/i.test(v.name))!.outflows).toEqual([]);
    expect(m.view!.connectors.some((c) => /heat/i.test(c.to))).toBe(false);
    expect(run(m).column('Teacup Temperature')!.at(-1)).toBe(180);
    const gone = applyEdit(read(TEACUP), { op: 'delete', name: 'room temperature' });
    const d = diagnose(gone).diagnostics.filter((x) => x.severity === 'error');
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.variable).toMatch(/heat loss/i);
    expect(d[0]!.message).toMatch(/room.temperature/i);
  });

  it('an error in an edited equation is located at its column in that equation', () => {
    const m = applyEdit(read(TEACUP), {
      op: 'set-equation',
      name: 'heat loss to room',
      text: '(Teacup_Temperature - ) / 10',
    });
    const { compiled, diagnostics } = diagnose(m);
    expect(compiled).toBeUndefined();
    const e = diagnostics.find((x) => x.severity === 'error')!;
    expect(e.file).toBe(EDITED_FILE);
    expect(e.line).toBe(1);
    // The offending ")" is the 23rd character.
    expect(e.column).toBe(23);
    const unknown = diagnose(
      applyEdit(m, { op: 'set-equation', name: 'heat loss to room', text: 'Teacup_Temperature - roomtemp' }),
    );
    const u = unknown.diagnostics.find((x) => x.severity === 'error')!;
    expect(u.column).toBe(22);
  });

  it('a graphical function set by its points interpolates linearly between them', () => {
    let m = applyEdit(read(TEACUP), { op: 'add', kind: 'aux', name: 'shape', eqn: 'TIME' });
    m = applyEdit(m, { op: 'set-gf', name: 'shape', gf: { xpts: [0, 10, 30], ypts: [0, 5, 1] } });
    const r = run(m);
    const y = r.column('shape')!;
    const at = (t: number) => y[Math.round(t / 0.125)]!;
    expect(at(5)).toBeCloseTo(2.5, 12);
    expect(at(20)).toBeCloseTo(3, 12);
    expect(() => applyEdit(m, { op: 'set-gf', name: 'shape', gf: { xpts: [0, 0], ypts: [1, 2] } })).toThrow(
      /increase/,
    );
    // Written and read back, it is the same function.
    expect([...run(read(writeXmile(m))).column('shape')!]).toEqual([...y]);
  });

  it('links: an added link is a connector, unused until the equation names it; a used one cannot be removed', () => {
    let m = applyEdit(read(TEACUP), { op: 'add', kind: 'aux', name: 'x', eqn: '1' });
    m = applyEdit(m, { op: 'add-link', from: 'room temperature', to: 'x' });
    expect(unusedLinks(m)).toEqual([{ from: 'Room Temperature', to: 'x' }]);
    expect(diagnose(m).diagnostics.some((d) => d.code === 'unused-link')).toBe(true);
    const used = applyEdit(m, { op: 'set-equation', name: 'x', text: 'room_temperature * 2' });
    expect(unusedLinks(used)).toEqual([]);
    expect(() => applyEdit(used, { op: 'delete-link', from: 'room temperature', to: 'x' })).toThrow(/uses/);
    const removed = applyEdit(m, { op: 'delete-link', from: 'room temperature', to: 'x' });
    expect(removed.view!.connectors.some((c) => c.to === 'x')).toBe(false);
  });

  it('units and documentation are kept by the writer', () => {
    let m = applyEdit(read(TEACUP), { op: 'set-units', name: 'room temperature', units: 'degrees F' });
    m = applyEdit(m, { op: 'set-doc', name: 'room temperature', doc: 'The room, <warm> & "dry".' });
    const back = read(writeXmile(m)).variables.find((v) => /^room/i.test(v.name))!;
    expect(back.units).toBe('degrees F');
    expect(back.doc).toBe('The room, <warm> & "dry".');
  });
});

describe('EditHistory', () => {
  it('undoes and redoes whole versions, merges a typing burst, and tracks the saved version', () => {
    const m0 = read(TEACUP);
    const h = new EditHistory(m0);
    expect(h.dirty).toBe(false);
    const m1 = applyEdit(m0, { op: 'set-equation', name: 'room temperature', text: '7' });
    const m2 = applyEdit(m1, { op: 'set-equation', name: 'room temperature', text: '72' });
    h.push(m1, 'equation', 'eqn:room');
    h.push(m2, 'equation', 'eqn:room');
    expect(h.dirty).toBe(true);
    h.seal();
    const m3 = applyEdit(m2, { op: 'add', kind: 'aux', name: 'y' });
    h.push(m3, 'add aux y');
    expect(h.undoLabel).toBe('add aux y');
    expect(h.undo()).toBe(m2);
    // The burst is one step: undo goes back to the opened model.
    expect(h.undo()).toBe(m0);
    expect(h.dirty).toBe(false);
    expect(h.canUndo).toBe(false);
    expect(h.redo()).toBe(m2);
    expect(h.redo()).toBe(m3);
    expect(h.canRedo).toBe(false);
    h.markSaved();
    expect(h.dirty).toBe(false);
    // A new edit after an undo drops the redo branch.
    h.undo();
    h.push(m1, 'other');
    expect(h.canRedo).toBe(false);
    expect(h.dirty).toBe(true);
  });
});
