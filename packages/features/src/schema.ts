import { CONTRACT, type ColumnSpec, type DataContract, inputColumns } from './contract.ts';
import { checkValue, describeDomain } from './cells.ts';

/** JSON Schema of one column's value, derived from the contract, with its description, unit and example. */
function columnSchema(column: ColumnSpec): Record<string, unknown> {
  const docs = {
    ...(column.description ? { description: column.unit ? `${column.description} Unit: ${column.unit}.` : column.description } : {}),
    ...(column.example !== undefined ? { example: column.example } : {}),
  };
  switch (column.type) {
    case 'boolean':
      return { type: 'boolean', ...docs };
    case 'category':
    case 'target':
      return { type: 'string', enum: column.categories, ...docs };
    case 'identifier':
      return { type: 'integer', minimum: column.min ?? 0, ...docs };
    default:
      return { type: column.type === 'integer' ? 'integer' : 'number', minimum: column.min, maximum: column.max, ...docs };
  }
}

/**
 * JSON Schema of a data point: exactly the input columns, none null. The HTTP API validates
 * requests with it (Ajv) and its API document shows it; checkPoint applies the same rules.
 */
export function pointSchema(contract: DataContract = CONTRACT): Record<string, unknown> {
  const columns = inputColumns(contract);
  return {
    type: 'object',
    description: 'One tennis point: the measurements of its last two shots and of both players, every input column of the data contract.',
    additionalProperties: false,
    required: columns.map((column) => column.name),
    properties: Object.fromEntries(columns.map((column) => [column.name, columnSchema(column)])),
  };
}

/** A real data point (the ground truth's first row, target removed), for documentation. */
export function examplePoint(contract: DataContract = CONTRACT): Record<string, unknown> {
  return Object.fromEntries(inputColumns(contract).map((column) => [column.name, column.example]));
}

/** What a JSON point's field must be: the contract's domain, booleans in JSON's spelling (the CSV's is True/False). */
const jsonDomain = (column: ColumnSpec) => (column.type === 'boolean' ? 'a JSON boolean, true or false (not a string)' : describeDomain(column));

/** What is wrong with one field of point `index`, in one sentence (`value` is known to break the column's rules). */
export function fieldProblem(index: number, column: ColumnSpec, value: unknown): string {
  if (value === null || value === undefined) return `Point ${index} field "${column.name}" is null; it must be ${jsonDomain(column)}.`;
  return `Point ${index} field "${column.name}" is ${describeValue(value)}; it must be ${jsonDomain(column)}.`;
}

export const missingFieldProblem = (index: number, name: string) => `Point ${index} is missing field "${name}".`;
export const unknownFieldProblem = (index: number, name: string) => `Point ${index} has unknown field ${describeValue(name)}.`;

/**
 * Checks one JSON point against the contract and says what is wrong in one sentence naming the
 * point's index and the field, or returns null when it is valid. The same rules as CSV validation.
 */
export function checkPoint(point: unknown, index: number, contract: DataContract = CONTRACT): string | null {
  if (typeof point !== 'object' || point === null || Array.isArray(point)) return `Point ${index} must be an object.`;
  const columns = inputColumns(contract);
  const record = point as Record<string, unknown>;
  for (const column of columns) {
    if (!Object.hasOwn(record, column.name)) return missingFieldProblem(index, column.name);
    if (checkValue(column, record[column.name]).kind !== 'value') return fieldProblem(index, column, record[column.name]);
  }
  const known = new Set(columns.map((column) => column.name));
  const extra = Object.keys(record).find((key) => !known.has(key));
  if (extra !== undefined) return unknownFieldProblem(index, extra);
  return null;
}

/**
 * A client's value in a message: short whatever it is (strings cut at 40 characters, arrays and
 * objects named, never serialized: they can be huge or nested thousands deep).
 */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}
