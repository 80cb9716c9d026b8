// @module-tag unit
/**
 * The JSON side of the contract (issue 15): the point schema the HTTP API validates with, the
 * example point, and checkPoint's one-sentence messages.
 */
import { describe, expect, it } from 'vitest';
import {
  CONTRACT,
  type DataContract,
  checkPoint,
  examplePoint,
  fieldProblem,
  inputColumns,
  missingFieldProblem,
  pointSchema,
  unknownFieldProblem,
} from '../src/index.ts';
import { dataLines, header } from './helpers.ts';

const small: DataContract = {
  ...CONTRACT,
  target: 'outcome',
  columns: [
    { name: 'n', type: 'integer', nullable: false, min: 1, max: 5, example: 2 },
    { name: 'x', type: 'float', nullable: false, min: -1.5, max: 3, description: 'A length.', unit: 'm', example: 0 },
    { name: 'flag', type: 'boolean', nullable: false, description: 'A flag.', example: false },
    { name: 'kind', type: 'category', nullable: false, categories: ['a', 'b'], example: 'a' },
    { name: 'id', type: 'identifier', nullable: false, unique: true, example: 7 },
    { name: 'id2', type: 'identifier', nullable: false, min: 100 },
    { name: 'outcome', type: 'target', nullable: false, categories: ['W', 'L'] },
  ],
};

const valid = { n: 2, x: 0, flag: false, kind: 'a', id: 7, id2: 100 };

describe('pointSchema', () => {
  it('derives each column type, bound, description (with its unit) and example', () => {
    // Strict: a key present with an undefined value (an example the column lacks) is a difference.
    expect(pointSchema(small)).toStrictEqual({
      type: 'object',
      description: 'One tennis point: the measurements of its last two shots and of both players, every input column of the data contract.',
      additionalProperties: false,
      required: ['n', 'x', 'flag', 'kind', 'id', 'id2'],
      properties: {
        n: { type: 'integer', minimum: 1, maximum: 5, example: 2 },
        x: { type: 'number', minimum: -1.5, maximum: 3, description: 'A length. Unit: m.', example: 0 },
        flag: { type: 'boolean', description: 'A flag.', example: false },
        kind: { type: 'string', enum: ['a', 'b'], example: 'a' },
        id: { type: 'integer', minimum: 0, example: 7 },
        id2: { type: 'integer', minimum: 100 },
      },
    });
  });

  it('covers every input column of the checked-in contract, the target left out', () => {
    const schema = pointSchema() as { required: string[]; properties: Record<string, { description?: string }> };
    expect(schema.required).toEqual(CONTRACT.columns.filter((c) => c.name !== 'outcome').map((c) => c.name));
    expect(Object.keys(schema.properties)).toEqual(schema.required);
    expect(schema.properties.id).toMatchObject({ type: 'integer', minimum: 0 });
    expect(schema.properties['outside.sideline']).toMatchObject({ type: 'boolean', example: false });
    expect(schema.properties.rally.description).toBe('Number of shots in the point, the serve included.');
  });
});

describe('examplePoint', () => {
  it("is the ground truth's first row, typed, without the target", () => {
    const first = dataLines[0].split(',');
    const point = examplePoint();
    expect(Object.keys(point)).toEqual(inputColumns().map((c) => c.name));
    for (const spec of inputColumns()) {
      const raw = first[header.indexOf(spec.name)];
      const expected = spec.type === 'boolean' ? raw === 'True' : spec.type === 'category' ? raw : Number(raw);
      expect(point[spec.name], spec.name).toBe(expected);
    }
    expect(checkPoint(point, 0)).toBeNull();
  });

  it('takes the examples of the contract it is given', () => {
    expect(examplePoint(small)).toEqual({ n: 2, x: 0, flag: false, kind: 'a', id: 7, id2: undefined });
  });
});

describe('checkPoint', () => {
  it('accepts a valid point (null)', () => {
    expect(checkPoint(valid, 0, small)).toBeNull();
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'x'],
    ['an array', [valid]],
    ['a number', 3],
  ])('refuses %s: not an object', (_what, point) => {
    expect(checkPoint(point, 4, small)).toBe('Point 4 must be an object.');
  });

  it('names the first missing field in contract order', () => {
    const { x: _x, kind: _kind, ...rest } = valid;
    expect(checkPoint(rest, 1, small)).toBe('Point 1 is missing field "x".');
  });

  it('counts a field set to undefined as present but null', () => {
    expect(checkPoint({ ...valid, kind: undefined }, 2, small)).toBe('Point 2 field "kind" is null; it must be one of a, b.');
  });

  it.each([
    ['n', 0, 'Point 3 field "n" is 0; it must be an integer in [1, 5].'],
    ['n', 2.5, 'Point 3 field "n" is 2.5; it must be an integer in [1, 5].'],
    ['x', '1', 'Point 3 field "x" is "1"; it must be a finite number in [-1.5, 3].'],
    ['x', null, 'Point 3 field "x" is null; it must be a finite number in [-1.5, 3].'],
    ['flag', 'True', 'Point 3 field "flag" is "True"; it must be a JSON boolean, true or false (not a string).'],
    ['flag', 'true', 'Point 3 field "flag" is "true"; it must be a JSON boolean, true or false (not a string).'],
    ['flag', 0, 'Point 3 field "flag" is 0; it must be a JSON boolean, true or false (not a string).'],
    ['kind', 'c', 'Point 3 field "kind" is "c"; it must be one of a, b.'],
    ['kind', true, 'Point 3 field "kind" is true; it must be one of a, b.'],
    ['kind', [1, 2, 3], 'Point 3 field "kind" is an array of 3; it must be one of a, b.'],
    ['kind', { a: 1 }, 'Point 3 field "kind" is an object; it must be one of a, b.'],
    ['id', 2.5, 'Point 3 field "id" is 2.5; it must be an integer >= 0, unique.'],
    ['id2', 99, 'Point 3 field "id2" is 99; it must be an integer >= 100.'],
  ])('field %s = %j: %s', (name, bad, message) => {
    expect(checkPoint({ ...valid, [name]: bad }, 3, small)).toBe(message);
  });

  it('names the type of a value JSON cannot hold', () => {
    expect(checkPoint({ ...valid, id: 10n }, 3, small)).toBe('Point 3 field "id" is bigint; it must be an integer >= 0, unique.');
  });

  it('cuts a long string at 40 characters', () => {
    const long = 'x'.repeat(41);
    expect(checkPoint({ ...valid, kind: long }, 0, small)).toBe(`Point 0 field "kind" is "${'x'.repeat(40)}…"; it must be one of a, b.`);
    const exact = 'y'.repeat(40);
    expect(checkPoint({ ...valid, kind: exact }, 0, small)).toBe(`Point 0 field "kind" is "${exact}"; it must be one of a, b.`);
  });

  it('names an unknown field once the known ones are right', () => {
    expect(checkPoint({ ...valid, spin: 3 }, 5, small)).toBe('Point 5 has unknown field "spin".');
    expect(checkPoint({ ...valid, n: 9, spin: 3 }, 5, small)).toMatch(/field "n"/);
    expect(checkPoint({ ...valid, outcome: 'W' }, 6, small)).toBe('Point 6 has unknown field "outcome".');
  });

  it('uses the checked-in contract by default', () => {
    expect(checkPoint({}, 0)).toBe('Point 0 is missing field "rally".');
  });
});

describe('the message helpers', () => {
  it('say the same as checkPoint', () => {
    expect(missingFieldProblem(2, 'speed')).toBe('Point 2 is missing field "speed".');
    expect(unknownFieldProblem(2, 'a'.repeat(50))).toBe(`Point 2 has unknown field "${'a'.repeat(40)}…".`);
    expect(fieldProblem(1, small.columns[0], undefined)).toBe('Point 1 field "n" is null; it must be an integer in [1, 5].');
    expect(fieldProblem(1, small.columns[0], () => 1)).toBe('Point 1 field "n" is function; it must be an integer in [1, 5].');
  });
});
