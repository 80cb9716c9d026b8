// @module-tag unit
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, GROUND_TRUTH_PATH, validateCsvFile } from '../src/index.ts';
import { loadDataset } from '../src/dataset.ts';

// The ground truth checked against its contract: each property its own test, so a failure says which.
const { batch } = loadDataset(GROUND_TRUTH_PATH);
const names = CONTRACT.columns.map((column) => column.name);
const rawHeader = readFileSync(GROUND_TRUTH_PATH, 'utf8').split('\n', 1)[0].split(',');

describe('ground truth data/australian_open.csv', () => {
  it('is a byte-identical copy of the shared source (sha256)', () => {
    const sha = createHash('sha256').update(readFileSync(GROUND_TRUTH_PATH)).digest('hex');
    expect(sha).toBe('c76f171b0559c90a2131f120c7014eff7a5f08cad1806d188363a571d05942d8');
    expect(CONTRACT.derivedFrom.sha256).toBe(sha);
  });

  it('keeps its provenance note next to it', () => {
    const note = join(dirname(GROUND_TRUTH_PATH), 'README.md');
    expect(existsSync(note)).toBe(true);
    expect(readFileSync(note, 'utf8')).toMatch(/nibbleai\/demo-machine-learning/);
  });

  it('has all expected columns', () => {
    for (const name of names) expect(rawHeader).toContain(name);
  });

  it('has no additional columns', () => {
    expect(rawHeader.filter((name) => !names.includes(name))).toEqual([]);
    expect(rawHeader).toHaveLength(26);
  });

  it.each(CONTRACT.columns.map((column) => [column.name, column.type] as const))('column %s has type %s', (name, type) => {
    const values = Array.from(batch.columns[name] as ArrayLike<unknown>);
    const expected = type === 'boolean' ? 'boolean' : type === 'category' || type === 'target' ? 'string' : 'number';
    expect(values.every((value) => typeof value === expected)).toBe(true);
    if (type === 'integer' || type === 'identifier') expect(values.every((value) => Number.isInteger(value))).toBe(true);
  });

  it('has no nulls', () => {
    for (const name of names) expect(Array.from(batch.columns[name] as ArrayLike<unknown>).some((value) => value === null || value === undefined || Number.isNaN(value))).toBe(false);
  });

  it.each(['hitpoint', 'previous.hitpoint'])('category column %s takes exactly F, B, U, V', (name) => {
    expect(new Set(Array.from(batch.columns[name] as ArrayLike<string>))).toEqual(new Set(['B', 'F', 'U', 'V']));
  });

  it('serve is 1 or 2', () => {
    expect(new Set(Array.from(batch.columns['serve'] as ArrayLike<number>))).toEqual(new Set([1, 2]));
  });

  it('rally is a positive integer', () => {
    expect((Array.from(batch.columns['rally'] as ArrayLike<number>)).every((value) => Number.isInteger(value) && value > 0)).toBe(true);
  });

  it('every numeric value is finite and within its contract bounds', () => {
    for (const column of CONTRACT.columns.filter((c) => c.type === 'float' || c.type === 'integer')) {
      const values = Array.from(batch.columns[column.name] as ArrayLike<number>);
      expect(values.filter((value) => !Number.isFinite(value)), column.name).toEqual([]);
      expect(values.filter((value) => value < column.min! || value > column.max!), column.name).toEqual([]);
    }
  });

  it('id is unique', () => {
    const ids = Array.from(batch.columns['id'] as ArrayLike<number>);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('target classes are exactly W, FE, UE with a plausible balance', () => {
    const outcomes = Array.from(batch.columns['outcome'] as ArrayLike<string>);
    const counts = Object.fromEntries(['W', 'FE', 'UE'].map((label) => [label, outcomes.filter((o) => o === label).length]));
    expect(new Set(outcomes)).toEqual(new Set(['W', 'FE', 'UE']));
    expect(counts).toEqual({ UE: 2118, W: 1684, FE: 1198 });
    // No class below 15% or above 60%: a broken extraction (one class dropped or duplicated) shows here.
    for (const count of Object.values(counts)) {
      expect(count / outcomes.length).toBeGreaterThan(0.15);
      expect(count / outcomes.length).toBeLessThan(0.6);
    }
  });

  it('has no duplicate rows', () => {
    const rows = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split('\n').slice(1);
    expect(new Set(rows).size).toBe(rows.length);
    expect(validateCsvFile(GROUND_TRUTH_PATH).report.violations.filter((v) => v.rule === 'duplicate_row')).toEqual([]);
  });

  it('has 5000 rows', () => {
    expect(batch.rows).toBe(5000);
  });

  it('is valid under the contract as a whole', () => {
    expect(validateCsvFile(GROUND_TRUTH_PATH).report).toMatchObject({ valid: true, rows: 5000, columns: 26, violations: [] });
  });
});
