/**
 * Answers to requests Node's HTTP parser refuses before Fastify sees them (framing, header size,
 * timeouts), in the API's error format, each message saying what was wrong. Fastify's own answer
 * is `{"error", "message": "Client Error", "statusCode"}` whatever the cause.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '@rally/errors';

interface ParserError extends Error {
  code?: string;
  /** llhttp's reason, e.g. "Invalid character in chunk size". */
  reason?: string;
}

/** The answer for one parser error: status, code and a sentence. */
export function clientErrorAnswer(error: ParserError): { status: number; code: ErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'REQUEST_HEADERS_TOO_LARGE', message: `The request headers are larger than ${maxHeaderSize} bytes in all.` };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time: its headers or its body took too long.' };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code: 'REQUEST_MALFORMED', message: 'The request has two Content-Length headers; send one.' };
    case 'HPE_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'REQUEST_MALFORMED', message: 'The request has a Content-Length that is not a number of bytes.' };
    case 'HPE_INVALID_CHUNK_SIZE':
      return { status: 400, code: 'REQUEST_MALFORMED', message: 'The chunked body has an invalid chunk size (not hexadecimal).' };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return /Content-Length/i.test(error.reason ?? '')
        ? { status: 400, code: 'REQUEST_MALFORMED', message: 'The request has both Content-Length and Transfer-Encoding; send one of them.' }
        : { status: 400, code: 'REQUEST_MALFORMED', message: 'The request has a Transfer-Encoding other than chunked (last).' };
    default: {
      const why = error.reason ?? error.code ?? error.message;
      return { status: 400, code: 'REQUEST_MALFORMED', message: `The request is not valid HTTP/1.1 (${why}).` };
    }
  }
}

/** Fastify's clientErrorHandler: the answer written on the socket, then the connection closed. */
export function answerClientError(error: ParserError, socket: Socket): void {
  // A client that went away needs no answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = clientErrorAnswer(error);
  const body = JSON.stringify({ message, code });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
