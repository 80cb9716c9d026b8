/**
 * Request validation, once, by the schema the API document shows: `{"data": point | [points]}`
 * with each point the contract's DataPoint schema, compiled by Ajv with every error collected
 * (allErrors) and nothing coerced or removed. Ajv says where the body is wrong; the words come
 * from the data contract, so the HTTP API, the CLI and CSV validation describe a bad field alike.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { RallyError } from '@rally/errors';
import { fieldProblem, inputColumns, missingFieldProblem, pointSchema, unknownFieldProblem, type ColumnSpec } from '@rally/features';

/** Limits of one request, documented in the README and the API document. */
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

/** Most problems listed in one 400: the rest are counted in the message (a bad batch of 1000 points could list 25,000). */
export const MAX_LISTED_PROBLEMS = 100;

/** One problem of a request: which point (null for the body itself), which field (null for the whole point), what. */
export interface RequestProblem {
  point: number | null;
  field: string | null;
  problem: string;
}

/** Ids of the named schemas in the API document (components/schemas). */
export const DATA_POINT = 'DataPoint';
export const PREDICT_REQUEST = 'PredictRequest';

export function dataPointSchema() {
  return { $id: DATA_POINT, ...pointSchema() };
}

export function predictRequestSchema(limits: Limits) {
  return {
    $id: PREDICT_REQUEST,
    type: 'object',
    description: 'The points to predict: one data point, or an array of them (answers keep their order).',
    required: ['data'],
    // The original read `data` and ignored the rest; its clients may send more keys.
    additionalProperties: true,
    properties: {
      data: {
        description: `One data point, or an array of 1 to ${limits.maxBatch} points.`,
        oneOf: [{ $ref: `${DATA_POINT}#` }, { type: 'array', minItems: 1, maxItems: limits.maxBatch, items: { $ref: `${DATA_POINT}#` } }],
      },
    },
  } as const;
}

/** The Ajv the routes use: every error, strict schemas, no coercion, no defaults, nothing removed. */
export function requestAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false, removeAdditional: false, keywords: ['example'] });
  ajv.addSchema(dataPointSchema());
  return ajv;
}

const COLUMNS = new Map<string, ColumnSpec>(inputColumns().map((column) => [column.name, column]));

/**
 * Checks a body against the compiled PredictRequest schema; returns its points, or throws one
 * RallyError listing every problem (`details` holds the list).
 */
export function pointsOf(body: unknown, validate: ValidateFunction, limits: Limits): unknown[] {
  if (validate(body)) {
    const data = (body as { data: unknown }).data;
    return Array.isArray(data) ? data : [data];
  }
  throw requestError(body, validate.errors ?? [], limits);
}

function requestError(body: unknown, errors: readonly ErrorObject[], limits: Limits): RallyError {
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(body) || !Object.hasOwn(body as object, 'data')) {
    return invalid('REQUEST_INVALID', MISSING_DATA_KEY, [{ point: null, field: 'data', problem: MISSING_DATA_KEY }]);
  }
  const data = (body as { data: unknown }).data;
  if (Array.isArray(data) && data.length > limits.maxBatch) {
    return new RallyError('REQUEST_TOO_LARGE', `A batch holds at most ${limits.maxBatch} points; this one has ${data.length}.`);
  }
  if (Array.isArray(data) && data.length === 0) return invalid('REQUEST_INVALID', EMPTY_BATCH, [{ point: null, field: 'data', problem: EMPTY_BATCH }]);
  const points = Array.isArray(data) ? data : [data];
  const notObjects = points.flatMap((point, index) => (isObject(point) ? [] : [{ point: index, field: null, problem: `Point ${index} must be an object.` }]));
  if (!isObject(data) && (!Array.isArray(data) || notObjects.length > 0)) {
    return invalid('REQUEST_INVALID', ILL_FORMED_DATA, Array.isArray(data) ? notObjects : [{ point: null, field: 'data', problem: ILL_FORMED_DATA }]);
  }
  const problems = pointProblems(points as Record<string, unknown>[], errors, Array.isArray(data));
  return invalid('PREDICT_INVALID_POINT', summary(problems), problems);
}

/**
 * Ajv's errors as one problem per (point, field), in point then field order. Errors of the oneOf
 * branch the body did not take (an object where the array branch was tried, or the other way) are
 * dropped: they say the body is not the other shape, which it was never meant to be.
 */
function pointProblems(points: Record<string, unknown>[], errors: readonly ErrorObject[], batch: boolean): RequestProblem[] {
  const seen = new Set<string>();
  const problems: (RequestProblem & { order: number })[] = [];
  const prefix = batch ? /^\/data\/(\d+)(?:\/(.*))?$/ : /^\/data()(?:\/(.*))?$/;
  for (const error of errors) {
    const match = prefix.exec(error.instancePath);
    if (!match) continue;
    const index = batch ? Number(match[1]) : 0;
    const point = points[index];
    let field: string;
    let problem: string;
    if (match[2] !== undefined) {
      field = unescapePointer(match[2]);
      const column = COLUMNS.get(field);
      if (!column) continue;
      problem = fieldProblem(index, column, point[field]);
    } else if (error.keyword === 'required') {
      field = String(error.params.missingProperty);
      problem = missingFieldProblem(index, field);
    } else if (error.keyword === 'additionalProperties') {
      field = String(error.params.additionalProperty);
      problem = unknownFieldProblem(index, field);
    } else continue;
    const key = `${index}\u0000${field}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Contract order within a point, unknown fields last.
    problems.push({ point: index, field, problem, order: index * 1e6 + (COLUMNS.has(field) ? [...COLUMNS.keys()].indexOf(field) : 1e5) });
  }
  return problems.sort((a, b) => a.order - b.order).map(({ order: _order, ...problem }) => problem);
}

/** The first problem in words, and how many more: `message` stays one readable sentence or two. */
function summary(problems: readonly RequestProblem[]): string {
  if (problems.length === 1) return problems[0].problem;
  return `${problems[0].problem} ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in "errors".`;
}

function invalid(code: 'REQUEST_INVALID' | 'PREDICT_INVALID_POINT', message: string, problems: RequestProblem[]): RallyError {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length - listed.length;
  return new RallyError(code, more > 0 ? `${message} (${more} problems not listed.)` : message, { details: listed });
}

/** JSON Pointer segment to a field name (`~1` is `/`, `~0` is `~`). */
function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
