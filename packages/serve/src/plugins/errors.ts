import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, isRallyError, RallyError } from '@rally/errors';
import fp from 'fastify-plugin';

/** Codes for Fastify's and Node's own client errors, by status, so every answer has one. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'REQUEST_MALFORMED',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'REQUEST_BODY_TOO_LARGE',
  415: 'REQUEST_MEDIA_TYPE',
};

/**
 * Every error answers `{"message", "code"}` (and `errors`, the list of problems, for a request that
 * does not validate). Client errors and "no model yet" say what is wrong; other failures stay
 * internal: the answer names the request id, the log has the details.
 */
export const errorAnswers = fp(async function errorAnswers(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError | RallyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500 || isRallyError(error, 'PREDICT_NO_MODEL')) {
      if (status === 503) reply.header('Retry-After', '5');
      const code = isRallyError(error) ? error.code : (CODE_BY_STATUS[status] ?? 'REQUEST_MALFORMED');
      const problems = isRallyError(error) && Array.isArray(error.details) ? { errors: error.details } : {};
      return reply.code(status).send({ message: error.message, code, ...problems });
    }
    request.log.error({ err: error }, 'request failed');
    const prediction = request.routeOptions.url?.startsWith('/predict');
    const message = prediction
      ? `An error occurred during prediction: request ${request.id} failed; the server log has the details.`
      : `Internal server error (request ${request.id}).`;
    return reply.code(500).send({ message, code: prediction ? 'PREDICT_FAILED' : 'INTERNAL_ERROR' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No route ${request.method} ${request.url.slice(0, 200)}.`, code: 'ROUTE_NOT_FOUND' }),
  );
}, { name: 'rally-error-answers', fastify: '5.x' });
