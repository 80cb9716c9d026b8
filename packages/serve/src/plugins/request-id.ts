import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** An incoming X-Request-Id is kept when it is a sane token; anything else (long, spaces, control characters) is replaced. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The request's id: the caller's X-Request-Id (a load balancer or another service tracing a call),
 * or a new UUID. Logs carry it as `request_id`, and every answer returns it (see app.ts).
 */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Every answer names its request, so a client can quote it and the logs can be searched for it. */
export const requestIds = fp(
  async function requestIds(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('X-Request-Id', request.id);
      done();
    });
  },
  { name: 'rally-request-ids', fastify: '5.x' },
);
