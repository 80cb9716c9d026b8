/** Connection limits: their own module, so the cluster primary can read the defaults without loading the app. */

/** How long a connection may take to send its request, or stay idle between requests. */
export interface ConnectionLimits {
  /** Until the request headers are complete (Node's headersTimeout; 408 and closed after). */
  headersTimeoutMs: number;
  /** Until the whole request, body included, is received (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (above load balancers' idle timeouts, 60 s on AWS). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000 };
