/**
 * The API document's named schemas (components/schemas) for answers, with examples. Requests'
 * schemas (DataPoint, PredictRequest) live with their validation, in validation.ts.
 */
import { ERROR_CATALOGUE } from '@rally/errors';
import { examplePoint } from '@rally/features';
import { MISSING_DATA_KEY } from './validation.ts';

const EXAMPLE_MODEL_ID = '5ca04b1ec360ed1a0c2e0fc58a20cd9f34e3c14e7fa35943cc0950aff665d334';
const CLASSES_DESCRIPTION = 'W winner, FE forced error, UE unforced error.';

export const ERROR = 'Error';
export const VALIDATION_ERROR = 'ValidationError';
export const LABELS = 'Labels';
export const PROBABILITIES = 'Probabilities';
export const MODEL_INFO = 'ModelInfo';
export const READINESS = 'Readiness';

export const ref = (id: string) => ({ $ref: `${id}#` });

const codeSchema = {
  type: 'string',
  enum: Object.keys(ERROR_CATALOGUE),
  // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
  description: 'Stable error code from the error catalogue (packages/errors): match on it, not on the message.',
};

/** The answer to three points, the first with speed "fast", the third without depth. */
const INVALID_POINTS_EXAMPLE = {
  message: 'Point 0 field "speed" is "fast"; it must be a finite number in [0, 120]. 1 more problem in "errors".',
  code: 'PREDICT_INVALID_POINT',
  errors: [
    { point: 0, field: 'speed', problem: 'Point 0 field "speed" is "fast"; it must be a finite number in [0, 120].' },
    { point: 2, field: 'depth', problem: 'Point 2 is missing field "depth".' },
  ],
};

export function responseSchemas(): object[] {
  return [
    {
      $id: ERROR,
      type: 'object',
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      description: 'What went wrong, in one sentence, and its code.',
      required: ['message', 'code'],
      properties: { message: { type: 'string', description: "One sentence (the original API's field)." }, code: codeSchema },
      example: { message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' },
    },
    {
      $id: VALIDATION_ERROR,
      type: 'object',
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      description: 'A request the API cannot accept. When the body is JSON, `errors` lists every problem at once (up to 100), the first in `message`.',
      required: ['message', 'code'],
      properties: {
        message: { type: 'string', description: 'The first problem, in one sentence, and how many more `errors` lists.' },
        code: codeSchema,
        errors: {
          type: 'array',
          description: 'Every problem (up to 100), point by point, field by field.',
          items: {
            type: 'object',
            required: ['point', 'field', 'problem'],
            properties: {
              point: { type: 'integer', nullable: true, description: 'Index of the point in `data` (0 for a single point); null when the body itself is wrong.' },
              field: { type: 'string', nullable: true, description: 'The field of the point, or `data`; null when the whole point is wrong.' },
              problem: { type: 'string', description: 'What is wrong, in one sentence.' },
            },
          },
        },
      },
      example: INVALID_POINTS_EXAMPLE,
    },
    {
      $id: LABELS,
      type: 'array',
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      description: `One label per point, in the order of the request: ${CLASSES_DESCRIPTION}`,
      items: { type: 'string', example: 'UE' },
      example: ['UE'],
    },
    {
      $id: PROBABILITIES,
      type: 'object',
      required: ['model_id', 'classes', 'predictions'],
      properties: {
        model_id: { type: 'string', description: 'The model that answered (sha256 of its model.json).' },
        classes: { type: 'array', items: { type: 'string' }, description: CLASSES_DESCRIPTION },
        predictions: {
          type: 'array',
          // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
          description: 'One entry per point, in the order of the request.',
          items: {
            type: 'object',
            required: ['label', 'probabilities'],
            properties: {
              label: { type: 'string', description: 'The most probable class.' },
              probabilities: { type: 'object', additionalProperties: { type: 'number' }, description: 'Probability of each class; they sum to 1.' },
            },
          },
        },
      },
      example: {
        model_id: EXAMPLE_MODEL_ID,
        classes: ['FE', 'UE', 'W'],
        predictions: [{ label: 'UE', probabilities: { FE: 0.21, UE: 0.74, W: 0.05 } }],
      },
    },
    {
      $id: MODEL_INFO,
      type: 'object',
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      description: 'The production model answering requests.',
      required: ['model_id', 'created_at', 'promoted_at', 'metrics', 'classes', 'features', 'estimator'],
      properties: {
        model_id: { type: 'string', description: 'sha256 of the model.json artifact.' },
        created_at: { type: 'string', description: 'When it was trained (ISO 8601).' },
        promoted_at: { type: 'string', nullable: true, description: 'When it became production (ISO 8601).' },
        metrics: {
          type: 'object',
          // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
          description: 'Measured at training on the held-out test part, and by 5-fold cross-validation on the training part.',
          required: ['test_log_loss', 'accuracy', 'cv_mean_log_loss', 'cv_std_log_loss'],
          properties: {
            test_log_loss: { type: 'number', description: 'Log loss on the held-out test part (lower is better).' },
            accuracy: { type: 'number', description: 'Share of the held-out test points labelled right.' },
            cv_mean_log_loss: { type: 'number', description: 'Mean log loss over the 5 cross-validation folds.' },
            cv_std_log_loss: { type: 'number', description: 'Standard deviation of the log loss over the 5 folds.' },
          },
        },
        classes: { type: 'array', items: { type: 'string' }, description: `The classes, in the order of /predict/proba's answers: ${CLASSES_DESCRIPTION}` },
        features: { type: 'array', items: { type: 'string' }, description: 'The feature columns the forest reads.' },
        estimator: { type: 'object', additionalProperties: true, description: 'The forest and its hyperparameters.' },
      },
    },
    {
      $id: READINESS,
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['ready', 'loading'], description: '`ready` once a model answers, `loading` until the first one is loaded.' },
        model_id: { type: 'string', description: 'The loaded model (when ready).' },
        message: { type: 'string', description: 'Why no model is loaded yet (when loading).' },
        code: codeSchema,
      },
      example: { status: 'ready', model_id: EXAMPLE_MODEL_ID },
    },
  ];
}

/** A real ground-truth point as the request example, single and in a batch. */
function requestExamples() {
  const point = examplePoint();
  return {
    // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
    single: { summary: 'One point (the ground truth\'s first row)', value: { data: point } },
    // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
    batch: { summary: 'A batch of points', value: { data: [point, { ...point, id: (point.id as number) + 1, speed: 52.3, 'outside.baseline': true }] } },
  };
}

/**
 * The document with real request examples on every body that takes a PredictRequest (a route's
 * body schema is a reference, and @fastify/swagger drops what sits beside a reference).
 */
export function withRequestExamples<T extends { paths?: Record<string, Record<string, unknown>> }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations) as { requestBody?: { content?: Record<string, { schema?: { $ref?: string }; examples?: unknown }> } }[]) {
      const media = operation?.requestBody?.content?.['application/json'];
      if (media?.schema?.$ref?.endsWith('/PredictRequest')) media.examples = requestExamples();
    }
  }
  return document;
}

/** An error response of the document, with its example. */
export function errorResponse(description: string, example: { message: string; code: keyof typeof ERROR_CATALOGUE }) {
  return { description, content: { 'application/json': { schema: ref(ERROR), example } } };
}

/** The 400 answers of the prediction routes, one example per kind of bad request. */
export function badRequestResponse(description: string) {
  const examples = {
    // Stryker disable StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
    invalidPoints: { summary: 'Points that break the data contract', value: INVALID_POINTS_EXAMPLE },
    missingData: { summary: 'A JSON body without `data`', value: { message: MISSING_DATA_KEY, code: 'REQUEST_INVALID', errors: [{ point: null, field: 'data', problem: MISSING_DATA_KEY }] } },
    notJson: { summary: 'A body that is not JSON', value: { message: "Body is not valid JSON but content-type is set to 'application/json'", code: 'REQUEST_MALFORMED' } },
    prototypeKey: {
      summary: 'A `__proto__` key (valid JSON, refused on purpose)',
      value: { message: 'The body is valid JSON but has a "__proto__" key (or "constructor" with "prototype"): refused, as it could poison object prototypes. Remove that key.', code: 'REQUEST_MALFORMED' },
    },
    notHttp: { summary: "A request Node's HTTP parser refuses (framing, a bad chunk size)", value: { message: 'The request has both Content-Length and Transfer-Encoding; send one of them.', code: 'REQUEST_MALFORMED' } },
    // Stryker restore StringLiteral
  };
  return { description, content: { 'application/json': { schema: ref(VALIDATION_ERROR), examples } } };
}
