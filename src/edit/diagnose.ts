/**
 * Diagnostics of an edited model, as the editor shows them while you type: compile errors and
 * warnings (an edited equation's column counts from its own first character), unit warnings,
 * and links on the diagram that no equation uses. Returns the compiled model when it compiles.
 * The advisory part (units, unused links) never decides whether the model runs, so the editor
 * computes it after the run is drawn (`advisoryDiagnostics`).
 */
import { compileModel, type CompiledModel, type Diagnostic, type Model } from '../engine.js';
import { checkUnits } from '../units/check.js';
import { displayName } from '../equations/names.js';
import { unusedLinks } from './edit.js';

export interface Diagnosis {
  compiled?: CompiledModel;
  diagnostics: Diagnostic[];
}

export function diagnose(model: Model, options: { units?: boolean; advisory?: boolean } = {}): Diagnosis {
  const { compiled, diagnostics } = compileModel(model);
  const all = [...diagnostics];
  if (options.advisory !== false) all.push(...advisoryDiagnostics(model, options));
  return { compiled, diagnostics: all };
}

/** Unit warnings (unless `units` is false) and links drawn on the diagram that no equation uses. */
export function advisoryDiagnostics(model: Model, options: { units?: boolean } = {}): Diagnostic[] {
  const all: Diagnostic[] = [];
  if (options.units !== false) {
    try {
      all.push(...checkUnits(model));
    } catch {
      // Units are advisory; a failure to check them never blocks editing.
    }
  }
  for (const l of unusedLinks(model)) {
    all.push({
      severity: 'warning',
      code: 'unused-link',
      message: `the link from '${displayName(l.from)}' is not used in the equation of '${displayName(l.to)}'`,
      variable: displayName(l.to),
    });
  }
  return all;
}
