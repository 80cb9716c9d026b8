import type { FastifyInstance } from 'fastify';
import { isRallyError, RallyError } from '@rally/errors';
import type { Predictor } from '@rally/predict';
import { badRequestResponse, errorResponse, LABELS, PROBABILITIES, ref } from '../schemas.ts';
import { type Limits, PREDICT_REQUEST, requestValidator } from '../validation.ts';

export interface PredictRoutesOptions {
  predictor: Predictor;
  limits: Limits;
}

const MODEL_ID_HEADER = { 'X-Model-Id': { type: 'string', description: 'The model that answered (sha256 of its model.json): log it with the predictions.' } };

/** The error answers both prediction routes share, each with an example. */
function predictErrors(limits: Limits) {
  return {
    400: badRequestResponse(
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      'The body is not `{"data": point | [points]}`, is not JSON, or a point breaks the data contract: every problem is listed.',
    ),
    413: errorResponse(`More than ${limits.maxBatch} points, or a body over ${limits.bodyLimit} bytes.`, {
      message: `A batch holds at most ${limits.maxBatch} points; this one has ${limits.maxBatch + 1}.`,
      code: 'REQUEST_TOO_LARGE',
    }),
    415: errorResponse(
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      'The body is not application/json, is in a charset other than UTF-8, or has a Content-Encoding other than gzip, deflate or br (which are decoded); the message says which.',
      { message: 'Unsupported Media Type', code: 'REQUEST_MEDIA_TYPE' },
    ),
    // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
    500: errorResponse('Prediction failed; the answer names the request id, the server log has the details.', {
      // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
      message: 'An error occurred during prediction: request 9f1c… failed; the server log has the details.',
      code: 'PREDICT_FAILED',
    }),
    503: errorResponse('No production model is loaded yet (retry after the Retry-After header, 5 s).', { message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' }),
  };
}

/**
 * The points were validated: whatever fails inside prediction now is the server's fault, a 500
 * PREDICT_FAILED (the log has the cause), never a 400 that blames the client. No model yet stays 503.
 */
function failuresInside<T>(predict: () => T): T {
  try {
    return predict();
  } catch (error) {
    if (isRallyError(error, 'PREDICT_NO_MODEL')) throw error;
    throw new RallyError('PREDICT_FAILED', 'Prediction failed inside the model.', { cause: error });
  }
}

/**
 * POST /predict and POST /predict/proba. The body is validated once, against PredictRequest (the
 * schema the document shows); the handler gets the points and the predictor trusts them.
 */
export async function predictRoutes(app: FastifyInstance, { predictor, limits }: PredictRoutesOptions): Promise<void> {
  const pointsOf = requestValidator(limits);
  const validatorCompiler = () => (body: unknown) => {
    try {
      return { value: pointsOf(body) };
    } catch (error) {
      return { error: error as Error };
    }
  };
  const body = ref(PREDICT_REQUEST);
  const errors = predictErrors(limits);

  app.post(
    '/predict',
    {
      validatorCompiler,
      schema: {
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: 'Predict how each point ends',
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        description: 'One label per point: W (winner), FE (forced error) or UE (unforced error). The original API, which took one point as an object, still works.',
        operationId: 'predict',
        tags: ['predictions'],
        body,
        response: {
          // The plain form, not `content`: Fastify would parse the reply's content type on every answer to pick it.
          200: { description: 'One label per point, in order.', headers: MODEL_ID_HEADER, ...ref(LABELS) },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { modelId, labels } = failuresInside(() => predictor.predict(request.body as unknown[], { validated: true }));
      app.metrics.observePrediction(labels);
      return reply.header('X-Model-Id', modelId).send(labels);
    },
  );

  app.post(
    '/predict/proba',
    {
      validatorCompiler,
      schema: {
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: 'Class probabilities of each point',
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        description: 'For each point, the probability of each class and the most probable one, with the model id.',
        operationId: 'predictProba',
        tags: ['predictions'],
        body,
        response: {
          200: { description: 'Probabilities per point, in order.', headers: MODEL_ID_HEADER, ...ref(PROBABILITIES) },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { modelId, classes, labels, probabilities } = failuresInside(() => predictor.predictProba(request.body as unknown[], { validated: true }));
      app.metrics.observePrediction(labels);
      const predictions = probabilities.map((row, i) => ({ label: labels[i], probabilities: Object.fromEntries(classes.map((label, j) => [label, row[j]])) }));
      return reply.header('X-Model-Id', modelId).send({ model_id: modelId, classes, predictions });
    },
  );

  // The original only accepted POST on /predict: say so, with the Allow header.
  for (const url of ['/predict', '/predict/proba']) {
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url,
      schema: { hide: true },
      handler: async (_request, reply) => reply.code(405).header('Allow', 'POST').send({ message: `Use POST on ${url}.`, code: 'METHOD_NOT_ALLOWED' }),
    });
  }
}
