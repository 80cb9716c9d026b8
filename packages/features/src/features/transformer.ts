import { RallyError } from '@rally/errors';
import type { CellValue } from '../cells.ts';
import { cellAt, CodedColumn, type Column } from '../coded-column.ts';

/** Rows held column by column: the form loaded data files (lean typed columns) and JSON batches both map to cheaply. */
export interface RowBatch {
  rows: number;
  columns: Readonly<Record<string, Column>>;
}

/**
 * One named feature. Like a scikit-learn transformer: `fit` learns from training rows only,
 * `transform` is pure and writes the feature's columns into a shared row-major matrix.
 */
export interface FeatureTransformer {
  /** Raw columns it reads (checked before transform). */
  readonly inputColumns: readonly string[];
  fit(batch: RowBatch): void;
  readonly fitted: boolean;
  /** Names of its output columns (known after fit for learned encodings). */
  outputNames(): string[];
  /** Writes row r's outputs at out[r * stride + offset + j]. */
  transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void;
  /** Learned state, JSON-serializable; null for stateless features. */
  getState(): unknown;
  setState(state: unknown): void;
}

export function column(batch: RowBatch, name: string): Column {
  const values = batch.columns[name];
  if (values === undefined) throw new RallyError('FEATURE_BAD_INPUT', `Input rows have no column "${name}".`);
  if (values.length !== batch.rows) {
    throw new RallyError('FEATURE_BAD_INPUT', `Column "${name}" has ${values.length} values for ${batch.rows} rows.`);
  }
  return values;
}

export function numberAt(values: Column, row: number, name: string): number {
  const value = cellAt(values, row);
  // NaN is how a lean (Float64Array) column holds a missing value: missing, like null.
  if (typeof value !== 'number' || Number.isNaN(value)) throw badValue(name, row, value, 'a number');
  return value;
}

export function booleanAt(values: Column, row: number, name: string): boolean {
  const value = cellAt(values, row);
  if (typeof value !== 'boolean') throw badValue(name, row, value, 'a boolean');
  return value;
}

function badValue(name: string, row: number, value: unknown, expected: string): RallyError {
  return new RallyError('FEATURE_BAD_INPUT', `Column "${name}" row ${row} is ${JSON.stringify(value) ?? String(value)}, expected ${expected}.`);
}

/** Base for features that learn nothing. */
export abstract class StatelessFeature implements FeatureTransformer {
  abstract readonly inputColumns: readonly string[];
  readonly fitted = true;
  fit(): void {}
  abstract outputNames(): string[];
  abstract transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void;
  getState(): null {
    return null;
  }
  setState(): void {}
}

/** The values at `indices`, in that order (the labels of a train/test part or a CV fold). */
export function selectValues<T>(values: readonly T[], indices: ArrayLike<number>): T[] {
  return Array.from(indices, (i) => values[i]);
}

/** The rows at `indices`, in that order (train/test parts, CV folds). */
export function selectRows(batch: RowBatch, indices: ArrayLike<number>): RowBatch {
  const columns: Record<string, Column> = {};
  for (const [name, values] of Object.entries(batch.columns)) {
    // Lean columns stay lean: a number column 8 bytes a value (no boxed numbers), a coded one a byte.
    if (values instanceof CodedColumn) {
      columns[name] = values.select(indices);
      continue;
    }
    const picked = values instanceof Float64Array ? new Float64Array(indices.length) : new Array<CellValue>(indices.length);
    for (let i = 0; i < indices.length; i += 1) picked[i] = values[indices[i]];
    columns[name] = picked;
  }
  return { rows: indices.length, columns };
}
