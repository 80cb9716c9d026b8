import { CONTRACT, type ColumnSpec, type DataContract, inputColumns } from './contract.ts';
import { checkValue, describeDomain } from './cells.ts';

/** JSON Schema of one column's value, derived from the contract. */
function columnSchema(column: ColumnSpec): Record<string, unknown> {
  switch (column.type) {
    case 'boolean':
      return { type: 'boolean' };
    case 'category':
    case 'target':
      return { type: 'string', enum: column.categories };
    case 'identifier':
      return { type: 'integer', minimum: column.min ?? 0, description: 'Identifier of the point (echoed, not a feature).' };
    default:
      return { type: column.type === 'integer' ? 'integer' : 'number', minimum: column.min, maximum: column.max };
  }
}

/** JSON Schema of a data point: exactly the input columns, none null (the HTTP API and OpenAPI use it). */
export function pointSchema(contract: DataContract = CONTRACT): Record<string, unknown> {
  const columns = inputColumns(contract);
  return {
    type: 'object',
    additionalProperties: false,
    required: columns.map((column) => column.name),
    properties: Object.fromEntries(columns.map((column) => [column.name, columnSchema(column)])),
  };
}

/**
 * Checks one JSON point against the contract and says what is wrong in one sentence naming the
 * point's index and the field, or returns null when it is valid. The same rules as CSV validation.
 */
export function checkPoint(point: unknown, index: number, contract: DataContract = CONTRACT): string | null {
  const where = `Point ${index}`;
  if (typeof point !== 'object' || point === null || Array.isArray(point)) return `${where} must be an object.`;
  const columns = inputColumns(contract);
  const record = point as Record<string, unknown>;
  for (const column of columns) {
    if (!Object.hasOwn(record, column.name)) return `${where} is missing field "${column.name}".`;
    const cell = checkValue(column, record[column.name]);
    if (cell.kind === 'null') return `${where} field "${column.name}" is null; it must be ${describeDomain(column)}.`;
    if (cell.kind === 'violation') {
      return `${where} field "${column.name}" is ${describeValue(record[column.name])}; it must be ${describeDomain(column)}.`;
    }
  }
  const known = new Set(columns.map((column) => column.name));
  const extra = Object.keys(record).find((key) => !known.has(key));
  if (extra !== undefined) return `${where} has unknown field ${describeValue(extra)}.`;
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
