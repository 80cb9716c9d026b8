import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { CONTRACT, type DataContract } from './contract.ts';
import { streamCsvFile } from './csv.ts';
import { type CsvRecordHandler, CsvRecordReader } from './csv-reader.ts';
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

/** Rows per chunk of streamDataset: a few MB of typed columns. */
export const STREAM_CHUNK_ROWS = 16_384;

/**
 * Reads a CSV and validates it against the contract in one pass, as loadDataset does, but hands the
 * lean typed columns to `onChunk` every `chunkRows` rows instead of keeping them: memory that does
 * not grow with the rows (besides what validation holds, a 64-bit hash a row for duplicates). The
 * verdict comes last: an invalid file throws DATA_INVALID after its chunks were seen, so a caller
 * must keep nothing it made of them until this returns.
 */
export function streamDataset(path: string, onChunk: (batch: RowBatch) => void, { contract = CONTRACT, chunkRows = STREAM_CHUNK_ROWS }: { contract?: DataContract; chunkRows?: number } = {}): ValidationReport {
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new RangeError(`chunkRows must be a positive integer, got ${chunkRows}.`);
  const checker = new ExtractionChecker(contract, 'typed');
  let pending = 0;
  const flush = () => {
    const { columns, rows } = checker.takeTyped();
    pending = 0;
    if (rows > 0) onChunk({ rows, columns: Object.fromEntries(contract.columns.flatMap((column) => (column.name in columns ? [[column.name, columns[column.name]]] : []))) as RowBatch['columns'] });
  };
  const handler: CsvRecordHandler = {
    header: (fields) => checker.header(fields),
    record: (fields) => {
      checker.record(fields);
      pending += 1;
      if (pending === chunkRows) flush();
    },
  };
  const { notes } = streamCsvFile(path, handler);
  flush();
  const { report } = checker.finish(path, notes);
  if (!report.valid) throw invalidDataError(report);
  return report;
}
