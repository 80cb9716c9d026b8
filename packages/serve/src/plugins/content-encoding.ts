/**
 * Compressed request bodies: `Content-Encoding: gzip` (what clients send), `deflate` and `br` are
 * decoded before parsing, the body limit counting the decoded bytes (a small bomb is still a 413);
 * any other encoding is a 415 that names it. A body that is not what its encoding says is a 400.
 */
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { RallyError } from '@rally/errors';
import fp from 'fastify-plugin';

const DECODERS: Record<string, () => Transform> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

export const contentEncodings = fp(async function contentEncodings(app: FastifyInstance): Promise<void> {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const header = request.headers['content-encoding'];
    if (header === undefined) return payload;
    const encoding = header.trim().toLowerCase();
    if (encoding === '' || encoding === 'identity') return payload;
    const decoder = DECODERS[encoding];
    if (!decoder) {
      throw new RallyError('REQUEST_MEDIA_TYPE', `Content-Encoding ${JSON.stringify(header.slice(0, 40))} is not supported: send the body as it is, or gzip, deflate or br.`);
    }
    return decoded(payload, decoder(), encoding);
  });
}, { name: 'rally-content-encodings', fastify: '5.x' });

/** The payload through `decoder`; its errors as 400s; the raw length for Fastify's Content-Length check. */
function decoded(payload: Readable, decoder: Transform, encoding: string): Readable {
  const out = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (out.receivedEncodedLength += chunk.length));
  payload.on('error', (error) => out.destroy(error));
  decoder.on('error', (error) => out.destroy(new RallyError('REQUEST_MALFORMED', `The body is not valid ${encoding} data (${error.message}).`, { cause: error })));
  payload.pipe(decoder).pipe(out);
  return out;
}
