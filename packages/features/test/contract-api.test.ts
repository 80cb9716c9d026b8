// @module-tag unit
/**
 * The contract's accessors and loading a dataset in process (issue 15): refusals of a malformed
 * contract, one sentence each, and what a loaded dataset holds.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectRallyError } from '@rally/testkit';
import { CONTRACT, columnSpec, inputColumns, parseContract, targetColumn } from '../src/index.ts';
import { loadDataset, loadDatasetFromBytes } from '../src/dataset.ts';
import { dataLines, header, writeTemp } from './helpers.ts';

describe('parseContract', () => {
  it('accepts the checked-in contract as it is', () => {
    expect(parseContract(JSON.parse(JSON.stringify(CONTRACT)))).toEqual(CONTRACT);
  });

  it.each([
    [null],
    [{ ...CONTRACT, kind: 'other' }],
    [{ ...CONTRACT, formatVersion: 2 }],
    [{ ...CONTRACT, columns: {} }],
  ])('refuses something that is not a format-1 rally.DataContract (%#)', async (json) => {
    const error = await expectRallyError(() => parseContract(json), 'CONTRACT_INVALID');
    expect(error.message).toBe('The data contract is not a rally.DataContract of format version 1.');
  });

  it('refuses a column listed twice, naming it', async () => {
    const error = await expectRallyError(() => parseContract({ ...CONTRACT, columns: [...CONTRACT.columns, CONTRACT.columns[3]] }), 'CONTRACT_INVALID');
    expect(error.message).toBe(`The data contract lists column "${CONTRACT.columns[3].name}" twice.`);
  });

  it.each(['category', 'target'] as const)('refuses a %s column without categories', async (type) => {
    for (const categories of [undefined, []]) {
      const columns = [...CONTRACT.columns, { name: 'extra', type, nullable: false, categories }];
      const error = await expectRallyError(() => parseContract({ ...CONTRACT, columns }), 'CONTRACT_INVALID');
      expect(error.message).toBe('The data contract gives no categories for "extra".');
    }
  });

  it('refuses a target that is not a column', async () => {
    const error = await expectRallyError(() => parseContract({ ...CONTRACT, target: 'winner' }), 'CONTRACT_INVALID');
    expect(error.message).toBe('The data contract\'s target "winner" is not one of its columns.');
  });
});

describe('contract accessors', () => {
  it('give the target, the input columns and a column by name', async () => {
    expect(targetColumn()).toMatchObject({ name: 'outcome', type: 'target' });
    expect(inputColumns().map((c) => c.name)).toEqual(CONTRACT.columns.map((c) => c.name).filter((name) => name !== 'outcome'));
    expect(columnSpec('speed')).toMatchObject({ name: 'speed', type: 'float' });
    const error = await expectRallyError(() => columnSpec('spin'), 'CONTRACT_INVALID');
    expect(error.message).toBe('The data contract has no column "spin".');
  });
});

describe('loading a dataset', () => {
  const text = [header.join(','), ...dataLines.slice(0, 5)].join('\n') + '\n';

  it('loads valid bytes into columns in contract order, with its digest and file name', () => {
    // Columns reversed in the file: the table is in contract order all the same.
    const reversed = text
      .trimEnd()
      .split('\n')
      .map((line) => line.split(',').reverse().join(','))
      .join('\n');
    const bytes = Buffer.from(reversed);
    const dataset = loadDatasetFromBytes(bytes, '/some/where/five.csv');
    expect(Object.keys(dataset.batch.columns)).toEqual(CONTRACT.columns.map((c) => c.name));
    expect(dataset.batch.rows).toBe(5);
    expect(Array.from(dataset.batch.columns.speed)).toEqual(dataLines.slice(0, 5).map((line) => Number(line.split(',')[header.indexOf('speed')])));
    expect(dataset.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(dataset.fileName).toBe('five.csv');
    expect(dataset.report).toMatchObject({ valid: true, rows: 5 });
    for (const values of Object.values(dataset.batch.columns)) expect(values).toHaveLength(5);
  });

  it('refuses invalid data with DATA_INVALID, the report in details', async () => {
    const lines = text.split('\n');
    lines[1] = lines[1].replace(/,B,/, ',X,'); // hitpoint of data row 1
    const bad = writeTemp('bad-category.csv', lines.join('\n'));
    const error = await expectRallyError(() => loadDataset(bad), 'DATA_INVALID');
    expect(error.details).toMatchObject({ source: bad, valid: false, violations: [{ rule: 'category', column: 'hitpoint', rows: [1] }] });
  });
});
