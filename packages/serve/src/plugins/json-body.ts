import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RallyError } from '@rally/errors';
import { assertShallow } from './json-body-depth.ts';
import { Turns } from './turns.ts';
import fp from 'fastify-plugin';

/**
 * Fastify's parser refuses a `__proto__` key (and `constructor.prototype`), as prototype poisoning:
 * when the text is valid JSON otherwise, say that, not "not valid JSON". Only on the error path.
 */
function poisoningRefusal(text: string): RallyError | undefined {
  if (!/__proto__|constructor/.test(text)) return undefined;
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  return new RallyError(
    'REQUEST_MALFORMED',
    'The body is valid JSON but has a "__proto__" key (or "constructor" with "prototype"): refused, as it could poison object prototypes. Remove that key.',
  );
}

/** JSON is UTF-8 (RFC 8259): a body declared in another charset is a 415 that names it. */
function unsupportedCharset(contentType: string | undefined): RallyError | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii') return undefined;
  return new RallyError('REQUEST_MEDIA_TYPE', `The body's charset ${JSON.stringify(charset.slice(0, 40))} is not supported: send JSON in UTF-8 (application/json; charset=utf-8, or no charset).`);
}

/** Bodies above this size (about 25 points) wait their turn to be parsed and predicted (see Turns). */
const LARGE_BODY_BYTES = 16 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Ends this request's turn in the admission queue (set for large bodies only). */
    releaseTurn: (() => void) | null;
  }
}

/**
 * JSON bodies only (others are 415, not parsed as text): Fastify's own parser (prototype poisoning
 * refused), after a turn in the admission queue for large ones, then a depth limit before
 * anything walks the value.
 */
export const jsonBodies = fp(async function jsonBodies(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser(['text/plain']);
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  const parseShallow = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) =>
    defaultJson(request, body, (error, value) => {
      if (error) return done(poisoningRefusal(body) ?? error);
      try {
        assertShallow(value);
      } catch (depthError) {
        return done(depthError as Error);
      }
      done(null, value);
    });
  const largeBodies = new Turns();
  app.decorateRequest('releaseTurn', null);
  // Replaces Fastify's default JSON parser (the built-in ones may be overridden without removing them).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const charsetProblem = unsupportedCharset(request.headers['content-type']);
    if (charsetProblem) return done(charsetProblem);
    const text = body as string;
    if (text.length <= LARGE_BODY_BYTES) return parseShallow(request, text, done);
    void largeBodies.take().then((release) => {
      // A client that left while waiting: hand the turn on (nothing will answer, or release, it).
      if (request.raw.socket?.destroyed) {
        release();
        return done(new RallyError('REQUEST_MALFORMED', 'The client closed the connection before its turn.'));
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
}, { name: 'rally-json-bodies', fastify: '5.x' });
