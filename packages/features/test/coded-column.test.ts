// @module-tag unit
/** Coded columns (a code per row into a dictionary): how loading keeps categories, booleans and the target. */
import { describe, expect, it } from 'vitest';
import { cellAt, CodedColumn, CodedColumnBuilder } from '../src/coded-column.ts';
import { selectRows } from '../src/features/transformer.ts';

describe('CodedColumnBuilder', () => {
  it('codes values by first appearance after the seed, which keeps the seed’s own strings', () => {
    const seed = ['B', 'F', 'U', 'V'];
    const builder = new CodedColumnBuilder(seed);
    for (const value of ['U', 'B', null, 'U', 'X', 'V']) builder.push(value);
    const column = builder.finish();
    expect(column.dictionary).toEqual(['B', 'F', 'U', 'V', null, 'X']);
    expect(Object.is(column.dictionary[2], seed[2])).toBe(true);
    expect(Array.from(column.codes)).toEqual([2, 0, 4, 2, 5, 3]);
    expect(column.codes).toBeInstanceOf(Uint8Array);
    expect(column).toHaveLength(6);
    expect([...column]).toEqual(['U', 'B', null, 'U', 'X', 'V']);
  });

  it('grows past its first 1,024 rows, and keeps booleans apart from the strings "true"/"false"', () => {
    const builder = new CodedColumnBuilder();
    const values = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? true : i % 3 === 1 ? false : 'true'));
    for (const value of values) builder.push(value);
    const column = builder.finish();
    expect(column.codes.byteLength).toBe(5000);
    expect([...column]).toEqual(values);
    expect(column.dictionary).toEqual([true, false, 'true']);
  });

  it('moves to 16-bit codes past 256 values and 32-bit past 65,536, keeping every earlier row', () => {
    const builder = new CodedColumnBuilder();
    const values = Array.from({ length: 70_000 }, (_, i) => `v${i}`);
    for (const value of values.slice(0, 256)) builder.push(value);
    expect(builder.finish().codes).toBeInstanceOf(Uint8Array);
    builder.push(values[256]);
    expect(builder.finish().codes).toBeInstanceOf(Uint16Array);
    for (const value of values.slice(257)) builder.push(value);
    const column = builder.finish();
    expect(column.codes).toBeInstanceOf(Uint32Array);
    expect(column.at(0)).toBe('v0');
    expect(column.at(300)).toBe('v300');
    expect(column.at(69_999)).toBe('v69999');
    expect([...column]).toEqual(values);
  });
});

describe('CodedColumn', () => {
  const column = new CodedColumn(Uint8Array.from([1, 0, 2, 1]), ['FE', 'UE', 'W']);

  it('reads a row with at or cellAt, as cellAt reads a plain array', () => {
    expect([0, 1, 2, 3].map((r) => column.at(r))).toEqual(['UE', 'FE', 'W', 'UE']);
    expect([0, 1, 2, 3].map((r) => cellAt(column, r))).toEqual(['UE', 'FE', 'W', 'UE']);
    expect(cellAt(['a', 'b'], 1)).toBe('b');
    expect(cellAt(Float64Array.from([0.5]), 0)).toBe(0.5);
  });

  it('selects rows into a coded column of the same dictionary and code width, as selectRows does', () => {
    const picked = column.select([3, 2, 2]);
    expect([...picked]).toEqual(['UE', 'W', 'W']);
    expect(picked.dictionary).toBe(column.dictionary);
    expect(picked.codes).toBeInstanceOf(Uint8Array);
    const wide = new CodedColumn(Uint16Array.from([0, 1]), ['a', 'b']).select([1]);
    expect(wide.codes).toBeInstanceOf(Uint16Array);
    const { rows, columns } = selectRows({ rows: 4, columns: { outcome: column, speed: Float64Array.from([1, 2, 3, 4]) } }, [2, 0]);
    expect(rows).toBe(2);
    expect(columns.outcome).toBeInstanceOf(CodedColumn);
    expect([...(columns.outcome as CodedColumn)]).toEqual(['W', 'UE']);
    expect(columns.speed).toEqual(Float64Array.from([3, 1]));
  });
});
