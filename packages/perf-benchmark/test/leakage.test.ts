// @module-tag unit
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@rally/features';
import { findLeakage } from '../src/index.ts';

const batch = (rows: [number, number, string][]): RowBatch => ({
  rows: rows.length,
  columns: { id: rows.map((r) => r[0]), speed: rows.map((r) => r[1]), outcome: rows.map((r) => r[2]) },
});

describe('findLeakage', () => {
  const training = batch([
    [1, 30.5, 'W'],
    [2, 31, 'FE'],
    [3, 32, 'UE'],
  ]);

  it('finds nothing in disjoint rows', () => {
    expect(findLeakage(training, batch([[4, 40, 'W'], [5, 41, 'FE']]))).toEqual({ testRows: 2, leakedRows: 0, byId: 0, byContent: 0, sampleIds: [] });
  });

  it('matches by id, by content (a copy with a new id), and counts each test row once', () => {
    const test = batch([
      [2, 31, 'FE'], // same id and content
      [9, 32, 'UE'], // content of id 3 under a new id
      [1, 99, 'W'], // id 1 with other values
      [10, 32, 'W'], // same speed as id 3 but another outcome: not a copy
    ]);
    expect(findLeakage(training, test)).toEqual({ testRows: 4, leakedRows: 3, byId: 2, byContent: 2, sampleIds: ['2', '9', '1'] });
  });

  it('compares typed values whatever the column order', () => {
    const reordered: RowBatch = { rows: 1, columns: { outcome: ['W'], speed: [30.5], id: [77] } };
    expect(findLeakage(training, reordered)).toMatchObject({ leakedRows: 1, byId: 0, byContent: 1 });
  });
});

describe('findLeakage with other columns', () => {
  it('matches by content alone when the test rows have no id column', () => {
    const training: RowBatch = { rows: 2, columns: { id: [1, 2], speed: [30, 31], outcome: ['W', 'FE'] } };
    const test: RowBatch = { rows: 2, columns: { speed: [31, 40], outcome: ['FE', 'FE'] } };
    // No id to quote, so no sample ids (not an empty one).
    expect(findLeakage(training, test)).toEqual({ testRows: 2, leakedRows: 1, byId: 0, byContent: 1, sampleIds: [] });
  });

  it('matches by id alone when the batches share no other column', () => {
    const training: RowBatch = { rows: 2, columns: { id: [1, 2], speed: [30, 31] } };
    const test: RowBatch = { rows: 2, columns: { id: [2, 3], depth: [0.5, 0.5] } };
    expect(findLeakage(training, test)).toEqual({ testRows: 2, leakedRows: 1, byId: 1, byContent: 0, sampleIds: ['2'] });
  });

  it('finds nothing when the batches share no column at all', () => {
    const training: RowBatch = { rows: 2, columns: { speed: [30, 31] } };
    const test: RowBatch = { rows: 2, columns: { depth: [0.5, 0.6] } };
    expect(findLeakage(training, test)).toEqual({ testRows: 2, leakedRows: 0, byId: 0, byContent: 0, sampleIds: [] });
  });

  it('quotes at most five leaked ids, several identifier columns joined by a slash', () => {
    const rows = 7;
    const training: RowBatch = { rows, columns: { match: Array(rows).fill('m1'), point: Array.from({ length: rows }, (_, i) => i), speed: Array.from({ length: rows }, (_, i) => 30 + i) } };
    const test: RowBatch = { rows, columns: { match: Array(rows).fill('m1'), point: Array.from({ length: rows }, (_, i) => i), speed: Array(rows).fill(99) } };
    const check = findLeakage(training, test, ['match', 'point']);
    expect(check).toMatchObject({ testRows: 7, leakedRows: 7, byId: 7, byContent: 0 });
    expect(check.sampleIds).toEqual(['m1/0', 'm1/1', 'm1/2', 'm1/3', 'm1/4']);
  });
});
