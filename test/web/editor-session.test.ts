import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileModel, readModel } from '../../src/engine.js';
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

  it('syntax errors are found from the text alone, at their column', () => {
    expect(EditorSession.syntax('a + * b')).toMatchObject({ column: 5 });
    expect(EditorSession.syntax('a + b')).toBeUndefined();
  });
});
