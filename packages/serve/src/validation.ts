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

/** An Ajv for request schemas: strict schemas, no coercion, no defaults, nothing removed. */
function requestAjv(allErrors: boolean): Ajv {
  const ajv = new Ajv({ allErrors, strict: true, coerceTypes: false, useDefaults: false, removeAdditional: false, keywords: ['example'] });
  ajv.addSchema(dataPointSchema());
  return ajv;
}

const COLUMNS = new Map<string, ColumnSpec>(inputColumns().map((column) => [column.name, column]));
const COLUMN_ORDER = new Map<string, number>([...COLUMNS.keys()].map((name, index) => [name, index]));

/**
 * The request check of the prediction routes: returns a body's points, or throws one RallyError
 * listing its problems (`details`). PredictRequest, with DataPoint, decides (Ajv, stopping at the
 * first error: the fast verdict). Only a body that fails is examined again, point by point with
 * every error collected, and at most MAX_LISTED_PROBLEMS are described: Ajv's allErrors on a
 * hostile body (a point with 100,000 unknown fields) would otherwise build an error per field.
 */
export function requestValidator(limits: Limits): (body: unknown) => unknown[] {
  const firstError = requestAjv(false);
  const verdict = firstError.compile(predictRequestSchema(limits));
  const check = { everyError: requestAjv(true).getSchema(DATA_POINT)!, firstError: firstError.getSchema(DATA_POINT)! };
  return (body) => {
    if (verdict(body)) {
      const data = (body as { data: unknown }).data;
      return Array.isArray(data) ? data : [data];
    }
    throw requestError(body, check, limits);
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function requestError(body: unknown, check: { everyError: ValidateFunction; firstError: ValidateFunction }, limits: Limits): RallyError {
  if (!isObject(body) || !Object.hasOwn(body, 'data')) {
    return invalid('REQUEST_INVALID', MISSING_DATA_KEY, [{ point: null, field: 'data', problem: MISSING_DATA_KEY }]);
  }
  const data = body.data;
  if (Array.isArray(data) && data.length > limits.maxBatch) {
    return new RallyError('REQUEST_TOO_LARGE', `A batch holds at most ${limits.maxBatch} points; this one has ${data.length}.`);
  }
  if (Array.isArray(data) && data.length === 0) return invalid('REQUEST_INVALID', EMPTY_BATCH, [{ point: null, field: 'data', problem: EMPTY_BATCH }]);
  if (!isObject(data) && !Array.isArray(data)) return invalid('REQUEST_INVALID', ILL_FORMED_DATA, [{ point: null, field: 'data', problem: ILL_FORMED_DATA }]);
  const points: unknown[] = Array.isArray(data) ? data : [data];
  const notObjects = points.flatMap((point, index) => (isObject(point) ? [] : [{ point: index, field: null, problem: `Point ${index} must be an object.` }]));
  if (notObjects.length > 0) return invalid('REQUEST_INVALID', ILL_FORMED_DATA, notObjects);
  const problems: RequestProblem[] = [];
  let more = false;
  for (const [index, point] of (points as Record<string, unknown>[]).entries()) {
    if (problems.length >= MAX_LISTED_PROBLEMS) {
      // Enough to list: only whether there are more (the first error of a point is enough to know).
      more ||= !check.firstError(point);
      if (more) break;
      continue;
    }
    // The contract's fields and at most MAX_LISTED_PROBLEMS others: the same problems, bounded work.
    const keys = Object.keys(point);
    const unknown = keys.filter((key) => !COLUMNS.has(key));
    const kept = new Set(unknown.slice(0, MAX_LISTED_PROBLEMS));
    const checked = unknown.length > MAX_LISTED_PROBLEMS ? Object.fromEntries(keys.filter((key) => COLUMNS.has(key) || kept.has(key)).map((key) => [key, point[key]])) : point;
    if (checked !== point) more = true;
    if (!check.everyError(checked)) problems.push(...pointProblems(index, point, check.everyError.errors ?? []));
  }
  more ||= problems.length > MAX_LISTED_PROBLEMS;
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  return invalid('PREDICT_INVALID_POINT', summary(listed, more), listed);
}

/** Ajv's errors for one point as one problem per field, in contract order, unknown fields last. */
function pointProblems(index: number, point: Record<string, unknown>, errors: readonly ErrorObject[]): RequestProblem[] {
  // A field's problem is one sentence however many of its rules fail (a set again keeps its place).
  const byField = new Map<string, string>();
  for (const error of errors) {
    if (error.instancePath !== '') {
      // A value's errors are about contract columns only: unknown fields are reported at the point.
      const field = unescapePointer(error.instancePath.slice(1).split('/')[0]);
      byField.set(field, fieldProblem(index, COLUMNS.get(field)!, point[field]));
    } else if (error.keyword === 'required') {
      const field = String(error.params.missingProperty);
      byField.set(field, missingFieldProblem(index, field));
    } else if (error.keyword === 'additionalProperties') {
      const field = String(error.params.additionalProperty);
      byField.set(field, unknownFieldProblem(index, field));
    }
  }
  const order = (field: string) => COLUMN_ORDER.get(field) ?? COLUMNS.size;
  return [...byField]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([field, problem]) => ({ point: index, field, problem }));
}

/** The first problem in words, and how many more: `message` stays one readable sentence or two. */
function summary(problems: readonly RequestProblem[], more: boolean): string {
  const rest = problems.length - 1;
  const listed = rest === 0 ? problems[0].problem : `${problems[0].problem} ${rest} more problem${rest > 1 ? 's' : ''} in "errors".`;
  return more ? `${listed} Only the first ${MAX_LISTED_PROBLEMS} problems are listed; there are more.` : listed;
}

function invalid(code: 'REQUEST_INVALID' | 'PREDICT_INVALID_POINT', message: string, problems: RequestProblem[]): RallyError {
  return new RallyError(code, message, { details: problems.slice(0, MAX_LISTED_PROBLEMS) });
}

/** JSON Pointer segment to a field name (`~1` is `/`, `~0` is `~`). */
function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
