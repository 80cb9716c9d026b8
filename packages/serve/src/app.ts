import http from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { isRallyError, RallyError } from '@rally/errors';
import type { Predictor } from '@rally/predict';
import { Turns } from './turns.ts';
import { assertShallow } from './body.ts';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connections.ts';
import { DEFAULT_LIMITS, envelopeValidator, type Limits, requestBodySchema } from './envelope.ts';


/** Bodies above this size (about 25 points) wait their turn to be parsed and predicted (see Turns). */
const LARGE_BODY_BYTES = 16 * 1024;

/**
 * Fastify's request log lines at debug, not info: one line per request is hundreds of MB a minute
 * under load. Failed requests (5xx) are still logged at error, by the error handler and here.
 */
class RequestsAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null, _request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export interface AppOptions {
  predictor: Predictor;
  limits?: Partial<Limits>;
  connections?: Partial<ConnectionLimits>;
  /** Fastify logger options (false in tests and benchmarks). */
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Ends this request's turn in the admission queue (set for large bodies only). */
    releaseTurn: (() => void) | null;
  }
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
  const connections: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
  const { predictor } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new RequestsAtDebug(),
    bodyLimit: limits.bodyLimit,
    // Strict input: never drop unknown properties or coerce types behind the client's back.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    return503OnClosing: true,
    serverFactory: (handler) => createHttpServer(handler, connections),
  });

  // A JSON API: other bodies are 415, not parsed as text.
  app.removeContentTypeParser(['text/plain']);

  // JSON bodies: Fastify's own parser (prototype poisoning refused), after a turn in the admission
  // queue for large ones, then a depth limit before anything walks the value.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  const parseShallow = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) =>
    defaultJson(request, body, (error, value) => {
      if (error) return done(error);
      try {
        assertShallow(value);
      } catch (depthError) {
        return done(depthError as Error);
      }
      done(null, value);
    });
  const largeBodies = new Turns();
  app.decorateRequest('releaseTurn', null);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const text = body as string;
    if (text.length <= LARGE_BODY_BYTES) return parseShallow(request, text, done);
    void largeBodies.take().then((release) => {
      // A client that left while waiting: hand the turn on (nothing will answer, or release, it).
      if (request.raw.socket?.destroyed) {
        release();
        return done(new RallyError('REQUEST_INVALID', 'The client closed the connection before its turn.'));
      }
      request.releaseTurn = release;
      parseShallow(request, text, done);
    });
  });
  // A turn ends with its response, however it ends (sent, failed, or the client gone), on any route:
  // a large JSON body to a 404 or a 405 takes a turn too.
  app.addHook('onRequest', (request, reply, next) => {
    reply.raw.once('close', () => {
      request.releaseTurn?.();
      request.releaseTurn = null;
    });
    next();
  });

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
  app.get('/health/ready', { schema: { summary: 'A production model is loaded (503 until then, saying why).' } }, async (_request, reply) =>
    predictor.ready
      ? { status: 'ready', model_id: predictor.modelInfo?.model_id }
      : reply
          .code(503)
          .header('Retry-After', '5')
          .send({ status: 'loading', message: `No production model is loaded yet${predictor.notReadyReason ? `: ${predictor.notReadyReason.replace(/\.$/, '')}` : ''}.` }),
  );
  app.get('/model', { schema: { summary: 'The production model: id, creation time, metrics, classes, features.', response: { 200: modelInfoSchema, 503: messageSchema } } }, async (_request, reply) =>
    predictor.modelInfo ?? reply.code(503).header('Retry-After', '5').send({ message: 'No production model is loaded yet.' }),
  );

  return app;
}

/**
 * Node's HTTP server with request, header and keep-alive limits enforced (checked every second,
 * not Node's default 30 s), and a JSON answer to unsupported Expect headers (Node's is empty).
 */
function createHttpServer(handler: http.RequestListener, limits: ConnectionLimits): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    handler,
  );
  server.on('checkExpectation', (request, response) => {
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    response.end(JSON.stringify({ message: `Expect: ${String(request.headers.expect).slice(0, 100)} is not supported; only Expect: 100-continue is.` }));
  });
  return server;
}
