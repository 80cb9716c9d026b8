import { RallyError } from '@rally/errors';
import { CONTRACT, type DataContract } from './contract.ts';
import { type CellValue, parseCell } from './cells.ts';
import { type CsvText, readCsvFile } from './csv.ts';

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
  /** One typed array per contract column, in contract order; null where a cell broke a rule. */
  columns: Record<string, (CellValue | null)[]>;
  rows: number;
}

/**
 * Checks parsed CSV text against the contract and reports every violation at once.
 * Also returns the typed columns, so loading never parses twice.
 */
export function validateCsvText(csv: CsvText, source: string, contract: DataContract = CONTRACT): { report: ValidationReport; data: TypedData } {
  const log = new ViolationLog();
  const { header, records } = csv;
  const expected = contract.columns.map((column) => column.name);

  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) log.add('duplicate_column', name, null, name);
    seen.add(name);
    if (!expected.includes(name)) log.add('unexpected_column', name, null, name);
  }
  for (const name of expected) if (!seen.has(name)) log.add('missing_column', name, null, null);

  const present = contract.columns.filter((column) => seen.has(column.name));
  const indexOf = new Map(present.map((column) => [column.name, header.indexOf(column.name)]));
  const columns: Record<string, (CellValue | null)[]> = Object.fromEntries(present.map((column) => [column.name, []]));
  const identifierValues = new Map<string, Map<string, number>>();
  const rowKeys = new Map<string, number>();
  const identifiers = new Set(present.filter((column) => column.type === 'identifier').map((column) => column.name));

  records.forEach((record, index) => {
    const row = index + 1;
    if (record.length !== header.length) {
      log.add('row_width', null, row, `${record.length} fields`);
      for (const column of present) columns[column.name].push(null);
      return;
    }
    for (const column of present) {
      const raw = record[indexOf.get(column.name)!];
      const cell = parseCell(column, raw);
      if (cell.kind === 'value') columns[column.name].push(cell.value);
      else {
        columns[column.name].push(null);
        if (cell.kind === 'null') {
          if (!column.nullable) log.add('null', column.name, row, raw);
        } else log.add(cell.rule, column.name, row, raw);
      }
      if (column.unique) {
        const values = identifierValues.get(column.name) ?? new Map<string, number>();
        identifierValues.set(column.name, values);
        const first = values.get(raw);
        if (first === undefined) values.set(raw, row);
        else log.add('unique', column.name, row, raw);
      }
    }
    const key = present.filter((column) => !identifiers.has(column.name)).map((column) => record[indexOf.get(column.name)!]).join('\u0000');
    if (rowKeys.has(key)) log.add('duplicate_row', null, row, `same as row ${rowKeys.get(key)}`);
    else rowKeys.set(key, row);
  });

  const violations = log.list();
  return {
    report: { source, rows: records.length, columns: header.length, valid: violations.length === 0, notes: csv.notes, violations },
    data: { columns, rows: records.length },
  };
}

/** Reads and validates a CSV file. Throws DATA_UNREADABLE (one sentence) when it cannot be parsed at all. */
export function validateCsvFile(path: string, contract: DataContract = CONTRACT): { report: ValidationReport; data: TypedData } {
  return validateCsvText(readCsvFile(path), path, contract);
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
