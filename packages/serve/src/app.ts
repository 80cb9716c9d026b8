import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { isRallyError } from '@rally/errors';
import type { Predictor } from '@rally/predict';
import { DEFAULT_LIMITS, envelopeValidator, type Limits, requestBodySchema } from './envelope.ts';

export interface AppOptions {
  predictor: Predictor;
  limits?: Partial<Limits>;
  /** Fastify logger options (false in tests and benchmarks). */
  logger?: FastifyServerOptions['logger'];
}

const messageSchema = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } as const;
const modelInfoSchema = {
  type: 'object',
  properties: {
    model_id: { type: 'string' },
    created_at: { type: 'string' },
    promoted_at: { type: ['string', 'null'] },
    metrics: {
      type: 'object',
      properties: {
        test_log_loss: { type: 'number' },
        accuracy: { type: 'number' },
        cv_mean_log_loss: { type: 'number' },
        cv_std_log_loss: { type: 'number' },
      },
    },
    classes: { type: 'array', items: { type: 'string' } },
    features: { type: 'array', items: { type: 'string' } },
    estimator: { type: 'object', additionalProperties: true },
  },
} as const;

/**
 * The HTTP app: a thin wrapper over a Predictor, built from options (tests pass their own
 * predictor; no module mocking). The server file only reads configuration and listens.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { predictor } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyLimit,
    // Strict input: never drop unknown properties or coerce types behind the client's back.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    return503OnClosing: true,
  });

  // A JSON API: other bodies are 415, not parsed as text.
  app.removeContentTypeParser(['text/plain']);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'rally',
        version: '0.1.0',
        description: `Predicts how a tennis point ends (W winner, FE forced error, UE unforced error). Limits: bodies up to ${limits.bodyLimit} bytes, batches up to ${limits.maxBatch} points.`,
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    // Client errors and "no model yet" (503, retry soon) say what is wrong; other failures stay internal.
    if (status === 503) reply.header('Retry-After', '5');
    if (status < 500 || isRallyError(error, 'PREDICT_NO_MODEL')) return reply.code(status).send({ message: error.message });
    request.log.error({ err: error }, 'request failed');
    const prediction = request.routeOptions.url?.startsWith('/predict');
    const message = prediction
      ? `An error occurred during prediction: request ${request.id} failed; the server log has the details.`
      : `Internal server error (request ${request.id}).`;
    return reply.code(500).send({ message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `No route ${request.method} ${request.url}.` }));

  const body = requestBodySchema(limits);
  const validatorCompiler = () => envelopeValidator(limits);
  const predictSchema = (summary: string, ok: object) => ({
    summary,
    body,
    response: { 200: ok, 400: messageSchema, 413: messageSchema, 415: messageSchema, 500: messageSchema, 503: messageSchema },
  });

  app.post(
    '/predict',
    {
      validatorCompiler,
      schema: predictSchema('Predicted outcome of each point, in order.', {
        description: 'One label (W, FE or UE) per point. The model id is in the X-Model-Id header.',
        type: 'array',
        items: { type: 'string' },
      }),
    },
    async (request, reply) => {
      const { modelId, labels } = predictor.predict(request.body as unknown[]);
      return reply.header('X-Model-Id', modelId).send(labels);
    },
  );

  app.post(
    '/predict/proba',
    {
      validatorCompiler,
      schema: predictSchema('Class probabilities of each point, with the model id.', {
        type: 'object',
        properties: {
          model_id: { type: 'string' },
          classes: { type: 'array', items: { type: 'string' } },
          predictions: {
            type: 'array',
            items: {
              type: 'object',
              properties: { label: { type: 'string' }, probabilities: { type: 'object', additionalProperties: { type: 'number' } } },
            },
          },
        },
      }),
    },
    async (request, reply) => {
      const { modelId, classes, labels, probabilities } = predictor.predictProba(request.body as unknown[]);
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
      handler: async (_request, reply) => reply.code(405).header('Allow', 'POST').send({ message: `Use POST on ${url}.` }),
    });
  }

  app.get('/ping', { schema: { summary: 'The original liveness check.', response: { 200: { type: 'string' } } } }, async () => 'pong!');
  app.get('/health/live', { schema: { summary: 'The process is up.' } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { summary: 'A production model is loaded (503 until then).' } }, async (_request, reply) =>
    predictor.ready
      ? { status: 'ready', model_id: predictor.modelInfo?.model_id }
      : reply.code(503).header('Retry-After', '5').send({ status: 'loading', message: 'No production model is loaded yet.' }),
  );
  app.get('/model', { schema: { summary: 'The production model: id, creation time, metrics, classes, features.', response: { 200: modelInfoSchema, 503: messageSchema } } }, async (_request, reply) =>
    predictor.modelInfo ?? reply.code(503).header('Retry-After', '5').send({ message: 'No production model is loaded yet.' }),
  );

  return app;
}
