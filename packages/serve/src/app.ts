/**
 * The HTTP app: a thin wrapper over a Predictor, built from options (tests pass their own
 * predictor; no module mocking). Each concern is a module: plugins/ (JSON bodies, errors,
 * request ids, metrics) and one module per group of routes in routes/ (the Fastify demo's layout).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Predictor } from '@rally/predict';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connections.ts';
import { errorAnswers } from './plugins/errors.ts';
import { answerClientError } from './plugins/client-errors.ts';
import { contentEncodings } from './plugins/content-encoding.ts';
import { drainingAnswers } from './plugins/draining.ts';
import { jsonBodies } from './plugins/json-body.ts';
import { metrics } from './plugins/metrics.ts';
import { requestIdOf, requestIds } from './plugins/request-id.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { modelRoutes } from './routes/model.ts';
import { predictRoutes } from './routes/predict.ts';
import { responseSchemas, withRequestExamples } from './schemas.ts';
import { dataPointSchema, DEFAULT_LIMITS, type Limits, predictRequestSchema } from './validation.ts';

/** The HTTP API's version (the document's info.version): its contract, not the package's. */
const API_VERSION = '1.0.0';

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

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const connections: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
  const { predictor } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new RequestsAtDebug({ requestIdLogLabel: 'request_id' }),
    bodyLimit: limits.bodyLimit,
    genReqId: requestIdOf,
    // Strict input: never drop unknown properties or coerce types behind the client's back.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    // While draining, drainingAnswers (below) answers 503 in the API's format; Fastify's own is not.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    serverFactory: (handler) => createHttpServer(handler, connections),
  });
  // The server's concerns, each a Fastify plugin (fastify-plugin: they apply to the whole app, in this order).
  await app.register(requestIds);
  await app.register(drainingAnswers);
  await app.register(contentEncodings);
  await app.register(jsonBodies);
  await app.register(errorAnswers);
  await app.register(metrics, { predictor, maxBatch: limits.maxBatch });

  app.addSchema(dataPointSchema());
  app.addSchema(predictRequestSchema(limits));
  for (const schema of responseSchemas()) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      // Relative: the paths are served by whatever host and port answered /docs (PORT, HOST, a proxy).
      servers: [{ url: '/', description: 'The server this document came from.' }],
      info: {
        title: 'rally',
        version: API_VERSION,
        contact: { name: 'rally maintainers (the repository this server was built from)' },
        description: [
          // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
          'Predicts how a tennis point ends (W winner, FE forced error, UE unforced error) from ball- and player-tracking measurements of its last shots.',
          `Limits: bodies up to ${limits.bodyLimit} bytes, batches up to ${limits.maxBatch} points.`,
          // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
          'Every answer carries X-Request-Id (yours if you sent one); predictions carry X-Model-Id. Errors are `{"message", "code"}`, with `errors` listing every problem of an invalid request.',
        ].join(' '),
      },
      tags: [
        { name: 'predictions', description: 'The model at work.' },
        { name: 'model', description: 'Which model answers.' },
        { name: 'health', description: 'Probes for load balancers and Kubernetes.' },
        { name: 'operations', description: 'Monitoring.' },
      ],
    },
    transformObject: (document) => ('openapiObject' in document ? withRequestExamples(document.openapiObject as never) : document.swaggerObject),
    // Named schemas (addSchema's $id) become components/schemas/<id>, referenced, not inlined.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(predictRoutes, { predictor, limits });
  await app.register(modelRoutes, { predictor });
  await app.register(healthRoutes, { predictor });
  await app.register(metricsRoutes);
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
  // Node's headersTimeout starts with a request's first byte: a connection that never sends one
  // would stay open for good (2,000 of them did, past 15 s). It gets the same time, then is closed.
  // One sweep for all of them, not a timer per connection: a timer per connection kept each socket
  // alive for the whole timeout and cost a soak a third more memory and a sixth of its throughput.
  const silent = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => void silent.set(socket, Date.now()));
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, since] of silent) {
      if (socket.destroyed || socket.bytesRead > 0) silent.delete(socket);
      else if (now - since >= limits.headersTimeoutMs) {
        silent.delete(socket);
        socket.destroy();
      }
    }
  }, Math.max(50, Math.min(1000, limits.headersTimeoutMs / 2)));
  sweep.unref();
  server.on('close', () => clearInterval(sweep));
  server.on('checkExpectation', (request, response) => {
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    response.end(JSON.stringify({ message: `Expect: ${String(request.headers.expect).slice(0, 100)} is not supported; only Expect: 100-continue is.`, code: 'REQUEST_MALFORMED' }));
  });
  return server;
}
