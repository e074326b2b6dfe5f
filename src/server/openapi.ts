/**
 * The API's OpenAPI 3.1 document, generated from the zod schemas the handlers check with
 * (schema.ts), so the published document cannot drift from what the server accepts and returns.
 */
import { z } from 'zod';
import { VERSION } from '../version.js';
import {
  ALTERNATIVE_NAME_PATTERN,
  diagnosticDocument,
  errorDocument,
  experimentRequest,
  MODEL_ID_PATTERN,
  modelDocument,
  modelSummary,
  openModelRequest,
} from './schema.js';

/** A schema as JSON Schema (draft 2020-12, what OpenAPI 3.1 uses): the accepted input side. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  void _dialect;
  return rest;
}

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: MODEL_ID_PATTERN.source },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The header a save carries its renames in (src/case/rename.ts). */
const renamedHeader = {
  name: 'x-renamed',
  in: 'header',
  required: false,
  description:
    'Variables renamed since the last save, URI-encoded JSON [["old", "new"], ...]: saving a case model updates the case files that name them; an alternative keeps them beside its file',
  schema: { type: 'string' },
};

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
          parameters: [idParameter],
          responses: { '200': { description: 'OK', ...json(ref('ModelDocument')) }, ...errors },
        },
        put: {
          summary:
            'Write the edited model back to the file it was opened from: XMILE that reads and compiles without errors, written atomically',
          parameters: [idParameter, renamedHeader],
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
            idParameter,
            {
              name: 'x-alternative-name',
              in: 'header',
              required: true,
              schema: { type: 'string', pattern: ALTERNATIVE_NAME_PATTERN.source },
            },
            renamedHeader,
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
          parameters: [idParameter],
          responses: { '200': { description: 'OK', ...json({ type: 'object' }) }, ...errors },
        },
      },
      '/api/models/{id}/forecasts': {
        get: {
          summary:
            "Q4: a case's forecasts at each date scored against what was reported later (calibration/q4.json read through src/case); null when the case has none",
          parameters: [idParameter],
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
          parameters: [idParameter],
          responses: { '200': { description: 'OK', ...json({ type: 'object' }) }, ...errors },
        },
      },
    },
    components: {
      schemas: {
        Error: jsonSchemaOf(errorDocument),
        Diagnostic: jsonSchemaOf(diagnosticDocument),
        ModelSummary: jsonSchemaOf(modelSummary),
        ModelDocument: jsonSchemaOf(modelDocument),
        OpenModelRequest: jsonSchemaOf(openModelRequest),
        ExperimentRequest: jsonSchemaOf(experimentRequest),
      },
    },
  };
}
