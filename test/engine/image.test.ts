/**
 * A worker receives a simulation's image (the generated program and what runs need), cloned
 * as postMessage clones it; the simulation it makes must run exactly as the one compiled from
 * the model, and name errors must read the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulationFromImage, simulationImage } from '../../src/compile/compile.js';
import { compileModel, readModel } from '../../src/engine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(here, '..', '..', 'models', 'north-korea-russia', 'model.xmile');

describe('simulation images', () => {
  const compiled = compileModel(readModel(readFileSync(file, 'utf8'), { file }).model!).compiled!;
  const vars = ['nk_troops_in_theatre', 'russian_manpower_gap'];

  it.each(['euler', 'rk2'] as const)(
    'run as the compiled model runs (%s), after a structured clone',
    (method) => {
      const options = { method, saveStep: 0.25, vars };
      const direct = compiled.simulation(options);
      const cloned = simulationFromImage(structuredClone(simulationImage(compiled, options)!));
      const p = compiled.parameters[3]!;
      for (const value of [p.value, p.value * 1.7]) {
        for (const sim of [direct, cloned]) {
          sim.clearOverrides();
          sim.set(sim.parameterIndex(p.name), value);
          sim.setSeed(9);
          sim.run();
        }
        for (const v of vars) expect(cloned.series(v)).toEqual(direct.series(v));
        expect(cloned.time).toEqual(direct.time);
      }
      // Changing the parameter changed the run, so the comparison above compares something.
      expect(direct.series(vars[0]!)).not.toEqual(compiled.run(options).column(vars[0]!));
    },
  );

  it('say what a name is when it cannot be set', () => {
    const image = simulationFromImage(structuredClone(simulationImage(compiled, { vars })!));
    const direct = compiled.simulation({ vars });
    for (const name of ['no such thing', vars[0]!]) {
      expect(() => image.parameterIndex(name)).toThrow(
        (() => {
          try {
            direct.parameterIndex(name);
          } catch (err) {
            return (err as Error).message;
          }
          return 'no error';
        })(),
      );
    }
  });
});
