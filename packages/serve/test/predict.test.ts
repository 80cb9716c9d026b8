// @module-tag integration
import { describe, expect } from 'vitest';
import { generateDataPoints, sampleDataPoints } from '@rally/features';
import { EMPTY_BATCH, ILL_FORMED_DATA, MAX_LISTED_PROBLEMS, MISSING_DATA_KEY } from '../src/index.ts';
import { emptyPredictor, failingPredictor, test } from './fixtures.ts';

const CLASSES = ['FE', 'UE', 'W'];
const json = (payload: unknown) => ({ method: 'POST' as const, url: '/predict', payload: payload as object });

describe('POST /predict', () => {
  test.for([1, 10, 100])('answers 200 with one known label per point for %i random points', async (n, { client }) => {
    const response = await client.inject(json({ data: generateDataPoints(n, n) }));
    expect(response.statusCode).toBe(200);
    const labels = response.json();
    expect(labels).toHaveLength(n);
    for (const label of labels) expect(CLASSES).toContain(label);
    expect(response.headers['x-model-id']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('accepts a single point as an object (the original contract) and answers an array', async ({ client }) => {
    const [point] = sampleDataPoints(1, 3);
    const response = await client.inject(json({ data: point }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([expect.any(String)]);
  });

  test('keeps the order of the points', async ({ client }) => {
    const points = sampleDataPoints(30, 4);
    const batch = (await client.inject(json({ data: points }))).json();
    const one = await Promise.all(points.map(async (point) => (await client.inject(json({ data: point }))).json()[0]));
    expect(batch).toEqual(one);
  });
});

describe('client errors answer 400 with a message, a code and every problem', () => {
  const [point] = sampleDataPoints(1, 9);
  const cases: [string, () => object, string, string | RegExp][] = [
    ['a body without data', () => ({ points: [point] }), 'REQUEST_INVALID', MISSING_DATA_KEY],
    ['a JSON array body', () => [point], 'REQUEST_INVALID', MISSING_DATA_KEY],
    ['data a string', () => ({ data: 'point' }), 'REQUEST_INVALID', ILL_FORMED_DATA],
    ['data an array holding a number', () => ({ data: [point, 3] }), 'REQUEST_INVALID', ILL_FORMED_DATA],
    ['data null', () => ({ data: null }), 'REQUEST_INVALID', ILL_FORMED_DATA],
    ['an empty array', () => ({ data: [] }), 'REQUEST_INVALID', EMPTY_BATCH],
    ['a point missing a field', () => ({ data: [{ ...point, depth: undefined }] }), 'PREDICT_INVALID_POINT', 'Point 0 is missing field "depth".'],
    ['a point with an unknown field', () => ({ data: { ...point, spin: 2 } }), 'PREDICT_INVALID_POINT', 'Point 0 has unknown field "spin".'],
    ['text in a numeric field of point 2', () => ({ data: [point, point, { ...point, speed: 'fast' }] }), 'PREDICT_INVALID_POINT', /^Point 2 field "speed" is "fast"/],
    ['an unknown category', () => ({ data: { ...point, hitpoint: 'S' } }), 'PREDICT_INVALID_POINT', /^Point 0 field "hitpoint" is "S"; it must be one of B, F, U, V\.$/],
    ['a null value', () => ({ data: { ...point, serve: null } }), 'PREDICT_INVALID_POINT', /^Point 0 field "serve" is null/],
    ['a boolean written as text', () => ({ data: { ...point, 'same.side': 'True' } }), 'PREDICT_INVALID_POINT', /must be a JSON boolean, true or false \(not a string\)/],
    ["a boolean as JSON's word in a string", () => ({ data: { ...point, 'same.side': 'true' } }), 'PREDICT_INVALID_POINT', /"same\.side" is "true"; it must be a JSON boolean, true or false \(not a string\)\./],
    ['an out-of-range integer', () => ({ data: { ...point, serve: 3 } }), 'PREDICT_INVALID_POINT', /field "serve" is 3; it must be an integer in \[1, 2\]/],
  ];
  test.for(cases)('%s', async ([, body, code, message], { client }) => {
    const response = await client.inject(json(body()));
    expect(response.statusCode).toBe(400);
    const answer = response.json();
    expect(answer.code).toBe(code);
    if (typeof message === 'string') expect(answer.message).toBe(message);
    else expect(answer.message).toMatch(message);
    expect(answer.errors.length).toBeGreaterThan(0);
    // A point's problem leads the list and is the message.
    if (code === 'PREDICT_INVALID_POINT') expect(answer.errors[0].problem).toBe(answer.message);
  });

  test('lists every problem of every point at once, in point then contract order, each naming point and field', async ({ client }) => {
    const [a, b, c] = sampleDataPoints(3, 12);
    const { depth: _depth, ...noDepth } = c;
    const body = { data: [{ ...a, speed: -1, hitpoint: 'S' }, b, { ...noDepth, spin: 1, serve: '2' }] };
    const answer = (await client.inject(json(body))).json();
    expect(answer.code).toBe('PREDICT_INVALID_POINT');
    expect(answer.errors.map((e: { point: number; field: string }) => [e.point, e.field])).toEqual([
      [0, 'hitpoint'],
      [0, 'speed'],
      [2, 'serve'],
      [2, 'depth'],
      [2, 'spin'],
    ]);
    expect(answer.errors[0].problem).toBe(answer.message.split(' 4 more problems')[0]);
    expect(answer.message).toMatch(/ 4 more problems in "errors"\.$/);
    expect(answer.errors.find((e: { field: string }) => e.field === 'depth').problem).toBe('Point 2 is missing field "depth".');
    expect(answer.errors.find((e: { field: string }) => e.field === 'spin').problem).toBe('Point 2 has unknown field "spin".');
  });

  test(`lists at most ${MAX_LISTED_PROBLEMS} problems and counts the rest`, async ({ client }) => {
    const points = sampleDataPoints(60, 13).map((point) => ({ ...point, speed: 'x', depth: 'y' }));
    const answer = (await client.inject(json({ data: points }))).json();
    expect(answer.errors).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(answer.message).toMatch(/ 99 more problems in "errors"\. Only the first 100 problems are listed; there are more\.$/);
  });

  test('a point with 60,000 unknown fields is answered at once, its problems capped', async ({ client }) => {
    const [point] = sampleDataPoints(1, 14);
    const hostile: Record<string, unknown> = { ...point, speed: 'x' };
    for (let i = 0; i < 60_000; i++) hostile[`f${i}`] = 0;
    const started = performance.now();
    const response = await client.inject(json({ data: hostile }));
    expect(performance.now() - started).toBeLessThan(2000);
    const answer = response.json();
    expect(response.statusCode).toBe(400);
    expect(answer.errors).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(answer.errors[0]).toEqual({ point: 0, field: 'speed', problem: expect.stringMatching(/^Point 0 field "speed" is "x"/) });
    expect(answer.errors[1]).toEqual({ point: 0, field: 'f0', problem: 'Point 0 has unknown field "f0".' });
    expect(answer.message).toMatch(/there are more\.$/);
  });

  test('malformed JSON', async ({ client }) => {
    const response = await client.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"data": [' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: expect.stringMatching(/JSON/), code: 'REQUEST_MALFORMED' });
  });

  test('an empty JSON body', async ({ client }) => {
    const response = await client.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/empty/i);
  });

  test('415 for a body that is not JSON', async ({ client }) => {
    const response = await client.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'text/plain' }, payload: 'speed=30' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ message: expect.stringMatching(/Unsupported Media Type/i), code: 'REQUEST_MEDIA_TYPE' });
  });
});

describe('limits answer 413', () => {
  test.override({ appOptions: { limits: { maxBatch: 5, bodyLimit: 20_000 } } });
  test('a batch over the limit', async ({ client }) => {
    const response = await client.inject(json({ data: sampleDataPoints(6, 1) }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ message: 'A batch holds at most 5 points; this one has 6.', code: 'REQUEST_TOO_LARGE' });
  });
  test('a body over the limit', async ({ client }) => {
    const response = await client.inject(json({ data: sampleDataPoints(5, 1), padding: 'x'.repeat(30_000) }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ message: expect.stringMatching(/too large/i), code: 'REQUEST_BODY_TOO_LARGE' });
  });
});

describe('server-side failures', () => {
  test.override({ predictor: failingPredictor });
  test('a failing predictor gives 500 with the original message prefix and no internals', async ({ client }) => {
    const response = await client.inject(json({ data: sampleDataPoints(1) }));
    expect(response.statusCode).toBe(500);
    expect(response.json().message).toMatch(/^An error occurred during prediction: /);
    expect(response.json().code).toBe('PREDICT_FAILED');
    expect(response.json().message).toContain(response.headers['x-request-id']);
    expect(response.json().message).not.toMatch(/exploded/);
  });
});

describe('while no model is loaded', () => {
  test.override({ predictor: emptyPredictor() });
  test('predictions answer 503 with Retry-After', async ({ client }) => {
    const response = await client.inject(json({ data: sampleDataPoints(1) }));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({ message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' });
  });
  test('readiness answers 503, liveness 200, /model 503', async ({ client }) => {
    expect((await client.inject({ url: '/health/ready' })).statusCode).toBe(503);
    expect((await client.inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await client.inject({ url: '/model' })).statusCode).toBe(503);
  });
});

describe('methods', () => {
  test.for(['GET', 'PUT', 'DELETE'] as const)('%s /predict answers 405 with Allow: POST', async (method, { client }) => {
    const response = await client.inject({ method, url: '/predict' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.json()).toMatchObject({ message: expect.stringMatching(/POST/), code: 'METHOD_NOT_ALLOWED' });
  });
});
