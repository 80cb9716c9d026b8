// @module-tag unit
/** Loading a dataset for training: one streamed pass, lean typed columns, the same values and features as the checked arrays. */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadDataset, loadDatasetFromBytes, streamDataset } from '../src/dataset.ts';
import { CodedColumn, CONTRACT, FeatureUnion, GROUND_TRUTH_PATH, validateCsvFile } from '../src/index.ts';
import type { RowBatch } from '../src/features/transformer.ts';
import { expectRallyError } from '@rally/testkit';
import { writeTemp } from './helpers.ts';

describe('loadDataset', () => {
  it('keeps number columns as Float64Arrays, the others coded (a byte a row), with the values the check gives', () => {
    const dataset = loadDataset(GROUND_TRUTH_PATH);
    const { data } = validateCsvFile(GROUND_TRUTH_PATH);
    expect(Object.keys(dataset.batch.columns)).toEqual(CONTRACT.columns.map((column) => column.name));
    expect(dataset.batch.rows).toBe(data.rows);
    for (const column of CONTRACT.columns) {
      const lean = dataset.batch.columns[column.name];
      if (['integer', 'float', 'identifier'].includes(column.type)) expect(lean, column.name).toBeInstanceOf(Float64Array);
      else {
        expect(lean, column.name).toBeInstanceOf(CodedColumn);
        const coded = lean as CodedColumn;
        expect(coded.codes, column.name).toBeInstanceOf(Uint8Array);
        expect(coded.codes.byteLength, column.name).toBe(data.rows);
        // Each category is the contract's string itself, first in the dictionary, in its order.
        if (column.categories) column.categories.forEach((category, i) => expect(Object.is(coded.dictionary[i], category), column.name).toBe(true));
        expect(new Set(coded.dictionary).size, column.name).toBe(coded.dictionary.length);
      }
      expect(Array.from(lean as Iterable<unknown>), column.name).toEqual(data.columns[column.name]);
    }
  });

  it('gives the feature union the same matrix as the checked arrays do', () => {
    const { batch } = loadDataset(GROUND_TRUTH_PATH);
    const { data } = validateCsvFile(GROUND_TRUTH_PATH);
    const arrays: RowBatch = { rows: data.rows, columns: data.columns as RowBatch['columns'] };
    expect(FeatureUnion.fromStore().fitTransform(batch)).toEqual(FeatureUnion.fromStore().fitTransform(arrays));
  });

  it('hashes the bytes it read, as loadDatasetFromBytes hashes bytes in memory', () => {
    const bytes = readFileSync(GROUND_TRUTH_PATH);
    const streamed = loadDataset(GROUND_TRUTH_PATH);
    expect(streamed.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const fromBytes = loadDatasetFromBytes(bytes, GROUND_TRUTH_PATH);
    expect(fromBytes.sha256).toBe(streamed.sha256);
    expect(fromBytes.report).toEqual(streamed.report);
    expect(fromBytes.batch).toEqual(streamed.batch);
  });

  it('refuses invalid data with the report, and a missing number is never read as a number', async () => {
    const text = readFileSync(GROUND_TRUTH_PATH, 'utf8').split('\n').slice(0, 30);
    text[5] = text[5].replace(/^[^,]*,/, 'NA,');
    const path = writeTemp('invalid.csv', `${text.join('\n')}\n`);
    const error = await expectRallyError(() => loadDataset(path), 'DATA_INVALID');
    expect(error.message).toMatch(/does not follow the data contract \(1 violation: null\)/);
    // NaN, how a lean column holds a missing number, is refused by the features like null.
    const dataset = loadDataset(GROUND_TRUTH_PATH);
    const { batch } = dataset;
    const union = FeatureUnion.fromStore().fit(batch);
    const speed = Float64Array.from(batch.columns.speed as ArrayLike<number>);
    speed[3] = Number.NaN;
    const broken = await expectRallyError(() => union.transform({ ...batch, columns: { ...batch.columns, speed } }), 'FEATURE_BAD_INPUT');
    expect(broken.message).toBe('Column "speed" row 3 is null, expected a number.');
  });
});

describe('streamDataset', () => {
  it('hands over the columns loadDataset keeps, in chunks of the size asked (the last one shorter), contract order', () => {
    const { batch } = loadDataset(GROUND_TRUTH_PATH);
    const chunks: RowBatch[] = [];
    const report = streamDataset(GROUND_TRUTH_PATH, (chunk) => chunks.push(chunk), { chunkRows: 1200 });
    expect(report.valid).toBe(true);
    expect(report.rows).toBe(5000);
    expect(chunks.map((chunk) => chunk.rows)).toEqual([1200, 1200, 1200, 1200, 200]);
    for (const column of CONTRACT.columns) {
      expect(Object.keys(chunks[0]!.columns)).toEqual(CONTRACT.columns.map((c) => c.name));
      const joined = chunks.flatMap((chunk) => Array.from(chunk.columns[column.name] as Iterable<unknown>));
      expect(joined, column.name).toEqual(Array.from(batch.columns[column.name] as Iterable<unknown>));
      for (const chunk of chunks) expect((chunk.columns[column.name] as ArrayLike<unknown>).length, column.name).toBe(chunk.rows);
    }
  });

  it('refuses an invalid file after its chunks, with the validation report, and a chunk size that is not a positive integer', async () => {
    const text = readFileSync(GROUND_TRUTH_PATH, 'utf8').replace(/\n(\d+),/, '\n-5,');
    const path = writeTemp('invalid-stream.csv', text);
    let rows = 0;
    const error = await expectRallyError(() => streamDataset(path, (chunk) => (rows += chunk.rows), { chunkRows: 1000 }), 'DATA_INVALID');
    expect(error.details).toMatchObject({ valid: false, rows: 5000 });
    expect(rows).toBe(5000);
    expect(() => streamDataset(GROUND_TRUTH_PATH, () => {}, { chunkRows: 0 })).toThrow(RangeError);
  });
});
