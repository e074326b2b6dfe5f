/**
 * The API's schemas and its OpenAPI 3.1 document. Handlers validate with these same schema
 * objects, so the published document cannot drift from what the server accepts.
 */
import type { Schema } from './schema.js';
import { VERSION } from '../version.js';

export const MODEL_ID_PATTERN = '^[a-z0-9-]{1,40}$';

export const openModelRequest: Schema = {
  type: 'object',
  description: 'Open a model file by its path relative to the allowed root.',
  properties: { path: { type: 'string', minLength: 1, maxLength: 1000 } },
  required: ['path'],
  additionalProperties: false,
};

export const experimentRequest: Schema = {
  type: 'object',
  description:
    'Sample the given parameter ranges (Latin hypercube, seeded), run the model once per sample, and ' +
    'analyse one output.',
  properties: {
    model: { type: 'string', pattern: MODEL_ID_PATTERN },
    spec: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      description:
        'An experiment spec file (root-relative), run as `interlock explore` runs it: its policies crossed with its sampled futures; `samples` overrides its sample count. The other fields are then not used.',
    },
    samples: { type: 'integer', minimum: 2, maximum: 5000 },
    seed: { type: 'integer', minimum: 0, maximum: 2147483647 },
    output: { type: 'string', minLength: 1, maxLength: 200 },
    parameters: {
      type: 'object',
      description: 'Parameter name -> [low, high]. Default: the case ranges, or +/-50% around each constant.',
      maxProperties: 200,
      additionalProperties: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
    },
    threshold: { type: 'number', description: 'PRIM: a run is of interest when the output ends above it.' },
    below: { type: 'boolean', description: 'PRIM: interest when the output ends below the threshold.' },
  },
  required: ['model'],
  additionalProperties: false,
};

const errorSchema: Schema = {
  type: 'object',
  properties: { error: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
  required: ['error'],
};

const diagnostic: Schema = {
  type: 'object',
  properties: {
    severity: { type: 'string', enum: ['error', 'warning', 'info'] },
    code: { type: 'string' },
    message: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    variable: { type: 'string' },
  },
};

const modelSummary: Schema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, file: { type: 'string' } },
};

const modelDocument: Schema = {
  type: 'object',
  description:
    'A model as the workbench loads it: its XMILE text (compiled in the page) and the case data found ' +
    'beside it (null when the model has none).',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    file: { type: 'string' },
    text: { type: 'string' },
    diagnostics: { type: 'array', items: diagnostic },
    case: {
      type: 'object',
      properties: {
        scenarios: { type: 'object' },
        parameters: { type: 'object' },
        loops: { type: 'object' },
        evidence: { type: 'object' },
      },
    },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const errors = {
  '400': { description: 'Bad request', ...json(ref('Error')) },
  '404': { description: 'Not found', ...json(ref('Error')) },
  '413': { description: 'Body too large', ...json(ref('Error')) },
};

export function openApiDocument(limits: { modelBytes: number; jsonBytes: number }): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'interlock workbench API',
      version: VERSION,
      description:
        'Models, case data and experiments for the interlock browser workbench. Served on loopback by ' +
        `default. Model uploads are limited to ${limits.modelBytes} bytes, JSON bodies to ${limits.jsonBytes}.`,
    },
    paths: {
      '/api/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OK' } } } },
      '/api/health': {
        get: { summary: 'Liveness and version', responses: { '200': { description: 'OK' } } },
      },
      '/api/models': {
        get: {
          summary: 'Models open on this server and model files available under the allowed root',
          responses: {
            '200': {
              description: 'OK',
              ...json({
                type: 'object',
                properties: {
                  models: { type: 'array', items: ref('ModelSummary') },
                  files: { type: 'array', items: { type: 'string' } },
                },
              }),
            },
          },
        },
        post: {
          summary: 'Open a model: upload XMILE text, or name a file under the allowed root',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('OpenModelRequest') },
              'application/xml': { schema: { type: 'string', maxLength: limits.modelBytes } },
            },
          },
          responses: {
            '201': { description: 'Opened', ...json(ref('ModelSummary')) },
            '403': { description: 'Path outside the allowed root', ...json(ref('Error')) },
            '415': { description: 'Unsupported content type', ...json(ref('Error')) },
            '422': { description: 'Not a model the engine can read', ...json(ref('Error')) },
            ...errors,
          },
        },
      },
      '/api/models/{id}': {
        get: {
          summary: 'A model with its case data',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_ID_PATTERN } },
          ],
          responses: { '200': { description: 'OK', ...json(ref('ModelDocument')) }, ...errors },
        },
        put: {
          summary:
            'Write the edited model back to the file it was opened from: XMILE that reads and compiles without errors, written atomically',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_ID_PATTERN } },
            {
              name: 'x-renamed',
              in: 'header',
              required: false,
              description:
                'Variables renamed since the last save, URI-encoded JSON [["old", "new"], ...]: saving a case model updates the case files that name them; an alternative keeps them beside its file',
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/xml': { schema: { type: 'string', maxLength: limits.modelBytes } } },
          },
          responses: {
            '200': { description: 'Saved', ...json({ type: 'object' }) },
            '409': { description: 'Uploaded, or not an XMILE file: download instead', ...json(ref('Error')) },
            '422': { description: 'Not XMILE, or the model has errors (located)', ...json(ref('Error')) },
            ...errors,
          },
        },
      },
      '/api/models/{id}/alternatives': {
        post: {
          summary:
            'Save an edited copy of a case model as alternatives/NAME.xmile in its folder (header x-alternative-name) and open it',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_ID_PATTERN } },
            {
              name: 'x-alternative-name',
              in: 'header',
              required: true,
              schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,39}$' },
            },
            {
              name: 'x-renamed',
              in: 'header',
              required: false,
              description:
                'Variables renamed since the last save, URI-encoded JSON [["old", "new"], ...]: saving a case model updates the case files that name them; an alternative keeps them beside its file',
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/xml': { schema: { type: 'string', maxLength: limits.modelBytes } } },
          },
          responses: {
            '201': { description: 'Saved and opened', ...json({ type: 'object' }) },
            '409': { description: 'Not a model opened from a case folder', ...json(ref('Error')) },
            '422': { description: 'Not XMILE, or the model has errors (located)', ...json(ref('Error')) },
            ...errors,
          },
        },
      },
      '/api/models/{id}/answers': {
        get: {
          summary:
            "A case model's four answers from the calibrated, history-matched ensemble (src/case/case-answers.ts) and the headline numbers behind them; computed in a worker on first request, then kept; null for a model without a case and thesis experiment",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_ID_PATTERN } },
          ],
          responses: { '200': { description: 'OK', ...json({ type: 'object' }) }, ...errors },
        },
      },
      '/api/models/{id}/forecasts': {
        get: {
          summary:
            "Q4: a case's forecasts at each date scored against what was reported later (calibration/q4.json read through src/case); null when the case has none",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_ID_PATTERN } },
          ],
          responses: {
            '200': { description: 'OK', ...json({ type: 'object' }) },
            '422': { description: 'The forecasts file is malformed (located)', ...json(ref('Error')) },
            ...errors,
          },
        },
      },
      '/api/experiments': {
        post: {
          summary: 'Start an experiment on an open model (runs on the server)',
          requestBody: { required: true, ...json(ref('ExperimentRequest')) },
          responses: { '202': { description: 'Started', ...json({ type: 'object' }) }, ...errors },
        },
      },
      '/api/experiments/{id}': {
        get: {
          summary: 'Progress of an experiment, and its analysis once done',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_ID_PATTERN } },
          ],
          responses: { '200': { description: 'OK', ...json({ type: 'object' }) }, ...errors },
        },
      },
    },
    components: {
      schemas: {
        Error: errorSchema,
        Diagnostic: diagnostic,
        ModelSummary: modelSummary,
        ModelDocument: modelDocument,
        OpenModelRequest: openModelRequest,
        ExperimentRequest: experimentRequest,
      },
    },
  };
}
