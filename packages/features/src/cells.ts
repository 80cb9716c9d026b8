import type { ColumnSpec } from './contract.ts';

/** Values of a typed column once parsed. */
export type CellValue = number | boolean | string;

/** Spellings of a missing value that extraction tools write (pandas, R, SQL dumps). */
const NULL_TOKENS = new Set(['', 'NA', 'N/A', 'null', 'NULL', 'None', 'nan']);
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export function isNullToken(raw: string): boolean {
  return NULL_TOKENS.has(raw.trim());
}

export type ParsedCell =
  | { kind: 'value'; value: CellValue }
  | { kind: 'null' }
  | { kind: 'violation'; rule: 'type' | 'finite' | 'range' | 'category' };

/** Whether a column's cells parse to numbers (integer, float, identifier). */
export function isNumericColumn(spec: ColumnSpec): boolean {
  return spec.type === 'integer' || spec.type === 'float' || spec.type === 'identifier';
}

/** Parses one CSV cell according to its column's contract, naming the rule it breaks if any. */
export function parseCell(spec: ColumnSpec, raw: string): ParsedCell {
  // `nan` is a null token for text columns only: in a numeric column it is a non-finite number.
  if (isNumericColumn(spec) && NON_FINITE.test(raw.trim())) return { kind: 'violation', rule: 'finite' };
  if (isNullToken(raw)) return { kind: 'null' };
  switch (spec.type) {
    case 'boolean':
      if (raw === 'True') return { kind: 'value', value: true };
      if (raw === 'False') return { kind: 'value', value: false };
      return { kind: 'violation', rule: 'type' };
    case 'category':
    case 'target':
      return spec.categories!.includes(raw) ? { kind: 'value', value: raw } : { kind: 'violation', rule: 'category' };
    default: {
      const value = Number(raw);
      // Blank cells never get here: they are null tokens.
      if (Number.isNaN(value)) return { kind: 'violation', rule: 'type' };
      // checkValue goes on as for a JSON number: finite, integral where it must be, within bounds.
      return checkValue(spec, value);
    }
  }
}

/**
 * Checks an already-typed value (a JSON point, a generated row) against its column: the same rules
 * as for CSV cells, so the HTTP API and file validation cannot disagree.
 */
export function checkValue(spec: ColumnSpec, value: unknown): ParsedCell {
  if (value === null || value === undefined) return { kind: 'null' };
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? { kind: 'value', value } : { kind: 'violation', rule: 'type' };
    case 'category':
    case 'target':
      if (typeof value !== 'string') return { kind: 'violation', rule: 'type' };
      return spec.categories!.includes(value) ? { kind: 'value', value } : { kind: 'violation', rule: 'category' };
    default:
      if (typeof value !== 'number') return { kind: 'violation', rule: 'type' };
      if (!Number.isFinite(value)) return { kind: 'violation', rule: 'finite' };
      if (spec.type !== 'float' && !Number.isInteger(value)) return { kind: 'violation', rule: 'type' };
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return { kind: 'violation', rule: 'range' };
      }
      return { kind: 'value', value };
  }
}

/** Human words for a column's expected values, used in error messages and the CLI table. */
export function describeDomain(spec: ColumnSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'True or False';
    case 'category':
    case 'target':
      return `one of ${spec.categories!.join(', ')}`;
    case 'identifier':
      return `an integer >= ${spec.min ?? 0}${spec.unique ? ', unique' : ''}`;
    default: {
      const kind = spec.type === 'integer' ? 'an integer' : 'a finite number';
      return `${kind} in [${spec.min}, ${spec.max}]`;
    }
  }
}
