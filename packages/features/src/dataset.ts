/**
 * @rally/features/dataset: data files loaded for training and comparing models, validated in the
 * same pass and kept as lean typed columns (a RowBatch the feature union reads as it is).
 */
export { loadDataset, loadDatasetFromBytes, STREAM_CHUNK_ROWS, streamDataset } from './load.ts';
export type { Dataset } from './load.ts';
