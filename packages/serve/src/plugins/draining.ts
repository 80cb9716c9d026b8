import type { FastifyInstance } from 'fastify';

/**
 * Once the app starts closing (SIGTERM), a request that still arrives on an open connection is
 * answered 503 in the API's format, with Connection: close and Retry-After, instead of Fastify's
 * `{"error", "message", "statusCode"}`; the requests already in flight finish normally.
 */
export function drainingAnswers(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done();
    reply
      .code(503)
      .header('Connection', 'close')
      .header('Retry-After', '5')
      .send({ message: 'The server is shutting down: retry, another instance will answer.', code: 'SERVER_DRAINING' });
  });
}
