// @module-tag unit
/**
 * One cell against its column (issue 15): CSV strings (parseCell) and JSON values (checkValue)
 * obey the same rules, and describeDomain words them for messages.
 */
import { describe, expect, it } from 'vitest';
import { type ColumnSpec, checkValue, describeDomain, parseCell } from '../src/index.ts';

const float: ColumnSpec = { name: 'speed', type: 'float', nullable: false, min: 0, max: 120 };
const integer: ColumnSpec = { name: 'serve', type: 'integer', nullable: false, min: 1, max: 2 };
const identifier: ColumnSpec = { name: 'id', type: 'identifier', nullable: false, min: 0, unique: true };
const boolean: ColumnSpec = { name: 'same.side', type: 'boolean', nullable: false };
const category: ColumnSpec = { name: 'hitpoint', type: 'category', nullable: false, categories: ['B', 'F', 'U', 'V'] };
const target: ColumnSpec = { name: 'outcome', type: 'target', nullable: false, categories: ['FE', 'UE', 'W'] };
const unbounded: ColumnSpec = { name: 'x', type: 'float', nullable: true };

const value = (v: unknown) => ({ kind: 'value', value: v });
const broken = (rule: string) => ({ kind: 'violation', rule });
const NULL = { kind: 'null' };

describe('parseCell', () => {
  it.each(['', 'NA', 'N/A', 'null', 'NULL', 'None', 'nan', ' NA ', '  '])('reads %j as null in a text column', (raw) => {
    expect(parseCell(category, raw)).toEqual(NULL);
    expect(parseCell(boolean, raw)).toEqual(NULL);
  });

  it.each(['', 'NA', 'N/A', 'null', 'NULL', 'None', '\t'])('reads %j as null in a numeric column', (raw) => {
    expect(parseCell(float, raw)).toEqual(NULL);
    expect(parseCell(integer, raw)).toEqual(NULL);
    expect(parseCell(identifier, raw)).toEqual(NULL);
  });

  it.each(['nan', 'NaN', 'NAN', ' nan ', 'inf', '+inf', '-inf', 'Inf', 'infinity', '-Infinity', '+INFINITY'])(
    'reads %j as a non-finite number (not a null) in a numeric column',
    (raw) => {
      expect(parseCell(float, raw)).toEqual(broken('finite'));
      expect(parseCell(integer, raw)).toEqual(broken('finite'));
      expect(parseCell(identifier, raw)).toEqual(broken('finite'));
    },
  );

  it.each(['none', 'Null', 'na', 'nil', 'NaNa', 'info', 'xinf'])('does not take %j for a null or a non-finite number', (raw) => {
    expect(parseCell(category, raw)).toEqual(broken('category'));
    expect(parseCell(float, raw)).toEqual(broken('type'));
  });

  it('reads exactly True and False as booleans', () => {
    expect(parseCell(boolean, 'True')).toEqual(value(true));
    expect(parseCell(boolean, 'False')).toEqual(value(false));
    for (const raw of ['true', 'false', 'TRUE', '1', '0', 'yes', ' True']) expect(parseCell(boolean, raw), raw).toEqual(broken('type'));
  });

  it('reads categories and targets exactly, case and spaces included', () => {
    expect(parseCell(category, 'V')).toEqual(value('V'));
    expect(parseCell(target, 'FE')).toEqual(value('FE'));
    for (const raw of ['v', 'X', ' B', 'BF']) expect(parseCell(category, raw), raw).toEqual(broken('category'));
    expect(parseCell(target, 'L')).toEqual(broken('category'));
  });

  it('reads numbers as JavaScript does, then checks type and bounds', () => {
    expect(parseCell(float, '35.51504197')).toEqual(value(35.51504197));
    expect(parseCell(float, '1.2e1')).toEqual(value(12));
    expect(parseCell(float, ' 7 ')).toEqual(value(7));
    expect(parseCell(float, '0')).toEqual(value(0));
    expect(parseCell(float, '120')).toEqual(value(120));
    expect(parseCell(float, '-0.001')).toEqual(broken('range'));
    expect(parseCell(float, '120.5')).toEqual(broken('range'));
    expect(parseCell(float, '1e400')).toEqual(broken('finite'));
    expect(parseCell(float, '12 m/s')).toEqual(broken('type'));
    expect(parseCell(float, '1,5')).toEqual(broken('type'));
    expect(parseCell(integer, '2')).toEqual(value(2));
    expect(parseCell(integer, '2.0')).toEqual(value(2));
    expect(parseCell(integer, '1.5')).toEqual(broken('type'));
    expect(parseCell(integer, '3')).toEqual(broken('range'));
    // Infinite is not finite before it is not integral.
    expect(parseCell(integer, '1e400')).toEqual(broken('finite'));
    expect(parseCell(identifier, '-1e400')).toEqual(broken('finite'));
    expect(parseCell(integer, '0')).toEqual(broken('range'));
    expect(parseCell(identifier, '5718')).toEqual(value(5718));
    expect(parseCell(identifier, '57.5')).toEqual(broken('type'));
    expect(parseCell(identifier, '-1')).toEqual(broken('range'));
    expect(parseCell(identifier, '1e15')).toEqual(value(1e15));
  });

  it('checks no bounds a column does not give', () => {
    expect(parseCell(unbounded, '-1e300')).toEqual(value(-1e300));
    expect(parseCell(unbounded, '1e300')).toEqual(value(1e300));
    expect(parseCell({ ...unbounded, min: 0 }, '1e300')).toEqual(value(1e300));
    expect(parseCell({ ...unbounded, max: 0 }, '-1e300')).toEqual(value(-1e300));
  });
});

describe('checkValue (JSON values)', () => {
  it('calls null and undefined null, in every column type', () => {
    for (const spec of [float, integer, identifier, boolean, category, target]) {
      expect(checkValue(spec, null), spec.name).toEqual(NULL);
      expect(checkValue(spec, undefined), spec.name).toEqual(NULL);
    }
  });

  it('wants a boolean for a boolean column (not its CSV spelling)', () => {
    expect(checkValue(boolean, true)).toEqual(value(true));
    expect(checkValue(boolean, false)).toEqual(value(false));
    expect(checkValue(boolean, 'True')).toEqual(broken('type'));
    expect(checkValue(boolean, 1)).toEqual(broken('type'));
  });

  it('wants one of the categories as a string', () => {
    expect(checkValue(category, 'B')).toEqual(value('B'));
    expect(checkValue(target, 'W')).toEqual(value('W'));
    expect(checkValue(category, 'Z')).toEqual(broken('category'));
    expect(checkValue(category, 1)).toEqual(broken('type'));
    expect(checkValue(target, ['W'])).toEqual(broken('type'));
  });

  it('wants a finite number, integral where the column is, within its bounds', () => {
    expect(checkValue(float, 12.5)).toEqual(value(12.5));
    expect(checkValue(float, 0)).toEqual(value(0));
    expect(checkValue(float, 120)).toEqual(value(120));
    expect(checkValue(float, '12.5')).toEqual(broken('type'));
    expect(checkValue(float, true)).toEqual(broken('type'));
    expect(checkValue(float, Number.NaN)).toEqual(broken('finite'));
    expect(checkValue(float, Number.POSITIVE_INFINITY)).toEqual(broken('finite'));
    expect(checkValue(float, -Number.MIN_VALUE)).toEqual(broken('range'));
    expect(checkValue(float, 120.000001)).toEqual(broken('range'));
    expect(checkValue(integer, 1)).toEqual(value(1));
    expect(checkValue(integer, 1.5)).toEqual(broken('type'));
    expect(checkValue(integer, 0)).toEqual(broken('range'));
    expect(checkValue(identifier, 3)).toEqual(value(3));
    expect(checkValue(identifier, 3.25)).toEqual(broken('type'));
    expect(checkValue(unbounded, -5)).toEqual(value(-5));
  });
});

describe('describeDomain', () => {
  it('words each column type', () => {
    expect(describeDomain(boolean)).toBe('True or False');
    expect(describeDomain(category)).toBe('one of B, F, U, V');
    expect(describeDomain(target)).toBe('one of FE, UE, W');
    expect(describeDomain(identifier)).toBe('an integer >= 0, unique');
    expect(describeDomain({ ...identifier, min: 10, unique: false })).toBe('an integer >= 10');
    expect(describeDomain({ name: 'id', type: 'identifier', nullable: false })).toBe('an integer >= 0');
    expect(describeDomain(integer)).toBe('an integer in [1, 2]');
    expect(describeDomain(float)).toBe('a finite number in [0, 120]');
  });
});
