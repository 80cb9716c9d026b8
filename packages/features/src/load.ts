import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { CONTRACT, type DataContract } from './contract.ts';
import { parseCsv, readCsvBytes } from './csv.ts';
import { invalidDataError, type ValidationReport, validateCsvText } from './validate.ts';
import type { CellValue } from './cells.ts';
import type { RowBatch } from './features/transformer.ts';

export interface Dataset {
  /** Typed columns per the contract: numbers, booleans (`True`/`False`) and category strings. */
  table: ColumnTable;
  /** The exact bytes read, so a run can store the dataset it was trained on. */
  bytes: Buffer;
  sha256: string;
  fileName: string;
  report: ValidationReport;
}

/** Reads a CSV, validates it against the contract and loads it into an arquero table. Invalid data is refused. */
export function loadDataset(path: string, contract: DataContract = CONTRACT): Dataset {
  return loadDatasetFromBytes(readCsvBytes(path), path, contract);
}

/** The same from bytes already in memory (a dataset fetched from the model store); `source` names it in messages. */
export function loadDatasetFromBytes(bytes: Buffer, source: string, contract: DataContract = CONTRACT): Dataset {
  const { report, data } = validateCsvText(parseCsv(bytes, source), source, contract);
  if (!report.valid) throw invalidDataError(report);
  const columns = data.columns as Record<string, CellValue[]>;
  // Contract order, whatever the file's column order.
  const table = aq.table(Object.fromEntries(contract.columns.map((column) => [column.name, columns[column.name]])));
  return { table, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), fileName: basename(source), report };
}

/** A table's columns as a batch for the feature union (no copy: arquero keeps plain arrays). */
export function tableToBatch(table: ColumnTable): RowBatch {
  const columns: Record<string, ArrayLike<CellValue>> = {};
  for (const name of table.columnNames()) columns[name] = table.array(name) as ArrayLike<CellValue>;
  return { rows: table.numRows(), columns };
}
