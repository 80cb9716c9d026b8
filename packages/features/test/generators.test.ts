// @module-tag unit
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@rally/testkit';
import { CONTRACT, checkPoint, generateDataPoints, GROUND_TRUTH_PATH, inputColumns, pointSchema, sampleDataPoints, validateCsvFile, writeJitteredCopy } from '../src/index.ts';

const inputNames = inputColumns().map((column) => column.name);

describe.each([
  ['sampleDataPoints', sampleDataPoints],
  ['generateDataPoints', generateDataPoints],
])('%s', (_name, make) => {
  it('is deterministic for a seed and varies with it', () => {
    expect(make(20, 7)).toEqual(make(20, 7));
    expect(make(20, 7)).not.toEqual(make(20, 8));
  });
  it('gives points valid under the contract: exactly the 25 input columns, no target', () => {
    const points = make(300, 1);
    expect(points).toHaveLength(300);
    for (const [i, point] of points.entries()) {
      expect(Object.keys(point).sort()).toEqual([...inputNames].sort());
      expect(checkPoint(point, i)).toBeNull();
    }
    expect(inputNames).not.toContain('outcome');
    expect(inputNames).toHaveLength(25);
  });
  it('gives unique ids', () => {
    const ids = make(1000, 2).map((point) => point.id);
    expect(new Set(ids).size).toBe(1000);
  });
});

describe('generateDataPoints', () => {
  it('covers every category and both booleans', () => {
    const points = generateDataPoints(500, 4);
    expect(new Set(points.map((p) => p.hitpoint))).toEqual(new Set(['B', 'F', 'U', 'V']));
    expect(new Set(points.map((p) => p['same.side']))).toEqual(new Set([true, false]));
  });
});

describe('point schema and checkPoint (derived from the contract)', () => {
  it('lists every input column as required, none extra', () => {
    const schema = pointSchema();
    expect(schema.required).toEqual(inputNames);
    expect(schema.additionalProperties).toBe(false);
    expect((schema.properties as Record<string, unknown>).hitpoint).toEqual({
      type: 'string',
      enum: ['B', 'F', 'U', 'V'],
      description: 'How the last shot was struck: F forehand, B backhand, V volley, U unknown.',
      example: 'B',
    });
    expect((schema.properties as Record<string, { description: string }>).speed.description).toBe('Speed of the ball on the last shot. Unit: m/s.');
    expect((schema.properties as Record<string, unknown>).serve).toMatchObject({ type: 'integer', minimum: 1, maximum: 2 });
  });
  it('names the point index and the field in one sentence', () => {
    const [point] = sampleDataPoints(1, 5);
    expect(checkPoint({ ...point, speed: 'fast' }, 3)).toMatch(/^Point 3 field "speed" is "fast"; it must be a finite number in \[0, 120\]\.$/);
    const { depth: _dropped, ...missing } = point;
    expect(checkPoint(missing, 0)).toBe('Point 0 is missing field "depth".');
    expect(checkPoint({ ...point, spin: 1 }, 1)).toBe('Point 1 has unknown field "spin".');
    expect(checkPoint({ ...point, hitpoint: null }, 2)).toMatch(/field "hitpoint" is null/);
    expect(checkPoint({ ...point, 'same.side': 'True' }, 2)).toMatch(/must be a JSON boolean, true or false/);
    expect(checkPoint({ ...point, serve: 1.5 }, 2)).toMatch(/field "serve"/);
    expect(checkPoint([point], 4)).toBe('Point 4 must be an object.');
    expect(CONTRACT.columns).toHaveLength(26);
  });
});

describe('writeJitteredCopy', () => {
  const [header, ...truth] = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split(/\r?\n/);
  const names = header.split(',');
  const floats = CONTRACT.columns.filter((column) => column.type === 'float');
  const idAt = names.indexOf(CONTRACT.columns.find((column) => column.type === 'identifier')!.name);
  // Past the ground truth's rows and past one write of 4,096 lines, so a partial last write follows.
  const rows = truth.length + 4_096 + 7;
  const written = (seed: number, count = rows) => {
    const path = join(tempDir('jittered'), `copy-${seed}-${count}.csv`);
    writeJitteredCopy(path, count, seed);
    return { path, lines: readFileSync(path, 'utf8').split('\n') };
  };

  it('writes the header and exactly the rows asked for, one per line, ending with a newline', () => {
    const { lines } = written(3);
    expect(lines[0]).toBe(header);
    expect(lines).toHaveLength(rows + 2);
    expect(lines.at(-1)).toBe('');
    expect(written(3, 10).lines).toEqual([header, ...truth.slice(0, 10), '']);
  });

  it('a valid extraction under the contract, with no repeated id or row', () => {
    const { path } = written(4);
    const { report } = validateCsvFile(path, CONTRACT, { keepData: false });
    expect(report.violations).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.rows).toBe(rows);
  });

  it('copy 0 is the ground truth; each later row is its original with new ids and every float moved by at most 1% (+ 0.0005), within bounds, the rest untouched', () => {
    const { lines } = written(5);
    expect(lines.slice(1, truth.length + 1)).toEqual(truth);
    let moved = 0;
    for (let r = truth.length; r < rows; r += 1) {
      const cells = lines[r + 1].split(',');
      const original = truth[r % truth.length].split(',');
      const copy = Math.floor(r / truth.length);
      expect(Number(cells[idAt])).toBe(copy * 1_000_000 + Number(original[idAt]));
      names.forEach((name, j) => {
        if (j === idAt) return;
        const spec = floats.find((column) => column.name === name);
        if (spec === undefined) return expect(cells[j], name).toBe(original[j]);
        const [now, was] = [Number(cells[j]), Number(original[j])];
        if (now !== was) moved += 1;
        expect(Math.abs(now - was), name).toBeLessThanOrEqual(Math.abs(was) * 0.01 + 5e-4 + 1e-9);
        expect(now).toBeGreaterThanOrEqual(spec.min ?? -Infinity);
        expect(now).toBeLessThanOrEqual(spec.max ?? Infinity);
      });
    }
    // Most floats move (a few stay, held at a bound or rounded back).
    expect(moved).toBeGreaterThan(0.9 * (rows - truth.length) * floats.length);
  });

  it('is deterministic for a seed, and another seed moves the floats differently', () => {
    expect(written(6).lines).toEqual(written(6).lines);
    const [a, b] = [written(6).lines, written(7).lines];
    expect(a.slice(0, truth.length + 1)).toEqual(b.slice(0, truth.length + 1));
    expect(a.slice(truth.length + 1)).not.toEqual(b.slice(truth.length + 1));
  });
});
