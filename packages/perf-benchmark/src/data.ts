import { CONTRACT, type RowBatch, selectRows, selectValues } from '@rally/features';
import { loadDatasetFromBytes } from '@rally/features/dataset';
import { SPLIT, stratifiedSplit } from '@rally/train';

/** A dataset read from bytes (a store artifact or a run's dataset.csv), validated against the contract. */
export interface BenchmarkDataset {
  sha256: string;
  /** All rows, columns in contract order (what `loadDataset(...).batch` gives). */
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
 * Loads CSV bytes exactly as training loads a file (features' loadDatasetFromBytes: same contract,
 * typed values and row order), so a model evaluated on them sees the rows it was trained on.
 * Unreadable or invalid data throws the features package's one-sentence errors.
 */
export function datasetFromBytes(bytes: Buffer, source: string): BenchmarkDataset {
  const { batch, sha256 } = loadDatasetFromBytes(bytes, source);
  return { sha256, batch, labels: Array.from(batch.columns[CONTRACT.target] as Iterable<string>) };
}

/** The stratified train/test split every rally run uses (SPLIT unless told otherwise). */
export function splitDataset(dataset: BenchmarkDataset, testSize: number = SPLIT.testSize, seed: number = SPLIT.seed): SplitData {
  const { train, test } = stratifiedSplit(dataset.labels, testSize, seed);
  return {
    train,
    test,
    trainBatch: selectRows(dataset.batch, train),
    testBatch: selectRows(dataset.batch, test),
    trainLabels: selectValues(dataset.labels, train),
    testLabels: selectValues(dataset.labels, test),
  };
}
