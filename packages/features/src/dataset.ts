/**
 * @rally/features/dataset: data files as arquero tables, for training and comparing models. A
 * separate entry point, so that serving predictions never loads arquero (about 20 MB a process).
 */
export { loadDataset, loadDatasetFromBytes, tableToBatch } from './load.ts';
export type { Dataset } from './load.ts';
