/**
 * The API's schemas (zod): request bodies, query strings and the documents the server returns.
 * Handlers check with these (http.ts), the request types are inferred from them, and the served
 * OpenAPI document (openapi.ts) is generated from them, so the three cannot disagree.
 */
import { z } from 'zod';
import { strict } from '../validation.js';
import { loopsSchema, parametersSchema, scenariosSchema } from '../case/schema.js';

/** Ids of models and experiments: lower-case letters, digits and dashes. */
export const MODEL_ID_PATTERN = /^[a-z0-9-]{1,40}$/;
export const ALTERNATIVE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const modelId = z.string().regex(MODEL_ID_PATTERN);

export const openModelRequest = z
  .strictObject({ path: z.string().min(1).max(1000) })
  .describe('Open a model file by its path relative to the allowed root.');
export type OpenModelRequest = z.infer<typeof openModelRequest>;

export const experimentRequest = z
  .strictObject({
    model: modelId,
    spec: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe(
        'An experiment spec file (root-relative), run as `interlock explore` runs it: its policies crossed with its sampled futures; `samples` overrides its sample count. The other fields are then not used.',
      ),
    samples: z.int().min(2).max(5000).optional(),
    seed: z.int().min(0).max(2147483647).optional(),
    output: z.string().min(1).max(200).optional(),
    parameters: z
      .record(
        z.string().max(200),
        z
          .tuple([z.number(), z.number()])
          .refine(([lo, hi]) => lo <= hi, 'must be [low, high] with low <= high'),
      )
      .refine((p) => Object.keys(p).length <= 200, 'must have at most 200 entries')
      .meta({ maxProperties: 200 })
      .optional()
      .describe('Parameter name -> [low, high]. Default: the case ranges, or +/-50% around each constant.'),
    threshold: z.number().optional().describe('PRIM: a run is of interest when the output ends above it.'),
    below: z.boolean().optional().describe('PRIM: interest when the output ends below the threshold.'),
  })
  .describe(
    'Sample the given parameter ranges (Latin hypercube, seeded), run the model once per sample, and ' +
      'analyse one output.',
  );
export type ExperimentRequest = z.infer<typeof experimentRequest>;

// Query strings: every value is a string.
const text = (max: number) => z.string().max(max);
export const noQuery = strict({});
export const viewQuery = strict({
  path: text(500).optional(),
  where: text(500).optional(),
  policy: text(200).optional(),
  satisfice: text(500).optional(),
  regret: text(200).optional(),
  alpha: z
    .string()
    .regex(/^(0(\.\d+)?|1)$/)
    .optional(),
});
export const resultsViewQuery = viewQuery.extend({ path: text(500) });
export const calibrationQuery = strict({
  path: text(500),
  asof: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export const foldersQuery = strict({ model: modelId });

// Documents the server returns (published in the OpenAPI document).
export const errorDocument = z.object({ error: z.string(), details: z.array(z.string()).optional() });
export const diagnosticDocument = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  code: z.string().optional(),
  message: z.string(),
  line: z.int().optional(),
  column: z.int().optional(),
  variable: z.string().optional(),
});
export const modelSummary = z.object({
  id: z.string(),
  name: z.string(),
  file: z.string().nullable().optional(),
  alternativeOf: z.string().optional(),
});
export const caseDocument = z
  .object({
    scenarios: scenariosSchema.optional(),
    parameters: parametersSchema.optional(),
    loops: loopsSchema.optional(),
    evidence: z.record(z.string(), z.unknown()).optional().describe('The evidence document (evidence.json).'),
  })
  .nullable();
export const modelDocument = z
  .object({
    id: z.string(),
    name: z.string(),
    file: z.string().nullable(),
    text: z.string(),
    diagnostics: z.array(diagnosticDocument),
    case: caseDocument,
  })
  .describe(
    'A model as the workbench loads it: its XMILE text (compiled in the page) and the case data found ' +
      'beside it (null when the model has none).',
  );
