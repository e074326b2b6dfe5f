import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileModel, readModel, writeXmile } from '../../src/engine.js';
import { EditorSession } from '../../src/web/editor/session.js';

function open(path: string): EditorSession {
  const text = readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
  const model = readModel(text, { file: 'm.xmile' }).model!;
  return new EditorSession(model, compileModel(model).compiled!);
}

describe('EditorSession', () => {
  it("a constant's new value re-runs without compiling, and matches a compiled run", () => {
    const s = open('../../models/examples/teacup.xmile');
    const before = s.compiled;
    const out = s.apply({ op: 'set-equation', name: 'Room Temperature', text: '20' }, 'eqn');
    expect(out).toEqual({ ran: true, fast: true });
    expect(s.compiled).toBe(before);
    const fast = [...s.series('Teacup Temperature')!];
    s.recompile();
    expect(s.compiled).not.toBe(before);
    expect([...s.series('Teacup Temperature')!]).toEqual(fast);
    // Newton cooling towards 20 (Euler, dt 0.125, tau 10).
    expect(fast.at(-1)).toBeCloseTo(20 + 160 * (1 - 0.0125) ** 240, 9);
  });

  it('an equation edit recompiles; an error keeps the last good run and is located; undo restores', () => {
    const s = open('../../models/examples/teacup.xmile');
    const t0 = [...s.series('Teacup Temperature')!];
    expect(s.apply({ op: 'set-equation', name: 'Heat Loss to Room', text: '0' })).toEqual({
      ran: true,
      fast: false,
    });
    expect(s.series('Teacup Temperature')!.at(-1)).toBe(180);
    expect(
      s.apply({ op: 'set-equation', name: 'Heat Loss to Room', text: 'Teacup_Temperature * nope' }),
    ).toEqual({
      ran: false,
      fast: false,
    });
    expect(s.stale).toBe(true);
    const e = s.diagnostics.find((d) => d.severity === 'error')!;
    expect(e.column).toBe(22);
    expect(s.series('Teacup Temperature')!.at(-1)).toBe(180);
    s.undo();
    s.undo();
    expect(s.history.dirty).toBe(false);
    expect([...s.series('Teacup Temperature')!]).toEqual(t0);
  });

  it('an equation edit runs without warm-up and gives the same numbers as a fresh compiled run', () => {
    const s = open('../../models/north-korea-russia/model.xmile');
    const v = s.model.variables.find((x) => x.name === 'russian_losses')!;
    const out = s.apply({ op: 'set-equation', name: v.name, text: `(${v.eqn!.text}) * 1.3` });
    expect(out).toEqual({ ran: true, fast: false });
    const edited = [...s.series('russian losses')!];
    const fresh = compileModel(readModel(writeXmile(s.model), { file: 'm.xmile' }).model!).compiled!;
    expect(edited).toEqual([...fresh.run().column('russian losses')!]);
    // A constant after that re-runs (warmed up now) and still matches a compiled run.
    expect(s.apply({ op: 'set-equation', name: 'nk tour length', text: '5' }).fast).toBe(true);
    const c = compileModel(readModel(writeXmile(s.model), { file: 'm.xmile' }).model!).compiled!;
    expect([...s.series('russian losses')!]).toEqual([...c.run().column('russian losses')!]);
  });

  it('unit warnings come from advise(), apart from the run; units and documentation edits do not recompile', () => {
    const s = open('../../models/examples/teacup.xmile');
    const before = s.compiled;
    expect(s.apply({ op: 'set-units', name: 'Heat Loss to Room', units: 'degrees' })).toEqual({
      ran: true,
      fast: true,
    });
    expect(s.compiled).toBe(before);
    expect(s.diagnostics.some((d) => d.code.startsWith('unit'))).toBe(false);
    expect(s.advisoryStale).toBe(true);
    expect(s.advise()).toBe(true);
    // The flow's units no longer match the stock's per time unit.
    const w = s.diagnostics.filter((d) => d.severity === 'warning' && d.code !== 'unused-link');
    expect(w.length).toBeGreaterThan(0);
    expect(w.some((d) => /heat.loss.to.room/i.test(`${d.variable} ${d.message}`))).toBe(true);
    expect(s.advise()).toBe(false);
    // Undone, the warning goes at the next advise.
    s.undo();
    s.advise();
    expect(s.diagnostics.filter((d) => d.code !== 'unused-link' && d.severity === 'warning')).toEqual([]);
  });

  it("a recompile reuses unchanged equations' parses, and an equation object given new text is parsed again", () => {
    const s = open('../../models/examples/teacup.xmile');
    const v = s.model.variables.find(
      (x) => x.name === 'Room_Temperature' || /room.temperature/i.test(x.name),
    )!;
    s.recompile();
    expect(s.series('Room Temperature')![0]).toBe(70);
    // The same object, its text changed in place (not what edits do): the new text counts.
    v.eqn!.text = '20';
    s.recompile();
    expect(s.series('Room Temperature')![0]).toBe(20);
  });

  it('knows the variables renamed since the last save, through chains, undo and renaming back', () => {
    const s = open('../../models/examples/teacup.xmile');
    expect(s.renamesSinceSaved()).toEqual([]);
    s.apply({ op: 'rename', from: 'Room Temperature', to: 'ambient' });
    s.apply({ op: 'rename', from: 'ambient', to: 'air temperature' });
    s.apply({ op: 'set-equation', name: 'air temperature', text: '21' });
    expect(s.renamesSinceSaved()).toEqual([['Room Temperature', 'air temperature']]);
    s.undo();
    s.undo();
    expect(s.renamesSinceSaved()).toEqual([['Room Temperature', 'ambient']]);
    s.history.markSaved();
    expect(s.renamesSinceSaved()).toEqual([]);
    s.apply({ op: 'rename', from: 'ambient', to: 'Room Temperature' });
    s.apply({ op: 'rename', from: 'Teacup Temperature', to: 'cup' });
    expect(s.renamesSinceSaved()).toEqual([
      ['ambient', 'Room Temperature'],
      ['Teacup Temperature', 'cup'],
    ]);
    // Undone to the saved version: nothing to carry.
    s.undo();
    s.undo();
    expect(s.renamesSinceSaved()).toEqual([]);
  });

  it('syntax errors are found from the text alone, at their column', () => {
    expect(EditorSession.syntax('a + * b')).toMatchObject({ column: 5 });
    expect(EditorSession.syntax('a + b')).toBeUndefined();
  });
});

describe('an alternative that renamed variables, under the case model’s names', () => {
  it("takes the case's policy overrides and answers its chart names as the original does", async () => {
    const { underCaseNames } = await import('../../src/web/editor/beside.js');
    const original = open('../../models/north-korea-russia/model.xmile');
    const alt = open('../../models/north-korea-russia/model.xmile');
    alt.apply({ op: 'rename', from: 'interdiction_lever', to: 'strike lever' });
    alt.apply({ op: 'rename', from: 'nk_troops_in_theatre', to: 'nk troops present' });
    const renamed = alt.renamesSinceSaved();
    expect(renamed).toEqual([
      ['interdiction lever', 'strike lever'],
      ['nk troops in theatre', 'nk troops present'],
    ]);
    const policy = { deterrence_policy: 1, interdiction_lever: 1 };
    // Unwrapped, the case's lever names nothing in the alternative.
    expect(() => alt.compiled.run({ overrides: policy })).toThrow(/interdiction/);
    const seen = underCaseNames(alt.compiled, renamed);
    const want = original.compiled.run({ overrides: policy }).column('nk troops in theatre')!;
    expect([...seen.run({ overrides: policy }).column('nk troops in theatre')!]).toEqual([...want]);
    expect(seen.parameters.some((p) => p.name === 'interdiction lever')).toBe(true);
    const sim = seen.simulation();
    sim.set(sim.parameterIndex('deterrence_policy'), 1);
    sim.set(sim.parameterIndex('interdiction_lever'), 1);
    sim.run();
    expect([...sim.series('nk_troops_in_theatre')]).toEqual([...want]);
    // And the policy matters: without the lever the troops differ.
    expect([...original.compiled.run().column('nk troops in theatre')!]).not.toEqual([...want]);
  });
});
