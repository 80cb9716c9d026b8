/**
 * One error catalogue for the whole workspace (the Fastify habit): every error rally raises
 * on purpose has a stable code, an HTTP-style status and a one-sentence message. CLIs print the
 * message (never a stack trace); the HTTP layer exposes the message only for statuses below 500.
 */
export const ERROR_CATALOGUE = {
  // data contract and loading
  DATA_UNREADABLE: { statusCode: 400, description: 'A data file cannot be read or parsed as CSV.' },
  DATA_INVALID: { statusCode: 400, description: 'Data violates the data contract.' },
  DATA_CHANGED: { statusCode: 409, description: 'A data file changed while it was being used (training on it).' },
  DATA_INSUFFICIENT: { statusCode: 400, description: 'Valid data with too few rows or classes for what was asked (a split, cross-validation).' },
  CONTRACT_INVALID: { statusCode: 500, description: 'The data contract file itself is malformed.' },
  // features
  FEATURE_NOT_FITTED: { statusCode: 500, description: 'A transformer was used before fit.' },
  FEATURE_BAD_INPUT: { statusCode: 400, description: 'Rows passed to a transformer miss a column or have a wrong type.' },
  FEATURE_DUPLICATE_NAME: { statusCode: 500, description: 'Two transformers in a union share a name.' },
  // estimator and serialized models
  ESTIMATOR_NOT_FITTED: { statusCode: 500, description: 'An estimator was used before fit.' },
  ESTIMATOR_BAD_PARAMS: { statusCode: 400, description: 'Invalid estimator hyperparameters.' },
  ESTIMATOR_BAD_INPUT: { statusCode: 400, description: 'Training or prediction input has the wrong shape or values.' },
  MODEL_FORMAT: { statusCode: 500, description: 'A serialized model has the wrong kind or format version.' },
  MODEL_CHECK_FAILED: { statusCode: 500, description: 'A model failed the check every model passes before it is used: it could not answer.' },
  MODEL_TOO_LARGE: { statusCode: 500, description: 'A model artifact is larger than MODEL_MAX_BYTES; it was not read.' },
  // model store and cache
  STORE_UNKNOWN_MODEL: { statusCode: 404, description: 'No model with that id in the store or in output/.' },
  STORE_NO_PRODUCTION: { statusCode: 503, description: 'The store has no production model yet.' },
  STORE_UNREACHABLE: { statusCode: 503, description: 'The store endpoint cannot be reached.' },
  STORE_ACCESS_DENIED: { statusCode: 503, description: 'The store refused the credentials.' },
  STORE_NO_BUCKET: { statusCode: 503, description: 'The configured bucket does not exist.' },
  STORE_CHECKSUM_MISMATCH: { statusCode: 500, description: 'An artifact does not match its recorded sha256.' },
  STORE_CORRUPTED: { statusCode: 500, description: 'A stored artifact cannot be parsed.' },
  STORE_CONFIG: { statusCode: 400, description: 'MODEL_STORE or related configuration is invalid.' },
  STORE_CONFLICT: { statusCode: 409, description: 'Another promotion changed production at the same time; this one changed nothing.' },
  // command lines
  CLI_USAGE: { statusCode: 400, description: 'Unknown or malformed command-line flags.' },
  CLI_INPUT: { statusCode: 400, description: 'Points given to a command are not JSON, or cannot be read.' },
  CLI_OUTPUT: { statusCode: 500, description: 'A file a command was asked to write cannot be written.' },
  // prediction service
  SERVER_CONFIG: { statusCode: 400, description: 'PORT, HOST, WORKERS or another server setting is invalid.' },
  REQUEST_MALFORMED: { statusCode: 400, description: 'The request body is not valid JSON, is empty, or is nested too deep.' },
  REQUEST_INVALID: { statusCode: 400, description: 'The request body is not {"data": point | [points]}.' },
  REQUEST_MEDIA_TYPE: { statusCode: 415, description: 'The request body is not application/json.' },
  REQUEST_BODY_TOO_LARGE: { statusCode: 413, description: 'The request body is larger than the server accepts.' },
  REQUEST_HEADERS_TOO_LARGE: { statusCode: 431, description: 'The request headers are larger than the server accepts.' },
  REQUEST_TIMEOUT: { statusCode: 408, description: 'The request did not arrive in time (HEADERS_TIMEOUT_SECONDS, REQUEST_TIMEOUT_SECONDS).' },
  SERVER_DRAINING: { statusCode: 503, description: 'The server is shutting down: retry (another instance answers).' },
  ROUTE_NOT_FOUND: { statusCode: 404, description: 'No route has this path.' },
  METHOD_NOT_ALLOWED: { statusCode: 405, description: 'The route exists, for another HTTP method.' },
  INTERNAL_ERROR: { statusCode: 500, description: 'An unexpected failure (the server log has the details, under the request id).' },
  REQUEST_TOO_LARGE: { statusCode: 413, description: 'A batch holds more points than the server accepts.' },
  PREDICT_NO_MODEL: { statusCode: 503, description: 'No production model is loaded yet.' },
  PREDICT_INVALID_POINT: { statusCode: 400, description: 'A data point does not follow the input schema.' },
  PREDICT_FAILED: { statusCode: 500, description: 'Prediction itself failed.' },
} as const satisfies Record<string, { statusCode: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class RallyError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Structured detail for machine consumers (validation reports, offending field, ...). */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RallyError';
    this.code = code;
    this.statusCode = ERROR_CATALOGUE[code].statusCode;
    this.details = options.details;
  }
}

export function isRallyError(error: unknown, code?: ErrorCode): error is RallyError {
  return error instanceof RallyError && (code === undefined || error.code === code);
}

/** One sentence for a terminal: the message of a known error, a generic line otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof RallyError) return error.message;
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}
