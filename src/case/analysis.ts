/**
 * A case analysed end to end from its parsed inputs: check the scenarios and the case file
 * against the model, run every scenario, hindcast the baseline and assemble the report. Pure
 * (no Node imports); `load.ts` reads the folder.
 */
import type { EvidenceDocument } from '../evidence/data.js';
import type { CompiledModel } from '../simulate/types.js';
import {
  checkCaseVariables,
  checkScenarioOverrides,
  compareScenarios,
  type CompareOptions,
  type ScenarioRun,
} from './compare.js';
import {
  CaseError,
  type CaseDefinition,
  type LoopInfo,
  type ParameterInfo,
  type Scenario,
} from './definition.js';
import { computeHindcast, type Hindcast } from './hindcast.js';
import { renderReport } from './report.js';
import type { DiagramLayout } from '../diagram/layout.js';

import type { ForecastStep, ForecastSummary } from '../calibrate/forecast-summary.js';
import type { Answer } from './answers.js';

export interface CaseInputs {
  /** File names as shown to the user (relative to where the command ran). */
  files: {
    model: string;
    case: string;
    scenarios: string;
    parameters?: string;
    loops?: string;
    evidence?: string;
  };
  compiled: CompiledModel;
  definition: CaseDefinition;
  scenarios: Scenario[];
  parameters: ParameterInfo[];
  loops: LoopInfo[];
  evidence?: EvidenceDocument;
  /** Q4: forecasts at each month scored against later reports (calibration/q4.json), if computed. */
  forecasts?: CaseForecasts;
  /** Why something optional is missing, for the report. */
  notes: string[];
}

/** What a case's calibration/q4.json holds (written by the case's calibration tool). */
export interface CaseForecasts {
  months: string;
  samples: number;
  summary: ForecastSummary;
  byDate: (ForecastSummary & { asOf: string; dataRows: number })[];
  byStream: (ForecastSummary & { stream: string })[];
  steps: ForecastStep[];
}

export interface CaseAnalysis {
  runs: ScenarioRun[];
  hindcast?: Hindcast;
}

export function analyseCase(inputs: CaseInputs, options: CompareOptions = {}): CaseAnalysis {
  const { compiled, definition, scenarios, files } = inputs;
  checkCaseVariables(compiled, definition, files.case);
  checkScenarioOverrides(compiled, scenarios, files.scenarios);
  if (!scenarios.some((s) => s.name === definition.baseline)) {
    throw new CaseError([
      {
        file: files.case,
        path: 'baseline',
        message: `no scenario named '${definition.baseline}' in ${files.scenarios}`,
      },
    ]);
  }
  const runs = compareScenarios(compiled, definition, scenarios, options);
  let hindcast: Hindcast | undefined;
  if (definition.hindcast && inputs.evidence) {
    const baseline = runs.find((r) => r.name === definition.baseline)!;
    hindcast = computeHindcast(definition, definition.hindcast, baseline, inputs.evidence);
  }
  return { runs, hindcast };
}

/**
 * The report; `layout` (caseDiagramLayout) draws the diagram by sector, readable at its own size;
 * `answers` (src/case/answers.ts) opens it with the four questions answered.
 */
export function caseReport(
  inputs: CaseInputs,
  analysis: CaseAnalysis,
  layout?: DiagramLayout,
  answers?: Answer[],
): string {
  const specs = inputs.compiled.simSpecs;
  return renderReport({
    layout,
    definition: inputs.definition,
    runs: analysis.runs,
    loops: inputs.loops,
    parameters: inputs.parameters,
    hindcast: analysis.hindcast,
    evidence: inputs.evidence,
    modelFile: inputs.files.model,
    diagram: inputs.compiled.model.view,
    settings: { dt: specs.dt, method: specs.method, stop: specs.stop },
    notes: inputs.notes,
    ...(answers ? { answers } : {}),
  });
}
