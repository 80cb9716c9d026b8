// @module-tag integration
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { checkPoint, inputColumns, sampleDataPoints } from '@rally/features';
import { test } from './fixtures.ts';

// Throw arbitrary JSON and mutated valid points at /predict: never a 500, never a crash,
// always JSON with a message on 4xx.
const names = inputColumns().map((column) => column.name);
const valid = sampleDataPoints(50, 21);

const mutatedPoint = fc
  .tuple(
    fc.constantFrom(...valid),
    fc.constantFrom(...names, 'extra.field'),
    fc.oneof(fc.constant('drop' as const), fc.jsonValue(), fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null)),
  )
  .map(([point, field, change]) => {
    const copy: Record<string, unknown> = { ...point };
    if (change === 'drop') delete copy[field];
    else copy[field] = change;
    return copy;
  });

const bodies = fc.oneof(
  fc.jsonValue(),
  fc.record({ data: fc.jsonValue() }),
  fc.record({ data: mutatedPoint }),
  fc.record({ data: fc.array(fc.oneof(mutatedPoint, fc.constantFrom(...valid)), { maxLength: 8 }) }),
);

describe('property: /predict never fails on the server side', () => {
  test('arbitrary JSON bodies and mutated points get 200 or a 4xx JSON message', async ({ client }) => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const response = await client.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
        expect(response.statusCode).toBeLessThan(500);
        const parsed = response.json();
        if (response.statusCode === 200) expect(Array.isArray(parsed)).toBe(true);
        else {
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(typeof parsed.message).toBe('string');
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  test('arbitrary bytes as a JSON body get a 4xx JSON message', async ({ client }) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
        const response = await client.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: text });
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode !== 200) expect(typeof response.json().message).toBe('string');
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  test('the HTTP validation (Ajv, the document\'s schema) and checkPoint (the predictor\'s own check) agree on every point', async ({ client }) => {
    const multiMutated = fc.array(mutatedPoint, { minLength: 1, maxLength: 3 }).map((points) => Object.assign({}, ...points) as Record<string, unknown>);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(mutatedPoint, multiMutated, fc.constantFrom(...valid)), { minLength: 1, maxLength: 4 }), async (points) => {
        const response = await client.inject({ method: 'POST', url: '/predict', payload: { data: points } });
        const problems = points.map((point, index) => checkPoint(point, index)).filter((problem) => problem !== null);
        if (problems.length === 0) {
          expect(response.statusCode).toBe(200);
          return;
        }
        expect(response.statusCode).toBe(400);
        const answer = response.json();
        expect(answer.code).toBe('PREDICT_INVALID_POINT');
        // checkPoint gives each point's first problem: the same sentences, the same points.
        const firstPerPoint = new Map<number, string>();
        for (const error of answer.errors) if (!firstPerPoint.has(error.point)) firstPerPoint.set(error.point, error.problem);
        expect([...firstPerPoint.values()]).toEqual(problems);
        expect(answer.message.startsWith(problems[0]!)).toBe(true);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
