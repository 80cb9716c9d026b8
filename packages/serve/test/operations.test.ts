// @module-tag integration
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect } from 'vitest';
import { sampleDataPoints } from '@rally/features';
import { buildApp, configFromEnv } from '../src/index.ts';
import { loggerOptions } from '../src/logging.ts';
import { emptyPredictor, productionPredictor, samples, test } from './fixtures.ts';

const predict = (payload: object, headers: Record<string, string> = {}) => ({ method: 'POST' as const, url: '/predict', payload, headers });


describe('GET /metrics', () => {
  test('counts predictions per class and batch sizes, and names the loaded model', async ({ client }) => {
    const first = await client.inject(predict({ data: sampleDataPoints(7, 1) }));
    const second = await client.inject(predict({ data: sampleDataPoints(1, 2)[0] }));
    const labels = [...first.json(), ...second.json()] as string[];
    const response = await client.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    const perClass = samples(text, 'rally_predictions_total');
    for (const label of new Set(labels)) expect(perClass.get(`{class="${label}"}`)).toBe(labels.filter((l) => l === label).length);
    expect(samples(text, 'rally_batch_size_points_count').get('')).toBe(2);
    expect(samples(text, 'rally_batch_size_points_sum').get('')).toBe(8);
    expect(samples(text, 'rally_batch_size_points_bucket').get('{le="5"}')).toBe(1);
    const modelId = (await productionPredictor()).modelInfo!.model_id;
    expect(samples(text, 'rally_model_info').get(`{model_id="${modelId}"}`)).toBe(1);
    expect(samples(text, 'rally_model_reloads_total').get('{result="success"}')).toBe(1);
    expect(samples(text, 'process_resident_memory_bytes').size).toBe(1);
  });

  test('times every request by route pattern and status, unknown paths under one label', async ({ client }) => {
    await client.inject(predict({ data: sampleDataPoints(1, 3) }));
    await client.inject(predict({ data: [] }));
    await client.inject({ url: '/nowhere/1' });
    await client.inject({ url: '/nowhere/2' });
    const text = (await client.inject({ url: '/metrics' })).body;
    const counts = samples(text, 'http_request_duration_seconds_count');
    expect(counts.get('{method="POST",route="/predict",status_code="200"}')).toBe(1);
    expect(counts.get('{method="POST",route="/predict",status_code="400"}')).toBe(1);
    expect(counts.get('{method="GET",route="unmatched",status_code="404"}')).toBe(2);
    expect(text).not.toMatch(/nowhere/);
  });
});

describe("the server's concerns", () => {
  test('are Fastify plugins (fastify-plugin), registered on the app by name', async ({ client }) => {
    for (const name of ['rally-request-ids', 'rally-draining-answers', 'rally-content-encodings', 'rally-json-bodies', 'rally-error-answers', 'rally-metrics']) {
      expect(client.hasPlugin(name), name).toBe(true);
    }
  });
});

describe('GET /metrics, linted', () => {
  // Prometheus's own linter: CI installs it (Debian's prometheus); elsewhere the test needs it on PATH.
  const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) => existsSync(path));
  test.skipIf(!promtool && !process.env.CI)('passes promtool check metrics, with the process and event-loop metrics kept', async ({ client }) => {
    expect(promtool, 'promtool is not installed (apt-get install prometheus)').toBeDefined();
    await client.inject(predict({ data: sampleDataPoints(3, 5) }));
    const text = (await client.inject({ url: '/metrics' })).body;
    const result = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_active_handles', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) expect(text).not.toMatch(new RegExp(`^${name}`, 'm'));
  });
});

describe('GET /metrics without a model', () => {
  test.override({ predictor: emptyPredictor() });
  test('without a model: no model_info sample, failed loads counted', async ({ client, predictor }) => {
    await (predictor as ReturnType<typeof emptyPredictor>).refresh().catch(() => undefined);
    const text = (await client.inject({ url: '/metrics' })).body;
    expect(samples(text, 'rally_model_info').size).toBe(0);
    expect(samples(text, 'rally_model_reloads_total').get('{result="failure"}')).toBe(1);
  });
});

describe('request ids', () => {
  test('every answer carries X-Request-Id: the caller\'s when it is a sane token, a new UUID otherwise', async ({ client }) => {
    const mine = await client.inject(predict({ data: sampleDataPoints(1, 4) }, { 'x-request-id': 'lb-7f3a.42' }));
    expect(mine.headers['x-request-id']).toBe('lb-7f3a.42');
    const fresh = await client.inject({ url: '/ping' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const other = await client.inject({ url: '/ping' });
    expect(other.headers['x-request-id']).not.toBe(fresh.headers['x-request-id']);
    for (const hostile of ['x'.repeat(200), 'two words', 'a\u0007b']) {
      const response = await client.inject({ url: '/nope', headers: { 'x-request-id': hostile } });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('logs', () => {
  test('carry the request id and the model id as fields, and the 500 answer names the request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const predictor = await productionPredictor();
    const broken = { ...predictor, ready: true, modelInfo: predictor.modelInfo, predict: () => { throw new Error('forest exploded'); }, predictProba: () => { throw new Error('x'); } };
    // The logger as startWithConfig builds it, with the stream swapped for this test's.
    const options = (await loggerOptions(configFromEnv({ LOG_FORMAT: 'json' }), () => predictor.modelInfo?.model_id)) as object;
    const app = await buildApp({ predictor: broken, logger: { ...options, stream } });
    const response = await app.inject(predict({ data: sampleDataPoints(1, 5) }, { 'x-request-id': 'trace-123' }));
    await app.close();
    expect(response.statusCode).toBe(500);
    expect(response.json().message).toContain('trace-123');
    const failure = lines.find((line) => line.msg === 'request failed')!;
    expect(failure).toMatchObject({ request_id: 'trace-123', model_id: predictor.modelInfo!.model_id, level: 50 });
  });
});

describe('log format', () => {
  test('JSON lines for machines, pino-pretty for a terminal, nothing when silent', async () => {
    const modelId = () => 'abc';
    const json = await loggerOptions(configFromEnv({ LOG_FORMAT: 'json' }), modelId);
    expect(json).toMatchObject({ level: 'info' });
    expect(json).not.toHaveProperty('stream');
    expect((json as { mixin: () => object }).mixin()).toEqual({ model_id: 'abc' });
    const pretty = await loggerOptions(configFromEnv({ LOG_FORMAT: 'auto' }, { isTerminal: true }), () => undefined);
    expect(pretty).toHaveProperty('stream');
    expect((pretty as { mixin: () => object }).mixin()).toEqual({});
    expect(await loggerOptions(configFromEnv({ LOG_LEVEL: 'silent' }), modelId)).toBe(false);
  });
});
