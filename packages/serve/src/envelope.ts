import { RallyError } from '@rally/errors';
import { pointSchema } from '@rally/features';

/** Limits of one request, documented in the README and the OpenAPI document. */
export interface Limits {
  /** Largest request body in bytes (413 beyond). */
  bodyLimit: number;
  /** Most points in one batch (413 beyond). */
  maxBatch: number;
}

export const DEFAULT_LIMITS: Limits = { bodyLimit: 1024 * 1024, maxBatch: 1000 };

// The original app's messages, kept so its clients and tests keep working.
export const MISSING_DATA_KEY = "Request's body must be a JSON object with a 'data' key.";
export const ILL_FORMED_DATA = "'data' must be a single object or an array of objects. Each object must represent a valid data point.";
export const EMPTY_BATCH = "'data' is an empty array: send at least one data point.";

/** JSON Schema of the request body, for the OpenAPI document (the checks below enforce it). */
export function requestBodySchema(limits: Limits) {
  const point = pointSchema();
  return {
    type: 'object',
    required: ['data'],
    // The original read `data` and ignored the rest; its clients may send more keys.
    additionalProperties: true,
    properties: {
      data: {
        description: `One data point, or an array of 1 to ${limits.maxBatch} points.`,
        oneOf: [point, { type: 'array', minItems: 1, maxItems: limits.maxBatch, items: point }],
      },
    },
  } as const;
}

/**
 * Checks the envelope `{"data": point | [points]}` and returns the points. Each point's fields are
 * checked by the predictor against the data contract (one place for those rules).
 */
export function envelopeValidator(limits: Limits) {
  return (body: unknown): { value: unknown[] } | { error: Error } => {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.hasOwn(body, 'data')) {
      return { error: new RallyError('REQUEST_INVALID', MISSING_DATA_KEY) };
    }
    const data = (body as { data: unknown }).data;
    const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
    if (isObject(data)) return { value: [data] };
    if (!Array.isArray(data) || !data.every(isObject)) return { error: new RallyError('REQUEST_INVALID', ILL_FORMED_DATA) };
    if (data.length === 0) return { error: new RallyError('REQUEST_INVALID', EMPTY_BATCH) };
    if (data.length > limits.maxBatch) {
      return { error: new RallyError('REQUEST_TOO_LARGE', `A batch holds at most ${limits.maxBatch} points; this one has ${data.length}.`) };
    }
    return { value: data };
  };
}
