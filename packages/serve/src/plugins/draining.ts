import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Once the app starts closing (SIGTERM), a request that still arrives on an open connection is
 * answered 503 in the API's format, with Connection: close and Retry-After, instead of Fastify's
 * `{"error", "message", "statusCode"}`; the requests already in flight finish normally.
 */
export const drainingAnswers = fp(async function drainingAnswers(app: FastifyInstance): Promise<void> {
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
}, { name: 'rally-draining-answers', fastify: '5.x' });
