import { CONTRACT, invalidDataError, parseCsv, type RowBatch, selectRows, validateCsvText } from '@rally/features';
import { sha256Hex } from '@rally/model-store';
import { SPLIT, stratifiedSplit } from '@rally/train';

/** A dataset read from bytes (a store artifact or a run's dataset.csv), validated against the contract. */
export interface BenchmarkDataset {
  sha256: string;
  /** All rows, columns in contract order (what `tableToBatch(loadDataset(...).table)` gives). */
  batch: RowBatch;
  labels: string[];
}

/** The train/test parts of a dataset under one split (the training split: stratified, seed 42, 20 % test). */
export interface SplitData {
  train: Int32Array;
  test: Int32Array;
  trainBatch: RowBatch;
  testBatch: RowBatch;
  trainLabels: string[];
  testLabels: string[];
}

/**
 * Parses and validates CSV bytes like `loadDataset` does for a file (same contract, same typed
 * values, same row order), so a model evaluated on them sees exactly the rows it was trained on.
 * Unreadable or invalid data throws the features package's one-sentence errors.
 */
export function datasetFromBytes(bytes: Buffer, source: string): BenchmarkDataset {
  const { report, data } = validateCsvText(parseCsv(bytes, source), source, CONTRACT);
  if (!report.valid) throw invalidDataError(report);
  const columns = Object.fromEntries(CONTRACT.columns.map((column) => [column.name, data.columns[column.name]]));
  const batch: RowBatch = { rows: data.rows, columns } as RowBatch;
  const labels = Array.from(batch.columns[CONTRACT.target] as ArrayLike<string>);
  return { sha256: sha256Hex(bytes), batch, labels };
}

/** The labels at `indices`, in that order. */
export const pick = (labels: readonly string[], indices: ArrayLike<number>) => Array.from(indices, (i) => labels[i]);

/** The stratified train/test split every rally run uses (SPLIT unless told otherwise). */
export function splitDataset(dataset: BenchmarkDataset, testSize: number = SPLIT.testSize, seed: number = SPLIT.seed): SplitData {
  const { train, test } = stratifiedSplit(dataset.labels, testSize, seed);
  return {
    train,
    test,
    trainBatch: selectRows(dataset.batch, train),
    testBatch: selectRows(dataset.batch, test),
    trainLabels: pick(dataset.labels, train),
    testLabels: pick(dataset.labels, test),
  };
}
