import { RallyError } from '@rally/errors';
import { type ColumnSpec, CONTRACT, type DataContract } from './contract.ts';
import { type CellValue, isNumericColumn, parseCell } from './cells.ts';
import { type CsvText, streamCsvFile } from './csv.ts';
import type { CsvRecordHandler } from './csv-reader.ts';
import { FirstSeen } from './first-seen.ts';
import { type CodedColumn, CodedColumnBuilder } from './coded-column.ts';

/** Every rule a extraction can break; each violation names one. */
export type Rule =
  | 'missing_column'
  | 'unexpected_column'
  | 'duplicate_column'
  | 'row_width'
  | 'null'
  | 'type'
  | 'finite'
  | 'range'
  | 'category'
  | 'unique'
  | 'duplicate_row';

export interface Violation {
  rule: Rule;
  /** The column concerned, or null for whole-row rules. */
  column: string | null;
  /** How many rows (or columns) break it. */
  count: number;
  /** Offending data rows, counted from 1 (the header is not a data row); capped. */
  rows: number[];
  /** Distinct offending values as written; capped. */
  samples: string[];
  message: string;
}

export interface ValidationReport {
  source: string;
  rows: number;
  columns: number;
  valid: boolean;
  notes: string[];
  violations: Violation[];
}

export const MAX_ROWS_SHOWN = 10;
export const MAX_SAMPLES_SHOWN = 5;

const RULE_MESSAGES: Record<Rule, string> = {
  missing_column: 'a column of the contract is missing',
  unexpected_column: 'a column is not in the contract',
  duplicate_column: 'a column name appears more than once',
  row_width: 'a row has a different number of fields than the header',
  null: 'a value is missing where the contract forbids nulls',
  type: 'a value is not of the column type',
  finite: 'a number is NaN or infinite',
  range: 'a number is outside the column bounds',
  category: 'a value is not one of the known categories',
  unique: 'an identifier appears on more than one row',
  duplicate_row: 'a row repeats another row (identifiers aside)',
};

class ViolationLog {
  private readonly byKey = new Map<string, Violation>();

  add(rule: Rule, column: string | null, row: number | null, sample: string | null): void {
    const key = `${rule}\u0000${column ?? ''}`;
    let violation = this.byKey.get(key);
    if (!violation) {
      violation = { rule, column, count: 0, rows: [], samples: [], message: RULE_MESSAGES[rule] };
      this.byKey.set(key, violation);
    }
    violation.count += 1;
    if (row !== null && violation.rows.length < MAX_ROWS_SHOWN) violation.rows.push(row);
    if (sample !== null && violation.samples.length < MAX_SAMPLES_SHOWN && !violation.samples.includes(sample)) {
      violation.samples.push(sample);
    }
  }

  list(): Violation[] {
    return [...this.byKey.values()];
  }
}

export interface TypedData {
  /** One array per contract column present, in contract order; null where a cell broke a rule. */
  columns: Record<string, (CellValue | null)[]>;
  rows: number;
}

/**
 * The columns of a check that kept them typed (`keep: 'typed'`): number columns are Float64Arrays,
 * NaN for null; the others (categories, booleans, the target) coded columns.
 */
export interface LeanData {
  columns: Record<string, ArrayLike<CellValue | null> | CodedColumn>;
  rows: number;
}

/**
 * The columns a check keeps: none (`rally validate`), arrays of values, or lean typed columns for
 * loading (a Float64Array per number column, NaN for null; a coded column, a byte a row, for the
 * others).
 */
export type KeepColumns = 'none' | 'arrays' | 'typed';

/** One number column's values as they are checked, in a growing buffer (NaN for null). */
class NumberColumnBuilder {
  #numbers = new Float64Array(1024);
  #size = 0;

  push(value: CellValue | null): void {
    if (this.#size === this.#numbers.length) {
      const grown = new Float64Array(this.#size * 2);
      grown.set(this.#numbers);
      this.#numbers = grown;
    }
    this.#numbers[this.#size++] = value === null ? Number.NaN : (value as number);
  }

  finish(): Float64Array {
    return this.#numbers.slice(0, this.#size);
  }
}

/** The builder of a column kept typed: numbers in a Float64Array, the others coded (a category column's dictionary starts with its contract categories). */
function columnBuilder(spec: ColumnSpec): NumberColumnBuilder | CodedColumnBuilder {
  return isNumericColumn(spec) ? new NumberColumnBuilder() : new CodedColumnBuilder(spec.categories ?? []);
}

/**
 * Checks an extraction a record at a time: every rule in one pass, in memory that does not grow
 * with the rows (the violations keep a bounded sample), except the columns it keeps (`keep`)
 * and the `unique` and `duplicate_row` rules, which keep a 64-bit hash and a row number per row.
 */
export class ExtractionChecker implements CsvRecordHandler {
  private readonly log = new ViolationLog();
  private readonly expected: string[];
  private headerFields: string[] = [];
  private present: ColumnSpec[] = [];
  private indexes: number[] = [];
  /** For each present column, the identifiers seen so far when it must be unique. */
  private firstSeen: (FirstSeen | null)[] = [];
  /** Positions of the columns that make a row's content (identifiers aside). */
  private contentIndexes: number[] = [];
  private readonly rowKeys = new FirstSeen();
  private readonly columns: Record<string, (CellValue | null)[]> = {};
  private rows = 0;
  /** Rows already handed over by takeTyped. */
  private taken = 0;
  private builders: (NumberColumnBuilder | CodedColumnBuilder)[] = [];

  private readonly contract: DataContract;
  private readonly keep: KeepColumns;

  constructor(contract: DataContract = CONTRACT, keep: KeepColumns = 'arrays') {
    this.contract = contract;
    this.keep = keep;
    this.expected = contract.columns.map((column) => column.name);
  }

  header(header: string[]): void {
    this.headerFields = header;
    const seen = new Set<string>();
    for (const name of header) {
      if (seen.has(name)) this.log.add('duplicate_column', name, null, name);
      seen.add(name);
      if (!this.expected.includes(name)) this.log.add('unexpected_column', name, null, name);
    }
    for (const name of this.expected) if (!seen.has(name)) this.log.add('missing_column', name, null, null);
    this.present = this.contract.columns.filter((column) => seen.has(column.name));
    this.indexes = this.present.map((column) => header.indexOf(column.name));
    this.firstSeen = this.present.map((column) => (column.unique ? new FirstSeen() : null));
    this.contentIndexes = this.present.flatMap((column, i) => (column.type === 'identifier' ? [] : [this.indexes[i]]));
    if (this.keep === 'arrays') for (const column of this.present) this.columns[column.name] = [];
    if (this.keep === 'typed') this.builders = this.present.map(columnBuilder);
  }

  record(record: string[]): void {
    const row = ++this.rows;
    const { present, indexes, log } = this;
    if (record.length !== this.headerFields.length) {
      log.add('row_width', null, row, `${record.length} fields`);
      if (this.keep === 'arrays') for (const column of present) this.columns[column.name].push(null);
      if (this.keep === 'typed') for (const builder of this.builders) builder.push(null);
      return;
    }
    for (let i = 0; i < present.length; i += 1) {
      const column = present[i];
      const raw = record[indexes[i]];
      const cell = parseCell(column, raw);
      if (this.keep === 'arrays') this.columns[column.name].push(cell.kind === 'value' ? cell.value : null);
      else if (this.keep === 'typed') this.builders[i].push(cell.kind === 'value' ? cell.value : null);
      if (cell.kind === 'null') {
        if (!column.nullable) log.add('null', column.name, row, raw);
      } else if (cell.kind === 'violation') log.add(cell.rule, column.name, row, raw);
      if (this.firstSeen[i]?.firstOr(raw, row)) log.add('unique', column.name, row, raw);
    }
    let key = '';
    for (const index of this.contentIndexes) key += `${record[index]}\u0000`;
    const first = this.rowKeys.firstOr(key, row);
    if (first !== 0) log.add('duplicate_row', null, row, `same as row ${first}`);
  }

  /**
   * The typed columns of the rows checked since the last call (`keep: 'typed'` only), handed over
   * and forgotten: a reader that takes them every few thousand rows holds no more than that.
   */
  takeTyped(): LeanData {
    if (this.keep !== 'typed') throw new Error('takeTyped needs a checker that keeps typed columns.');
    const columns = Object.fromEntries(this.builders.map((builder, i) => [this.present[i].name, builder.finish()]));
    const rows = this.rows - this.taken;
    this.taken = this.rows;
    this.builders = this.present.map(columnBuilder);
    return { columns, rows };
  }

  /** The report once every record is in; `notes` are the reader's. The data is a TypedData unless `keep` is 'typed'. */
  finish(source: string, notes: string[]): { report: ValidationReport; data: LeanData } {
    const violations = this.log.list();
    const columns = this.keep === 'typed' ? Object.fromEntries(this.builders.map((builder, i) => [this.present[i].name, builder.finish()])) : this.columns;
    this.builders = [];
    return {
      report: { source, rows: this.rows, columns: this.headerFields.length, valid: violations.length === 0, notes, violations },
      data: { columns, rows: this.rows },
    };
  }
}

/**
 * Checks parsed CSV text against the contract and reports every violation at once.
 * Also returns the typed columns, so loading never parses twice.
 */
export function validateCsvText(csv: CsvText, source: string, contract: DataContract = CONTRACT): { report: ValidationReport; data: TypedData } {
  const checker = new ExtractionChecker(contract);
  checker.header(csv.header);
  for (const record of csv.records) checker.record(record);
  return checker.finish(source, csv.notes) as { report: ValidationReport; data: TypedData };
}

/**
 * Reads and validates a CSV file as a stream, in memory that does not grow with its rows unless
 * `keepData` (the typed columns, for loading). Throws DATA_UNREADABLE (one sentence) when it cannot
 * be parsed at all.
 */
export function validateCsvFile(path: string, contract: DataContract = CONTRACT, { keepData = true }: { keepData?: boolean } = {}): { report: ValidationReport; data: TypedData } {
  const checker = new ExtractionChecker(contract, keepData ? 'arrays' : 'none');
  const { notes } = streamCsvFile(path, checker);
  return checker.finish(path, notes) as { report: ValidationReport; data: TypedData };
}

/** The error thrown when data must be valid and is not; the report travels in `details`. */
export function invalidDataError(report: ValidationReport): RallyError {
  const rules = [...new Set(report.violations.map((violation) => violation.rule))].join(', ');
  return new RallyError('DATA_INVALID', `${report.source} does not follow the data contract (${report.violations.length} violation${report.violations.length === 1 ? '' : 's'}: ${rules}).`, {
    details: report,
  });
}

/** A readable table of the report, for terminals. */
export function formatReport(report: ValidationReport): string {
  const lines: string[] = [];
  const status = report.valid ? 'valid' : `INVALID: ${report.violations.length} violation${report.violations.length === 1 ? '' : 's'}`;
  lines.push(`${report.source}: ${report.rows} rows, ${report.columns} columns: ${status}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.valid) return lines.join('\n');
  const table = [['rule', 'column', 'count', 'rows', 'sample values']];
  for (const v of report.violations) {
    const rows = v.rows.join(' ') + (v.count > v.rows.length && v.rows.length > 0 ? ' ...' : '');
    table.push([v.rule, v.column ?? '(row)', String(v.count), rows, v.samples.map((s) => JSON.stringify(s)).join(' ')]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  lines.push('');
  for (const [i, row] of table.entries()) {
    lines.push(row.map((cell, j) => cell.padEnd(widths[j])).join('  ').trimEnd());
    if (i === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  lines.push('', 'Rows count data rows from 1 (the header is not counted).');
  return lines.join('\n');
}
