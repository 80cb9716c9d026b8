import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3 {
  endpoint: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * An S3 endpoint in this process that counts the requests it gets: it answers each with an S3
 * AccessDenied error, or (answer: false) never, as an unreachable store behind a firewall would.
 */
export async function fakeS3({ answer = true } = {}): Promise<FakeS3> {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests += 1;
    if (!answer) return;
    response.writeHead(403, { 'content-type': 'application/xml' });
    response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
