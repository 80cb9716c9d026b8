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
