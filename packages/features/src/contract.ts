import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RallyError } from '@rally/errors';

/**
 * The data contract of the raw extraction: one entry per column with its type, nullability and
 * domain. It is derived from the ground truth (`pnpm contract:derive`), checked in as JSON for
 * review, and is the single source of columns and types for loading, validation, the HTTP schema
 * and the data generators.
 */
export type ColumnType = 'integer' | 'float' | 'boolean' | 'category' | 'identifier' | 'target';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** category and target: the allowed values, sorted. */
  categories?: string[];
  /** integer, float, identifier: enforced bounds (inclusive). */
  min?: number;
  max?: number;
  /** identifier: no two rows share a value. */
  unique?: boolean;
  /** What the ground truth showed (documentation and generators; not enforced). */
  observed?: { min: number; max: number };
  /** What the column means (documentation: the API document shows it). */
  description?: string;
  /** SI unit of a measurement. */
  unit?: string;
  /** The value in the ground truth's first row: together, a real data point for documentation. */
  example?: number | boolean | string;
}

export interface DataContract {
  kind: 'rally.DataContract';
  formatVersion: 1;
  derivedFrom: { file: string; sha256: string; rows: number };
  /** How bounds were widened from what was observed, in words, for the reviewer. */
  policy: string;
  target: string;
  columns: ColumnSpec[];
}

export const CONTRACT_PATH = fileURLToPath(new URL('../contract/australian_open.contract.json', import.meta.url));

export function parseContract(json: unknown): DataContract {
  const contract = json as DataContract;
  if (contract?.kind !== 'rally.DataContract' || contract.formatVersion !== 1 || !Array.isArray(contract.columns)) {
    throw new RallyError('CONTRACT_INVALID', 'The data contract is not a rally.DataContract of format version 1.');
  }
  const names = new Set<string>();
  for (const column of contract.columns) {
    if (names.has(column.name)) throw new RallyError('CONTRACT_INVALID', `The data contract lists column "${column.name}" twice.`);
    names.add(column.name);
    if ((column.type === 'category' || column.type === 'target') && !column.categories?.length) {
      throw new RallyError('CONTRACT_INVALID', `The data contract gives no categories for "${column.name}".`);
    }
  }
  if (!names.has(contract.target)) throw new RallyError('CONTRACT_INVALID', `The data contract's target "${contract.target}" is not one of its columns.`);
  return contract;
}

export function loadContract(path = CONTRACT_PATH): DataContract {
  return parseContract(JSON.parse(readFileSync(path, 'utf8')));
}

/** The checked-in contract for the Australian Open extraction. */
export const CONTRACT: DataContract = loadContract();

/** Columns a client sends to get a prediction: every column but the target (`id` included, as in the original). */
export function inputColumns(contract: DataContract = CONTRACT): ColumnSpec[] {
  return contract.columns.filter((column) => column.type !== 'target');
}

export function targetColumn(contract: DataContract = CONTRACT): ColumnSpec {
  return contract.columns.find((column) => column.name === contract.target)!;
}

export function columnSpec(name: string, contract: DataContract = CONTRACT): ColumnSpec {
  const spec = contract.columns.find((column) => column.name === name);
  if (!spec) throw new RallyError('CONTRACT_INVALID', `The data contract has no column "${name}".`);
  return spec;
}
