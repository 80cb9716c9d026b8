// @module-tag unit
/**
 * The validation API in process (issue 15): each rule of the data contract on a hostile CSV, with
 * its message, the column and the data rows it names, its samples and the verdict. The command
 * line shows the same report, but its tests run in child processes Stryker cannot see.
 */
import { describe, expect, it } from 'vitest';
import { expectRallyError } from '@rally/testkit';
import {
  CONTRACT,
  type DataContract,
  formatReport,
  invalidDataError,
  parseCsv,
  type Rule,
  validateCsvFile,
  validateCsvText,
  type ValidationReport,
  type Violation,
} from '../src/index.ts';
import { dataLines, header, writeTemp } from './helpers.ts';

const names = CONTRACT.columns.map((column) => column.name);
const col = (name: string) => header.indexOf(name);

/** The first `n` ground-truth records, as string fields (the ground truth has no quotes). */
const records = (n: number) => dataLines.slice(0, n).map((line) => line.split(','));

const toText = (head: string[], rows: string[][]) => [head, ...rows].map((row) => row.join(',')).join('\n') + '\n';

/**
 * Validates CSV text in process, as `x.csv`; and checks on the way that the streamed file gives
 * the same report and columns (and, without keeping them, the same report).
 */
function validate(text: string, contract?: DataContract) {
  const inMemory = validateCsvText(parseCsv(Buffer.from(text), 'x.csv'), 'x.csv', contract);
  const path = writeTemp('x.csv', text);
  const streamed = validateCsvFile(path, contract);
  expect({ ...streamed.report, source: 'x.csv' }).toEqual(inMemory.report);
  expect(streamed.data).toEqual(inMemory.data);
  const lean = validateCsvFile(path, contract, { keepData: false });
  expect({ ...lean.report, source: 'x.csv' }).toEqual(inMemory.report);
  expect(lean.data.columns).toEqual({});
  return inMemory;
}

/** Validates `n` ground-truth rows after `change` edits them (row i of `rows` is data row i + 1). */
function validateChanged(change: (rows: string[][], head: string[]) => void, n = 8, contract?: DataContract) {
  const head = [...header];
  const rows = records(n);
  change(rows, head);
  return validate(toText(head, rows), contract);
}

const only = (report: ValidationReport): Violation => {
  expect(report.violations).toHaveLength(1);
  return report.violations[0];
};

const MESSAGES: Record<Rule, string> = {
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

describe('a valid extraction', () => {
  it('is valid, with its row and column counts and no notes', () => {
    const { report, data } = validateChanged(() => {}, 8);
    expect(report).toEqual({ source: 'x.csv', rows: 8, columns: 26, valid: true, notes: [], violations: [] });
    expect(data.rows).toBe(8);
  });

  it('returns every column typed, in contract order, row by row', () => {
    const rows = records(6);
    const { data } = validate(toText(header, rows));
    expect(Object.keys(data.columns)).toEqual(names);
    for (const spec of CONTRACT.columns) {
      const expected = rows.map((row) => {
        const raw = row[col(spec.name)];
        if (spec.type === 'boolean') return raw === 'True';
        if (spec.type === 'category' || spec.type === 'target') return raw;
        return Number(raw);
      });
      expect(data.columns[spec.name], spec.name).toEqual(expected);
    }
  });

  it('matches columns by name, whatever their order in the file', () => {
    const rows = records(5);
    const order = [...header.keys()].reverse();
    const { report, data } = validate(toText(order.map((i) => header[i]), rows.map((row) => order.map((i) => row[i]))));
    expect(report.valid).toBe(true);
    expect(data.columns.speed).toEqual(rows.map((row) => Number(row[col('speed')])));
    expect(data.columns.hitpoint).toEqual(rows.map((row) => row[col('hitpoint')]));
  });

  it('accepts a BOM, CRLF line endings and quoted fields, and notes the first two', () => {
    const rows = records(4);
    rows[1][col('hitpoint')] = `"${rows[1][col('hitpoint')]}"`;
    const text = '\ufeff' + toText(header, rows).replaceAll('\n', '\r\n');
    const { report, data } = validate(text);
    expect(report.valid).toBe(true);
    expect(report.notes).toEqual(['a UTF-8 byte order mark at the start was ignored', 'CRLF line endings were accepted']);
    expect(data.columns.rally[0]).toBe(Number(records(1)[0][0]));
    expect(data.columns.outcome).toEqual(records(4).map((row) => row[col('outcome')]));
  });

  it('reads a file through validateCsvFile, naming it as the source', () => {
    const path = writeTemp('valid.csv', toText(header, records(3)));
    expect(validateCsvFile(path).report).toMatchObject({ source: path, rows: 3, columns: 26, valid: true });
  });

  it('refuses a file that cannot be read at all with one sentence', async () => {
    const path = writeTemp('header-only.csv', header.join(',') + '\n');
    const error = await expectRallyError(() => validateCsvFile(path), 'DATA_UNREADABLE');
    expect(error.message).toBe(`${path} has a header but no data rows.`);
  });
});

describe('column rules', () => {
  it('missing_column: names each absent column, without rows or samples; the rest is still typed', () => {
    const { report, data } = validateChanged((rows, head) => {
      for (const name of ['speed', 'outcome']) {
        const i = head.indexOf(name);
        head.splice(i, 1);
        for (const row of rows) row.splice(i, 1);
      }
    }, 4);
    expect(report.valid).toBe(false);
    expect(report.columns).toBe(24);
    expect(report.violations).toEqual([
      { rule: 'missing_column', column: 'speed', count: 1, rows: [], samples: [], message: MESSAGES.missing_column },
      { rule: 'missing_column', column: 'outcome', count: 1, rows: [], samples: [], message: MESSAGES.missing_column },
    ]);
    expect(Object.keys(data.columns)).toEqual(names.filter((name) => name !== 'speed' && name !== 'outcome'));
    expect(data.columns.depth).toEqual(records(4).map((row) => Number(row[col('depth')])));
  });

  it('unexpected_column: names the extra column and shows its name', () => {
    const { report, data } = validateChanged((rows, head) => {
      head.push('spin');
      for (const row of rows) row.push('12');
    }, 3);
    expect(report.columns).toBe(27);
    expect(only(report)).toEqual({ rule: 'unexpected_column', column: 'spin', count: 1, rows: [], samples: ['spin'], message: MESSAGES.unexpected_column });
    expect(data.columns).not.toHaveProperty('spin');
  });

  it('duplicate_column: a contract column twice is a duplicate, not an unexpected or missing one', () => {
    const { report } = validateChanged((rows, head) => {
      head.push('speed');
      for (const row of rows) row.push('1');
    }, 3);
    expect(only(report)).toEqual({ rule: 'duplicate_column', column: 'speed', count: 1, rows: [], samples: ['speed'], message: MESSAGES.duplicate_column });
  });

  it('an unknown column twice is both unexpected (each time) and duplicate', () => {
    const { report } = validateChanged((rows, head) => {
      head.push('spin', 'spin');
      for (const row of rows) row.push('1', '2');
    }, 2);
    expect(report.violations).toEqual([
      { rule: 'unexpected_column', column: 'spin', count: 2, rows: [], samples: ['spin'], message: MESSAGES.unexpected_column },
      { rule: 'duplicate_column', column: 'spin', count: 1, rows: [], samples: ['spin'], message: MESSAGES.duplicate_column },
    ]);
  });
});

describe('row rules', () => {
  it('row_width: names the ragged rows and their width; their cells are null and checked no further', () => {
    const { report, data } = validateChanged((rows) => {
      rows[2].push('extra');
      rows[4].pop();
      rows[4][col('hitpoint')] = 'X'; // not reported: the row is not read
    }, 6);
    expect(only(report)).toEqual({ rule: 'row_width', column: null, count: 2, rows: [3, 5], samples: ['27 fields', '25 fields'], message: MESSAGES.row_width });
    expect(report.rows).toBe(6);
    const all = records(6);
    for (const spec of CONTRACT.columns) {
      expect(data.columns[spec.name]).toHaveLength(6);
      expect(data.columns[spec.name][2], spec.name).toBeNull();
      expect(data.columns[spec.name][4], spec.name).toBeNull();
    }
    expect(data.columns.rally).toEqual(all.map((row, i) => (i === 2 || i === 4 ? null : Number(row[0]))));
  });

  it('unique: a repeated id is reported on the rows that repeat it, not the first', () => {
    const { report, data } = validateChanged((rows) => {
      rows[2][col('id')] = rows[0][col('id')];
      rows[5][col('id')] = rows[0][col('id')];
    }, 7);
    const id = records(1)[0][col('id')];
    expect(only(report)).toEqual({ rule: 'unique', column: 'id', count: 2, rows: [3, 6], samples: [id], message: MESSAGES.unique });
    // The values themselves are valid ids: still typed.
    expect(data.columns.id[5]).toBe(Number(id));
  });

  it('duplicate_row: a row equal to an earlier one but for its id names that earlier row', () => {
    const { report } = validateChanged((rows) => {
      rows[4] = [...rows[1]];
      rows[4][col('id')] = '999999';
    }, 6);
    expect(only(report)).toEqual({ rule: 'duplicate_row', column: null, count: 1, rows: [5], samples: ['same as row 2'], message: MESSAGES.duplicate_row });
  });

  it('a row copied whole breaks both unique and duplicate_row', () => {
    const { report } = validateChanged((rows) => {
      rows[3] = [...rows[0]];
    }, 5);
    expect(report.violations.map((v) => [v.rule, v.column, v.rows])).toEqual([
      ['unique', 'id', [4]],
      ['duplicate_row', null, [4]],
    ]);
  });

  it('rows differing in one non-identifier value are not duplicates', () => {
    const { report } = validateChanged((rows) => {
      rows[3] = [...rows[0]];
      rows[3][col('id')] = '999999';
      rows[3][col('serve')] = rows[0][col('serve')] === '1' ? '2' : '1';
    }, 5);
    expect(report.valid).toBe(true);
  });

  it('compares rows field by field: values that only concatenate alike are different rows', () => {
    const { report } = validateChanged((rows) => {
      rows[0][col('speed')] = '35.5';
      rows[0][col('net.clearance')] = '1.25';
      rows[2] = [...rows[0]];
      rows[2][col('speed')] = '35.51';
      rows[2][col('net.clearance')] = '.25';
      rows[2][col('id')] = '999999';
    }, 4);
    expect(report.valid).toBe(true);
  });
});

describe('cell rules', () => {
  it('null: each missing spelling in a non-nullable column, with its row and the spelling as written', () => {
    const { report, data } = validateChanged((rows) => {
      rows[1][col('speed')] = '';
      rows[3][col('speed')] = 'NA';
      rows[4][col('speed')] = 'None';
    }, 6);
    expect(only(report)).toEqual({ rule: 'null', column: 'speed', count: 3, rows: [2, 4, 5], samples: ['', 'NA', 'None'], message: MESSAGES.null });
    expect(data.columns.speed.map((v) => v === null)).toEqual([false, true, false, true, true, false]);
  });

  it('null: allowed in a nullable column (no violation), the value still null', () => {
    const contract: DataContract = { ...CONTRACT, columns: CONTRACT.columns.map((c) => (c.name === 'hitpoint' ? { ...c, nullable: true } : c)) };
    const { report, data } = validateChanged((rows) => {
      rows[2][col('hitpoint')] = 'NULL';
    }, 4, contract);
    expect(report.valid).toBe(true);
    expect(data.columns.hitpoint[2]).toBeNull();
    expect(data.columns.hitpoint[1]).toBe(records(2)[1][col('hitpoint')]);
  });

  it.each([
    ['speed', 'fast', 'type'],
    ['rally', '4.5', 'type'],
    ['id', 'abc', 'type'],
    ['outside.sideline', 'true', 'type'],
    ['outside.sideline', '1', 'type'],
    ['speed', 'NaN', 'finite'],
    ['speed', 'nan', 'finite'],
    ['net.clearance', '-inf', 'finite'],
    ['depth', 'Infinity', 'finite'],
    ['depth', '1e999', 'finite'],
    ['speed', '-0.5', 'range'],
    ['speed', '120.01', 'range'],
    ['serve', '3', 'range'],
    ['serve', '0', 'range'],
    ['id', '-1', 'range'],
    ['hitpoint', 'X', 'category'],
    ['hitpoint', 'f', 'category'],
    ['outcome', 'L', 'category'],
  ] as const)('%s = %j breaks %s, on its row, and its typed value is null', (name, raw, rule) => {
    const { report, data } = validateChanged((rows) => {
      rows[2][col(name)] = raw;
    }, 5);
    expect(report.valid).toBe(false);
    expect(only(report)).toEqual({ rule, column: name, count: 1, rows: [3], samples: [raw], message: MESSAGES[rule] });
    expect(data.columns[name][2]).toBeNull();
    expect(data.columns[name][1]).not.toBeNull();
  });

  it.each([
    ['speed', '0', 0],
    ['speed', '120', 120],
    ['serve', '2', 2],
    ['rally', '7.0', 7],
    ['id', '0', 0],
    ['net.clearance', '-1.5e-1', -0.15],
  ] as const)('%s = %j is valid (bounds inclusive) and reads as %d', (name, raw, value) => {
    const { report, data } = validateChanged((rows) => {
      rows[2][col(name)] = raw;
    }, 4);
    expect(report.valid).toBe(true);
    expect(data.columns[name][2]).toBe(value);
  });

  it('gathers one violation per rule and column, counting all rows but showing 10 rows and 5 distinct samples', () => {
    const { report } = validateChanged((rows) => {
      rows.forEach((row, i) => {
        row[col('speed')] = i % 2 === 0 ? 'fast' : `fast${i % 9}`;
      });
    }, 14);
    const violation = only(report);
    expect(violation).toMatchObject({ rule: 'type', column: 'speed', count: 14 });
    expect(violation.rows).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(violation.samples).toEqual(['fast', 'fast1', 'fast3', 'fast5', 'fast7']);
  });

  it('keeps different columns and rules apart, in the order first met', () => {
    const { report } = validateChanged((rows, head) => {
      head.push('spin');
      rows.forEach((row) => row.push('0'));
      rows[0][col('depth')] = 'deep';
      rows[1][col('speed')] = 'fast';
      rows[2][col('depth')] = '-3';
      rows[3][col('depth')] = 'shallow';
    }, 5);
    expect(report.violations.map((v) => [v.rule, v.column, v.count, v.rows, v.samples])).toEqual([
      ['unexpected_column', 'spin', 1, [], ['spin']],
      ['type', 'depth', 2, [1, 4], ['deep', 'shallow']],
      ['type', 'speed', 1, [2], ['fast']],
      ['range', 'depth', 1, [3], ['-3']],
    ]);
  });
});

describe('invalidDataError', () => {
  it('is DATA_INVALID, one sentence with the source, the count and each rule once; the report in details', async () => {
    const { report } = validateChanged((rows) => {
      rows[0][col('speed')] = 'fast';
      rows[1][col('depth')] = 'deep';
      rows[2][col('hitpoint')] = '';
    }, 4);
    const error = await expectRallyError(() => {
      throw invalidDataError(report);
    }, 'DATA_INVALID');
    expect(error.message).toBe('x.csv does not follow the data contract (3 violations: type, null).');
    expect(error.details).toBe(report);
  });

  it('says "1 violation" for one', async () => {
    const { report } = validateChanged((rows) => {
      rows[0][col('speed')] = 'fast';
    }, 4);
    expect(invalidDataError(report).message).toBe('x.csv does not follow the data contract (1 violation: type).');
  });
});

describe('formatReport', () => {
  const base = { source: 'x.csv', rows: 12, columns: 26, notes: [] as string[] };

  it('says valid in one line, with the notes after it', () => {
    expect(formatReport({ ...base, valid: true, violations: [] })).toBe('x.csv: 12 rows, 26 columns: valid');
    expect(formatReport({ ...base, valid: true, notes: ['a', 'b'], violations: [] })).toBe('x.csv: 12 rows, 26 columns: valid\nnote: a\nnote: b');
  });

  it('tabulates the violations, aligned, with "..." when more rows break a rule than are shown', () => {
    const violations: Violation[] = [
      { rule: 'type', column: 'speed', count: 12, rows: [1, 2], samples: ['fast', 'a"b'], message: '' },
      { rule: 'row_width', column: null, count: 1, rows: [3], samples: ['2 fields'], message: '' },
      { rule: 'missing_column', column: 'depth', count: 1, rows: [], samples: [], message: '' },
    ];
    expect(formatReport({ ...base, valid: false, notes: ['n'], violations }).split('\n')).toEqual([
      'x.csv: 12 rows, 26 columns: INVALID: 3 violations',
      'note: n',
      '',
      'rule            column  count  rows     sample values',
      '--------------  ------  -----  -------  -------------',
      'type            speed   12     1 2 ...  "fast" "a\\"b"',
      'row_width       (row)   1      3        "2 fields"',
      'missing_column  depth   1',
      '',
      'Rows count data rows from 1 (the header is not counted).',
    ]);
  });

  it('says "1 violation" in the singular', () => {
    const violations: Violation[] = [{ rule: 'unique', column: 'id', count: 1, rows: [4], samples: ['7'], message: '' }];
    expect(formatReport({ ...base, valid: false, violations }).split('\n')[0]).toBe('x.csv: 12 rows, 26 columns: INVALID: 1 violation');
  });
});
