// @module-tag integration
/** The 400 answers' lists of problems at their edges: what is listed, how the rest is counted, nothing coerced. */
import { describe, expect, it } from 'vitest';
import { examplePoint } from '@rally/features';
import type { Predictor } from '@rally/predict';
import { buildApp, ILL_FORMED_DATA, MISSING_DATA_KEY } from '../src/index.ts';

const predictor: Predictor = {
  ready: true,
  modelInfo: null,
  predict: (points) => ({ modelId: 'm', labels: points.map(() => 'W') }),
  predictProba: (points) => ({ modelId: 'm', classes: ['FE', 'UE', 'W'], labels: points.map(() => 'W'), probabilities: points.map(() => [0, 0, 1]) }),
};

async function answer(payload: unknown) {
  const app = await buildApp({ predictor });
  try {
    const response = await app.inject({ method: 'POST', url: '/predict', payload: payload as object });
    return { status: response.statusCode, body: response.json() };
  } finally {
    await app.close();
  }
}

const point = examplePoint();
/** Valid points with `extra` unknown fields each: `extra` problems per point. */
const withUnknown = (extra: number) => Object.fromEntries([...Object.entries(point), ...Array.from({ length: extra }, (_, i) => [`u${i}`, 0])]);

describe('the body itself', () => {
  it.each([
    ['no data key', { points: [point] }, { message: MISSING_DATA_KEY, code: 'REQUEST_INVALID', errors: [{ point: null, field: 'data', problem: MISSING_DATA_KEY }] }],
    ['an array body', [point], { message: MISSING_DATA_KEY, code: 'REQUEST_INVALID', errors: [{ point: null, field: 'data', problem: MISSING_DATA_KEY }] }],
    ['data a number', { data: 3 }, { message: ILL_FORMED_DATA, code: 'REQUEST_INVALID', errors: [{ point: null, field: 'data', problem: ILL_FORMED_DATA }] }],
    [
      'points that are not objects',
      { data: [point, 3, [point], null] },
      {
        message: ILL_FORMED_DATA,
        code: 'REQUEST_INVALID',
        errors: [
          { point: 1, field: null, problem: 'Point 1 must be an object.' },
          { point: 2, field: null, problem: 'Point 2 must be an object.' },
          { point: 3, field: null, problem: 'Point 3 must be an object.' },
        ],
      },
    ],
  ])('%s: the whole answer', async (_name, payload, expected) => {
    const { status, body } = await answer(payload);
    expect(status).toBe(400);
    expect(body).toEqual(expected);
  });

  it.each(['null', '3', '"text"', 'true'])('a JSON %s body is a 400 naming the data key', async (raw) => {
    const app = await buildApp({ predictor });
    const response = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: raw });
    await app.close();
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: MISSING_DATA_KEY, code: 'REQUEST_INVALID' });
  });

  it('keeps other keys beside data, as the original did', async () => {
    expect((await answer({ data: point, client: 'v1' })).status).toBe(200);
  });
});

describe('nothing is coerced', () => {
  it.each([
    ['speed', '35.5'],
    ['serve', '1'],
    ['same.side', 'true'],
    ['rally', 4.0000001],
  ])('%s given as %j is a 400, not converted', async (field, value) => {
    const { status, body } = await answer({ data: { ...point, [field]: value } });
    expect(status).toBe(400);
    expect(body.code).toBe('PREDICT_INVALID_POINT');
    expect(body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });
});

describe('counting problems', () => {
  it('two problems: the first, and "1 more problem" (singular)', async () => {
    const { body } = await answer({ data: [{ ...point, speed: 'x' }, { ...point, depth: 'y' }] });
    expect(body.errors).toHaveLength(2);
    expect(body.message).toBe(`${body.errors[0].problem} 1 more problem in "errors".`);
  });

  it('exactly 100 problems are all listed, with no "there are more"', async () => {
    const bad = { ...point, speed: 'x', depth: 'y' };
    const { body } = await answer({ data: [...Array(50).fill(bad), point, point] });
    expect(body.errors).toHaveLength(100);
    expect(body.message).toBe(`${body.errors[0].problem} 99 more problems in "errors".`);
    expect(body.errors.at(-1)).toMatchObject({ point: 49 });
  });

  it('a 101st problem, even in a later point, adds "there are more"', async () => {
    const bad = { ...point, speed: 'x', depth: 'y' };
    const { body } = await answer({ data: [...Array(50).fill(bad), point, { ...point, serve: 7 }] });
    expect(body.errors).toHaveLength(100);
    expect(body.message).toBe(`${body.errors[0].problem} 99 more problems in "errors". Only the first 100 problems are listed; there are more.`);
  });

  it('a point with 100 unknown fields lists them all; with 101 it says there are more', async () => {
    const hundred = (await answer({ data: withUnknown(100) })).body;
    expect(hundred.errors).toHaveLength(100);
    expect(hundred.errors[99]).toEqual({ point: 0, field: 'u99', problem: 'Point 0 has unknown field "u99".' });
    expect(hundred.message).toBe('Point 0 has unknown field "u0". 99 more problems in "errors".');
    const more = (await answer({ data: withUnknown(101) })).body;
    expect(more.errors).toHaveLength(100);
    expect(more.message).toBe('Point 0 has unknown field "u0". 99 more problems in "errors". Only the first 100 problems are listed; there are more.');
  });

  it('a point that crosses the 100th problem is cut at 100, and the message counts the 99 listed after the first', async () => {
    const bad = { ...point, speed: 'x', depth: 'y' };
    const { body } = await answer({ data: [...Array(49).fill(bad), withUnknown(30)] });
    expect(body.errors).toHaveLength(100);
    expect(body.errors.at(-1)).toEqual({ point: 49, field: 'u1', problem: 'Point 49 has unknown field "u1".' });
    expect(body.message).toBe(`${body.errors[0].problem} 99 more problems in "errors". Only the first 100 problems are listed; there are more.`);
  });

  it('150 points that are not objects: the first 100 listed', async () => {
    const { status, body } = await answer({ data: Array(150).fill(7) });
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(100);
    expect(body.errors.at(-1)).toEqual({ point: 99, field: null, problem: 'Point 99 must be an object.' });
  });

  it('a full batch (exactly the limit) with one bad point is a 400 listing that point, not a 413', async () => {
    const { status, body } = await answer({ data: [...Array(999).fill(point), { ...point, speed: -1 }] });
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ point: 999, field: 'speed', problem: expect.stringMatching(/^Point 999 field "speed" is -1;/) }]);
  });

  it('an empty batch: the whole answer', async () => {
    const { status, body } = await answer({ data: [] });
    expect(status).toBe(400);
    expect(body).toEqual({ message: "'data' is an empty array: send at least one data point.", code: 'REQUEST_INVALID', errors: [{ point: null, field: 'data', problem: "'data' is an empty array: send at least one data point." }] });
  });

  it('a point with 101 unknown fields still has its contract fields checked first', async () => {
    const { body } = await answer({ data: { ...withUnknown(101), speed: -5 } });
    expect(body.errors[0]).toMatchObject({ point: 0, field: 'speed' });
    expect(body.errors[1]).toMatchObject({ field: 'u0' });
  });
});
