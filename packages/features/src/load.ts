import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { CONTRACT, type DataContract } from './contract.ts';
import { streamCsvFile } from './csv.ts';
import { CsvRecordReader } from './csv-reader.ts';
import { ExtractionChecker, invalidDataError, type LeanData, type ValidationReport } from './validate.ts';
import type { RowBatch } from './features/transformer.ts';

export interface Dataset {
  /**
   * Every row, column by column in contract order, as the feature union reads them: a Float64Array
   * per number column; booleans (`True`/`False`), and the contract's own strings for categories.
   */
  batch: RowBatch;
  /** The sha256 of the bytes the rows were read from (a run's copy of the file is checked against it). */
  sha256: string;
  fileName: string;
  report: ValidationReport;
}

/**
 * Reads a CSV, validates it against the contract and loads its columns, in one pass over the file:
 * streamed, checked a record at a time, kept as lean typed columns (no record or cell string is
 * held). Invalid data is refused.
 */
export function loadDataset(path: string, contract: DataContract = CONTRACT): Dataset {
  const checker = new ExtractionChecker(contract, 'typed');
  const hash = createHash('sha256');
  const { notes } = streamCsvFile(path, checker, (chunk) => hash.update(chunk));
  return datasetOf(checker.finish(path, notes), hash.digest('hex'), path, contract);
}

/** The same from bytes already in memory (a dataset fetched from the model store); `source` names it in messages. */
export function loadDatasetFromBytes(bytes: Buffer, source: string, contract: DataContract = CONTRACT): Dataset {
  const checker = new ExtractionChecker(contract, 'typed');
  const reader = new CsvRecordReader(source, checker);
  reader.push(bytes);
  const { notes } = reader.end();
  return datasetOf(checker.finish(source, notes), createHash('sha256').update(bytes).digest('hex'), source, contract);
}

function datasetOf({ report, data }: { report: ValidationReport; data: LeanData }, sha256: string, source: string, contract: DataContract): Dataset {
  if (!report.valid) throw invalidDataError(report);
  // Contract order, whatever the file's column order.
  const columns = Object.fromEntries(contract.columns.map((column) => [column.name, data.columns[column.name]])) as RowBatch['columns'];
  return { batch: { rows: data.rows, columns }, sha256, fileName: basename(source), report };
}
