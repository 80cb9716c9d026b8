// @module-tag unit
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '@rally/features/dataset';
import { SPLIT, stratifiedSplit } from '@rally/train';
import { datasetFromBytes, splitDataset } from '../src/data.ts';
import { groundTruthSlice } from './helpers.ts';

describe('datasetFromBytes', () => {
  const path = groundTruthSlice(600);

  it('reads the same typed rows, in the same order, as loadDataset does for a file', () => {
    const fromFile = loadDataset(path);
    const fromBytes = datasetFromBytes(readFileSync(path), 'subset.csv');
    const expected = fromFile.batch;
    expect(fromBytes.sha256).toBe(fromFile.sha256);
    expect(fromBytes.batch.rows).toBe(600);
    expect(Object.keys(fromBytes.batch.columns)).toEqual(Object.keys(expected.columns));
    for (const name of Object.keys(expected.columns)) expect(Array.from(fromBytes.batch.columns[name]), name).toEqual(Array.from(expected.columns[name]));
    expect(fromBytes.labels).toEqual(Array.from(expected.columns.outcome as Iterable<string>));
  });

  it('splits like training does (stratified, seed 42, 20 % test)', () => {
    const dataset = datasetFromBytes(readFileSync(path), 'subset.csv');
    const split = splitDataset(dataset);
    const expected = stratifiedSplit(dataset.labels, SPLIT.testSize, SPLIT.seed);
    expect(split.test).toEqual(expected.test);
    expect(split.testBatch.rows).toBe(120);
    expect(split.trainLabels).toEqual(Array.from(expected.train, (i) => dataset.labels[i]));
  });

  it('refuses data that breaks the contract with the one-sentence error', () => {
    expect(() => datasetFromBytes(Buffer.from('rally,outcome\n1,W\n'), 'bad.csv')).toThrow(/bad.csv does not follow the data contract/);
    expect(() => datasetFromBytes(Buffer.alloc(0), 'empty.csv')).toThrow(/empty.csv is empty/);
  });
});
