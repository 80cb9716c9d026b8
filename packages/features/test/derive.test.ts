// @module-tag unit
/**
 * Deriving a contract from data (issue 15): each column's type from its values, and the bounds
 * policy (BOUNDS_POLICY) on small hand-made columns whose bounds can be worked out on paper.
 */
import { describe, expect, it } from 'vitest';
import { expectRallyError } from '@rally/testkit';
import { BOUNDS_POLICY, type ColumnSpec, deriveContract } from '../src/index.ts';

const source = { file: 'x.csv', sha256: 'abc' };

/** Derives the contract of columns given as value lists (all the same length), with an outcome target. */
function derive(columns: Record<string, string[]>, options = {}) {
  const names = Object.keys(columns);
  const rows = columns[names[0]].length;
  const header = [...names, 'outcome'];
  const records = Array.from({ length: rows }, (_, r) => [...names.map((name) => columns[name][r]), ['W', 'UE', 'FE'][r % 3]]);
  return deriveContract(header, records, source, options);
}

const column = (values: string[], options = {}): ColumnSpec => derive({ c: values }, options).columns[0];

describe('deriveContract', () => {
  it('records where it comes from, its policy and its target', () => {
    const contract = derive({ c: ['1', '2', '3'] });
    expect(contract).toMatchObject({ kind: 'rally.DataContract', formatVersion: 1, derivedFrom: { file: 'x.csv', sha256: 'abc', rows: 3 }, policy: BOUNDS_POLICY, target: 'outcome' });
    expect(contract.columns.map((c) => c.name)).toEqual(['c', 'outcome']);
    expect(contract.columns[1]).toEqual({
      name: 'outcome',
      type: 'target',
      nullable: false,
      categories: ['FE', 'UE', 'W'],
      description: 'How the point ended: W winner, FE forced error, UE unforced error (the target).',
      example: 'W',
    });
  });

  it('refuses data without its target column', async () => {
    const error = await expectRallyError(() => deriveContract(['a'], [['1']], source), 'DATA_INVALID');
    expect(error.message).toBe('The data has no target column "outcome".');
    await expectRallyError(() => derive({ c: ['1'] }, { target: 'winner' }), 'DATA_INVALID');
    expect(deriveContract(['a', 'w'], [['1', 'x']], source, { target: 'w' }).columns[1]).toMatchObject({ type: 'target', categories: ['x'] });
  });

  it('types True/False columns as booleans, nulls allowed', () => {
    expect(column(['True', 'False', 'True'])).toEqual({ name: 'c', type: 'boolean', nullable: false, example: true });
    expect(column(['NA', 'False'])).toStrictEqual({ name: 'c', type: 'boolean', nullable: true });
    expect(column(['true', 'False'])).toMatchObject({ type: 'category' });
  });

  it('types text with few values as a sorted category, nulls left out of it', () => {
    expect(column(['F', 'B', '', 'F', 'V'])).toEqual({ name: 'c', type: 'category', nullable: true, categories: ['B', 'F', 'V'], example: 'F' });
    expect(column(['a', '1'])).toMatchObject({ type: 'category', categories: ['1', 'a'] });
    expect(column(['1', 'Infinity'])).toMatchObject({ type: 'category' });
  });

  it('refuses text with more distinct values than maxCategories', async () => {
    const values = Array.from({ length: 21 }, (_, i) => `v${i}`);
    const error = await expectRallyError(() => column(values), 'DATA_INVALID');
    expect(error.message).toBe('Cannot derive a type for column "c": 21 distinct non-numeric values.');
    expect(column(values.slice(0, 20))).toMatchObject({ type: 'category' });
    expect(column(['a', 'b', 'c'], { maxCategories: 3 })).toMatchObject({ type: 'category' });
    await expectRallyError(() => column(['a', 'b', 'c'], { maxCategories: 2 }), 'DATA_INVALID');
  });

  it('types few distinct integers as a code with its exact range', () => {
    expect(column(['2', '1', '2', '1'])).toEqual({ name: 'c', type: 'integer', nullable: false, min: 1, max: 2, observed: { min: 1, max: 2 }, example: 2 });
    expect(column(['3', '5', '7', '9', '11'])).toMatchObject({ type: 'integer', min: 3, max: 11 });
    expect(column(['3', '5', '7', '9', '11', '13'])).toMatchObject({ type: 'integer', min: 1, max: 23 });
    expect(column(['3', '5', '7'], { maxCodeLevels: 2 })).toMatchObject({ type: 'integer', min: 1, max: 11 });
  });

  it('identifiers: integers from 0 (or the observed minimum if negative), unique when no value repeats', () => {
    const opts = { identifiers: ['c'] };
    expect(column(['7', '3', '9'], opts)).toEqual({ name: 'c', type: 'identifier', nullable: false, unique: true, min: 0, observed: { min: 3, max: 9 }, example: 7 });
    expect(column(['7', '3', '7'], opts)).toMatchObject({ type: 'identifier', unique: false });
    expect(column(['-4', '3'], opts)).toMatchObject({ type: 'identifier', min: -4 });
    expect(column(['0', '3'], opts)).toMatchObject({ min: 0 });
    // Without the option, the same values are a code.
    expect(column(['7', '3', '9'])).toMatchObject({ type: 'integer', min: 3, max: 9 });
  });

  describe('widens other numeric columns by one observed range, rounded outward to two significant digits', () => {
    it.each([
      // values, type, min, max (worked by hand: range = max - min; upper = max + range, rounded up)
      [['0.1', '1.234'], 'float', 0, 2.4], // positive: from 0; 2.368 -> 2.4
      [['0', '0.5', '0.25'], 'float', 0, 1], // 1.0 exactly
      [['100', '2345.6'], 'float', 0, 4600], // 4591.2 -> 4600
      [['-1.234', '0.5'], 'float', -3, 2.3], // -2.968 -> -3.0; 2.234 -> 2.3
      [['-1', '-0.5', '-0.75'], 'float', -1.5, 0], // upper exactly 0
      [['-5.37', '-3.21', '-4'], 'float', -7.6, -1], // -7.53 -> -7.6; -1.05 up -> -1.0
      [['0.00123', '0.00456'], 'float', 0, 0.0079], // 0.00789 -> 0.0079
      [['1', '2', '3', '4', '5', '10'], 'integer', 1, 19], // positive integers: from 1
      [['0', '2', '3', '4', '5', '10'], 'integer', 0, 20],
      [['1', '2', '3', '4', '5', '123'], 'integer', 1, 250], // 245 -> 250
      [['-3', '-1', '0', '1', '2', '3'], 'integer', -9, 9],
    ] as const)('%j: %s in [%d, %d]', (values, type, min, max) => {
      const spec = column([...values]);
      expect(spec).toMatchObject({ type, min, max });
      const numbers = values.map(Number);
      expect(spec.observed).toEqual({ min: Math.min(...numbers), max: Math.max(...numbers) });
    });
  });

  it('marks a column with any null spelling nullable, and derives from the other values', () => {
    expect(column(['1.5', 'NA', '2.5', 'None'])).toMatchObject({ type: 'float', nullable: true, observed: { min: 1.5, max: 2.5 }, example: 1.5 });
    expect(column(['2', 'null', '1'])).toMatchObject({ type: 'integer', nullable: true, min: 1, max: 2 });
  });

  it('reads a missing field of a short record as a null', () => {
    const contract = deriveContract(['outcome', 'a'], [['W', '1'], ['L']], source);
    expect(contract.columns[1]).toMatchObject({ name: 'a', nullable: true, min: 1, max: 1 });
  });

  it('documents known columns (description, unit) and takes the first row as the example', () => {
    const contract = derive({ speed: ['30.5', '40'], rally: ['4', '3'], mystery: ['NA', '1'] });
    const [speed, rally, mystery] = contract.columns;
    expect(speed).toMatchObject({ description: 'Speed of the ball on the last shot.', unit: 'm/s', example: 30.5 });
    expect(rally).toMatchObject({ description: 'Number of shots in the point, the serve included.', example: 4 });
    expect(rally).not.toHaveProperty('unit');
    // No docs for an unknown column; a null first value gives no example.
    expect(mystery).toStrictEqual({ name: 'mystery', type: 'integer', nullable: true, min: 1, max: 1, observed: { min: 1, max: 1 } });
  });

  it('gives no example when there are no rows', () => {
    const contract = deriveContract(['outcome', 'a'], [], source);
    expect(contract.derivedFrom.rows).toBe(0);
    expect(contract.columns[0]).not.toHaveProperty('example');
  });
});
