// @module-tag unit
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, CONTRACT_PATH, GROUND_TRUTH_PATH, deriveContract, parseContract, parseCsv, validateCsvFile } from '../src/index.ts';
import { mutate } from './helpers.ts';

describe('data contract', () => {
  it('is what `pnpm contract:derive` gives from the ground truth (checked-in file in step)', () => {
    const bytes = readFileSync(GROUND_TRUTH_PATH);
    const { header, records } = parseCsv(bytes);
    const derived = deriveContract(header, records, { file: basename(GROUND_TRUTH_PATH), sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(readFileSync(CONTRACT_PATH, 'utf8')).toBe(`${JSON.stringify(derived, null, 2)}\n`);
  });

  it('types each of the 26 columns as the extraction specifies', () => {
    const types = Object.fromEntries(CONTRACT.columns.map((column) => [column.name, column.type]));
    expect(types).toMatchObject({ rally: 'integer', serve: 'integer', hitpoint: 'category', speed: 'float', 'outside.sideline': 'boolean', id: 'identifier', outcome: 'target' });
    expect(CONTRACT.columns.every((column) => column.nullable === false)).toBe(true);
    expect(CONTRACT.columns.find((column) => column.name === 'id')).toMatchObject({ unique: true });
  });

  it('refuses a malformed contract', () => {
    expect(() => parseContract({ kind: 'x' })).toThrow(/not a rally.DataContract/);
    expect(() => parseContract({ ...CONTRACT, target: 'winner' })).toThrow(/target "winner"/);
    expect(() => parseContract({ ...CONTRACT, columns: [...CONTRACT.columns, CONTRACT.columns[0]] })).toThrow(/twice/);
  });

  it('reports columns out of order as valid (columns are matched by name)', () => {
    const path = mutate((records, header) => {
      header.reverse();
      records.forEach((record) => record.reverse());
    });
    expect(validateCsvFile(path).report.valid).toBe(true);
  });
});
