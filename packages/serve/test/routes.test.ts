// @module-tag integration
import { describe, expect } from 'vitest';
import { sampleDataPoints } from '@rally/features';
import { test } from './fixtures.ts';

describe('POST /predict/proba', () => {
  test('gives per-class probabilities summing to 1, the label and the model id', async ({ client }) => {
    const points = sampleDataPoints(20, 2);
    const response = await client.inject({ method: 'POST', url: '/predict/proba', payload: { data: points } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model_id).toMatch(/^[0-9a-f]{64}$/);
    expect(response.headers['x-model-id']).toBe(body.model_id);
    expect(body.classes).toEqual(['FE', 'UE', 'W']);
    expect(body.predictions).toHaveLength(20);
    const labels = (await client.inject({ method: 'POST', url: '/predict', payload: { data: points } })).json();
    for (const [i, prediction] of body.predictions.entries()) {
      const values = Object.values(prediction.probabilities) as number[];
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(prediction.label).toBe(labels[i]);
    }
  });
});

describe('service routes', () => {
  test('GET /ping answers pong! (the original)', async ({ client }) => {
    const response = await client.inject({ url: '/ping' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('pong!');
  });

  test('readiness and liveness answer 200 once a model is loaded', async ({ client }) => {
    expect((await client.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await client.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', model_id: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  test('GET /model describes the production model', async ({ client }) => {
    const body = (await client.inject({ url: '/model' })).json();
    expect(body).toMatchObject({ model_id: expect.stringMatching(/^[0-9a-f]{64}$/), classes: ['FE', 'UE', 'W'], promoted_at: expect.any(String) });
    expect(body.features).toHaveLength(14);
    expect(body.metrics.test_log_loss).toBeGreaterThan(0);
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test('unknown routes answer 404 JSON', async ({ client }) => {
    const response = await client.inject({ url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toMatch(/No route GET \/nope/);
  });
});
