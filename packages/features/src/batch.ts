import type { CellValue } from './cells.ts';
import type { RowBatch } from './features/transformer.ts';

/** Points as JSON objects (the HTTP API, generators) to a column batch. */
export function pointsToBatch(points: readonly Record<string, unknown>[], names: readonly string[]): RowBatch {
  const columns: Record<string, CellValue[]> = {};
  for (const name of names) columns[name] = points.map((point) => point[name] as CellValue);
  return { rows: points.length, columns };
}

