// @module-tag integration
/**
 * What a client gets back, exactly: every row of the README's error table with its body, the
 * batch limit at its edge, readiness and /model with and without a model, request ids, and the
 * metrics a scrape reads. Predictors here are plain objects, so each answer is known in advance.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RallyError } from '@rally/errors';
import { examplePoint } from '@rally/features';
import type { ModelInfo, Predictor } from '@rally/predict';
import { buildApp, type AppOptions } from '../src/index.ts';
import { samples } from './fixtures.ts';

const MODEL: ModelInfo = {
  model_id: 'a'.repeat(64),
  created_at: '2026-01-02T03:04:05.000Z',
  promoted_at: '2026-01-03T00:00:00.000Z',
  metrics: { test_log_loss: 0.61, accuracy: 0.72, cv_mean_log_loss: 0.63, cv_std_log_loss: 0.02 },
  classes: ['FE', 'UE', 'W'],
  features: ['speed', 'depth'],
  estimator: { kind: 'random_forest', n_estimators: 10 } as never,
};

/** A predictor that labels the points of a request with `labels` in turn. */
function fakePredictor(labels: readonly string[] = ['W'], overrides: Partial<Predictor> = {}): Predictor {
  const labelled = (points: readonly unknown[]) => points.map((_, i) => labels[i % labels.length]);
  return {
    ready: true,
    modelInfo: MODEL,
    predict: (points) => ({ modelId: MODEL.model_id, labels: labelled(points) }),
    predictProba: (points) => ({
      modelId: MODEL.model_id,
      classes: ['FE', 'UE', 'W'],
      labels: labelled(points),
      probabilities: points.map(() => [0.25, 0.25, 0.5]),
    }),
    ...overrides,
  };
}

const throwing = (error: Error): Partial<Predictor> => ({
  predict: () => {
    throw error;
  },
  predictProba: () => {
    throw error;
  },
});

async function withApp(options: Partial<AppOptions> & { predictor?: Predictor }, use: (app: FastifyInstance) => Promise<void>): Promise<void> {
  const app = await buildApp({ predictor: fakePredictor(), ...options });
  try {
    await use(app);
  } finally {
    await app.close();
  }
}

/** How often the server checks its connections' timeouts (Node's option; its types lack the property). */
const checkingInterval = (app: FastifyInstance) => (app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval;

const point = examplePoint();
const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => ({ method: 'POST' as const, url, payload: payload as object, headers });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the batch limit', () => {
  it('takes a batch of exactly MAX_BATCH_POINTS (1000 by default), refuses one more with 413', () =>
    withApp({}, async (app) => {
      for (const url of ['/predict', '/predict/proba']) {
        const full = await app.inject(post(url, { data: Array(1000).fill(point) }));
        expect(full.statusCode, url).toBe(200);
        const over = await app.inject(post(url, { data: Array(1001).fill(point) }));
        expect(over.statusCode, url).toBe(413);
        expect(over.json()).toEqual({ message: 'A batch holds at most 1000 points; this one has 1001.', code: 'REQUEST_TOO_LARGE' });
      }
      expect((await app.inject(post('/predict', { data: Array(1000).fill(point) }))).json()).toHaveLength(1000);
    }));

  it('follows a configured limit', () =>
    withApp({ limits: { maxBatch: 3 } }, async (app) => {
      expect((await app.inject(post('/predict', { data: [point, point, point] }))).statusCode).toBe(200);
      expect((await app.inject(post('/predict', { data: [point, point, point, point] }))).json()).toEqual({
        message: 'A batch holds at most 3 points; this one has 4.',
        code: 'REQUEST_TOO_LARGE',
      });
    }));
});

describe('POST /predict/proba', () => {
  it('answers each point\'s label and probabilities by class name, with the model id in the body and the header', () =>
    withApp({ predictor: fakePredictor(['W', 'UE']) }, async (app) => {
      const response = await app.inject(post('/predict/proba', { data: [point, point] }));
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-model-id']).toBe(MODEL.model_id);
      expect(response.json()).toEqual({
        model_id: MODEL.model_id,
        classes: ['FE', 'UE', 'W'],
        predictions: [
          { label: 'W', probabilities: { FE: 0.25, UE: 0.25, W: 0.5 } },
          { label: 'UE', probabilities: { FE: 0.25, UE: 0.25, W: 0.5 } },
        ],
      });
    }));
});

describe('every status of the error table, with its body', () => {
  it('400 REQUEST_MALFORMED: malformed JSON, an empty body, a forbidden prototype key, nesting deeper than 32', () =>
    withApp({}, async (app) => {
      const raw = (payload: string) => app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload });
      const malformed = await raw('{"data": [');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json()).toEqual({ message: expect.stringMatching(/not valid JSON/), code: 'REQUEST_MALFORMED' });
      expect((await raw('')).json()).toEqual({ message: expect.stringMatching(/cannot be empty/), code: 'REQUEST_MALFORMED' });
      for (const poisoned of [`{"data": ${JSON.stringify(point)}, "__proto__": {"x": 1}}`, `{"data": ${JSON.stringify(point)}, "constructor": {"prototype": {"x": 1}}}`]) {
        const response = await raw(poisoned);
        expect(response.statusCode).toBe(400);
        // Refused, not silently stripped (Fastify's default parser would otherwise be asked to ignore them).
        expect(response.json()).toEqual({
          message: 'The body is valid JSON but has a "__proto__" key (or "constructor" with "prototype"): refused, as it could poison object prototypes. Remove that key.',
          code: 'REQUEST_MALFORMED',
        });
      }
      // The body object is level 1: an extra key may hold 31 more levels, not 32.
      const nested = (levels: number) => `{"data": ${JSON.stringify(point)}, "extra": ${'['.repeat(levels)}${']'.repeat(levels)}}`;
      expect((await raw(nested(31))).statusCode).toBe(200);
      expect((await raw(nested(32))).json()).toEqual({
        message: 'The request body nests arrays or objects more than 32 levels deep; a data point is a flat object.',
        code: 'REQUEST_MALFORMED',
      });
      const objects = (levels: number) => `{"data": ${JSON.stringify(point)}, "extra": ${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
      expect((await raw(objects(30))).statusCode).toBe(200);
      expect((await raw(objects(32))).statusCode).toBe(400);
    }));

  it('400 for a large body (it waits its turn first) that is malformed or nested too deep', () =>
    withApp({}, async (app) => {
      const raw = (payload: string) => app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload });
      const padding = 'x'.repeat(20_000);
      expect((await raw(`{"data": ${JSON.stringify(point)}, "padding": "${padding}"`)).json()).toMatchObject({ code: 'REQUEST_MALFORMED' });
      expect((await raw(`{"data": ${JSON.stringify(point)}, "padding": "${padding}", "extra": ${'['.repeat(40)}${']'.repeat(40)}}`)).json().message).toMatch(/more than 32 levels deep/);
      expect((await raw(`{"data": ${JSON.stringify(point)}, "padding": "${padding}"}`)).statusCode).toBe(200);
    }));

  it('413 REQUEST_BODY_TOO_LARGE for a body over BODY_LIMIT_BYTES', () =>
    withApp({ limits: { bodyLimit: 2048 } }, async (app) => {
      const response = await app.inject(post('/predict', { data: point, padding: 'x'.repeat(2048) }));
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({ message: 'Request body is too large', code: 'REQUEST_BODY_TOO_LARGE' });
      expect(response.headers['retry-after']).toBeUndefined();
    }));

  it('415 REQUEST_MEDIA_TYPE for a body that is not JSON', () =>
    withApp({}, async (app) => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const response = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': type }, payload: 'data=1' });
        expect(response.statusCode).toBe(415);
        expect(response.json()).toEqual({ message: 'Unsupported Media Type', code: 'REQUEST_MEDIA_TYPE' });
      }
    }));

  it('404 ROUTE_NOT_FOUND names the method and the path (cut at 200 characters)', () =>
    withApp({}, async (app) => {
      expect((await app.inject({ method: 'DELETE', url: '/nope?x=1' })).json()).toEqual({ message: 'No route DELETE /nope?x=1.', code: 'ROUTE_NOT_FOUND' });
      const long = `/${'p'.repeat(300)}`;
      const response = await app.inject({ url: long });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ message: `No route GET ${long.slice(0, 200)}.`, code: 'ROUTE_NOT_FOUND' });
    }));

  it.each(['/predict', '/predict/proba'])('405 METHOD_NOT_ALLOWED with Allow: POST on %s for every other method', (url) =>
    withApp({}, async (app) => {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
        const response = await app.inject({ method, url });
        expect(response.statusCode, method).toBe(405);
        expect(response.headers.allow).toBe('POST');
        expect(response.json()).toEqual({ message: `Use POST on ${url}.`, code: 'METHOD_NOT_ALLOWED' });
      }
    }));

  it('503 PREDICT_NO_MODEL with Retry-After: 5 from both prediction routes', () =>
    withApp({ predictor: fakePredictor(['W'], { ready: false, modelInfo: null, ...throwing(new RallyError('PREDICT_NO_MODEL', 'No production model is loaded yet.')) }) }, async (app) => {
      for (const url of ['/predict', '/predict/proba']) {
        const response = await app.inject(post(url, { data: point }));
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.json()).toEqual({ message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' });
      }
    }));

  it('500 PREDICT_FAILED from both prediction routes, naming the request, whatever failed inside (a store error, an estimator error that would be a 400 too)', async () => {
    // A 400-coded error from inside the model (the forest refusing the matrix a broken model makes) is the server's fault too.
    const estimator = new RallyError('ESTIMATOR_BAD_INPUT', 'X has 14 columns; the forest was fitted on 40.');
    for (const error of [new Error('forest exploded'), new RallyError('STORE_UNREACHABLE', 'store at 10.0.0.1 exploded'), estimator]) {
      await withApp({ predictor: fakePredictor(['W'], throwing(error)) }, async (app) => {
        for (const url of ['/predict', '/predict/proba']) {
          const response = await app.inject(post(url, { data: point }, { 'x-request-id': 'req-1' }));
          expect(response.statusCode).toBe(500);
          expect(response.headers['retry-after']).toBeUndefined();
          expect(response.json()).toEqual({ message: 'An error occurred during prediction: request req-1 failed; the server log has the details.', code: 'PREDICT_FAILED' });
        }
      });
    }
  });

  it('500 INTERNAL_ERROR elsewhere, naming the request', () => {
    const broken = fakePredictor();
    Object.defineProperty(broken, 'modelInfo', {
      get() {
        throw new Error('model info exploded');
      },
    });
    Object.defineProperty(broken, 'ready', {
      get() {
        throw new Error('ready exploded');
      },
    });
    return withApp({ predictor: broken }, async (app) => {
      for (const url of ['/model', '/health/ready']) {
        const response = await app.inject({ url, headers: { 'x-request-id': 'req-2' } });
        expect(response.statusCode).toBe(500);
        expect(response.json()).toEqual({ message: 'Internal server error (request req-2).', code: 'INTERNAL_ERROR' });
      }
    });
  });

  it("an error the predictor raises with a client's status is still the server's fault (the points were validated before): 500 PREDICT_FAILED", async () => {
    const problems = [{ point: 0, field: 'speed', problem: 'Point 0 field "speed" is bad.' }];
    for (const error of [new RallyError('PREDICT_INVALID_POINT', 'Point 0 field "speed" is bad.', { details: problems }), new RallyError('STORE_CONFLICT', 'Production changed meanwhile.')]) {
      await withApp({ predictor: fakePredictor(['W'], throwing(error)) }, async (app) => {
        const response = await app.inject(post('/predict', { data: point }, { 'x-request-id': 'req-2' }));
        expect(response.statusCode).toBe(500);
        expect(response.json()).toEqual({ message: 'An error occurred during prediction: request req-2 failed; the server log has the details.', code: 'PREDICT_FAILED' });
      });
    }
  });
});

describe('GET /model', () => {
  it('describes the model that answers', () =>
    withApp({}, async (app) => {
      const response = await app.inject({ url: '/model' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['retry-after']).toBeUndefined();
      expect(response.json()).toEqual(MODEL);
    }));

  it('answers 503 with Retry-After while no model is loaded', () =>
    withApp({ predictor: fakePredictor(['W'], { ready: false, modelInfo: null }) }, async (app) => {
      const response = await app.inject({ url: '/model' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toEqual({ message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' });
    }));
});

describe('GET /health/ready', () => {
  it('answers 200 with the model id once ready', () =>
    withApp({}, async (app) => {
      const response = await app.inject({ url: '/health/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['retry-after']).toBeUndefined();
      expect(response.json()).toEqual({ status: 'ready', model_id: MODEL.model_id });
    }));

  it.each([
    ['the store is unreachable (ECONNREFUSED).', 'No production model is loaded yet: the store is unreachable (ECONNREFUSED).'],
    ['still loading, for 2 s', 'No production model is loaded yet: still loading, for 2 s.'],
    [null, 'No production model is loaded yet.'],
    [undefined, 'No production model is loaded yet.'],
  ])('answers 503 with the reason %j in one sentence', (reason, message) =>
    withApp({ predictor: fakePredictor(['W'], { ready: false, modelInfo: null, notReadyReason: reason }) }, async (app) => {
      const response = await app.inject({ url: '/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toEqual({ status: 'loading', message, code: 'PREDICT_NO_MODEL' });
    }));

  it('liveness and /ping answer whatever the model', () =>
    withApp({ predictor: fakePredictor(['W'], { ready: false, modelInfo: null }) }, async (app) => {
      expect((await app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
      const ping = await app.inject({ url: '/ping' });
      expect(ping.body).toBe('pong!');
      expect(ping.headers['content-type']).toMatch(/^text\/plain/);
    }));
});

describe('request ids', () => {
  it('keeps a sane caller id of up to 128 characters, from the documented alphabet', () =>
    withApp({}, async (app) => {
      for (const id of ['Az_09.:x@y/z+w=v-u', 'a'.repeat(128), 'a_b', '7', 'ABC.def-123', 'a/b', 'a+b=c', 'u@h:1']) {
        expect((await app.inject({ url: '/ping', headers: { 'x-request-id': id } })).headers['x-request-id'], id).toBe(id);
      }
    }));

  it('replaces anything else with a new UUID, on every kind of answer', () =>
    withApp({}, async (app) => {
      for (const id of ['a'.repeat(129), '', 'a b', 'a,b', 'a!b', 'a#b', 'é', 'a;b', 'a\tb']) {
        const response = await app.inject({ url: '/ping', headers: { 'x-request-id': id } });
        expect(response.headers['x-request-id'], JSON.stringify(id)).toMatch(UUID);
      }
      const answers = await Promise.all([
        app.inject({ url: '/nope' }),
        app.inject({ method: 'GET', url: '/predict' }),
        app.inject(post('/predict', { nope: 1 })),
        app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'text/plain' }, payload: 'x' }),
        app.inject(post('/predict', { data: point })),
      ]);
      const ids = answers.map((response) => response.headers['x-request-id']);
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    }));

  it('echoes the caller id on errors too', () =>
    withApp({}, async (app) => {
      for (const request of [{ url: '/nope' }, { method: 'GET' as const, url: '/predict' }, post('/predict', { data: [] })]) {
        const response = await app.inject({ ...request, headers: { 'x-request-id': 'trace-9' } });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.headers['x-request-id']).toBe('trace-9');
      }
    }));
});


describe('metrics after predictions', () => {
  it('counts points per predicted class, single points and batches alike, on both routes', () =>
    withApp({ predictor: fakePredictor(['W', 'W', 'UE']) }, async (app) => {
      await app.inject(post('/predict', { data: [point, point, point] })); // W W UE
      await app.inject(post('/predict', { data: point })); // W
      await app.inject(post('/predict/proba', { data: [point, point, point, point] })); // W W UE W
      await app.inject(post('/predict', { data: [] })); // refused: nothing counted
      const text = (await app.inject({ url: '/metrics' })).body;
      expect(samples(text, 'rally_predictions_total')).toEqual(new Map([['{class="W"}', 6], ['{class="UE"}', 2]]));
      expect(samples(text, 'rally_batch_size_points_count').get('')).toBe(3);
      expect(samples(text, 'rally_batch_size_points_sum').get('')).toBe(8);
    }));

  it('buckets batch sizes up to the configured limit, the limit itself a bucket', async () => {
    for (const [maxBatch, bounds] of [
      [7, ['1', '2', '5', '7', '+Inf']],
      [5, ['1', '2', '5', '+Inf']],
      [1, ['1', '+Inf']],
    ] as const) {
      await withApp({ limits: { maxBatch } }, async (app) => {
        await app.inject(post('/predict', { data: Array(maxBatch).fill(point) }));
        const buckets = samples((await app.inject({ url: '/metrics' })).body, 'rally_batch_size_points_bucket');
        expect([...buckets.keys()]).toEqual(bounds.map((bound) => `{le="${bound}"}`));
        // The one batch, of the largest size, falls in the limit's bucket only.
        expect(buckets.get(`{le="${maxBatch}"}`)).toBe(1);
        expect([...buckets.values()].filter((count) => count === 0)).toHaveLength(bounds.length - 2);
      });
    }
  });

  it('times requests in seconds', () =>
    withApp({}, async (app) => {
      await app.inject({ url: '/ping' });
      await app.inject({ url: '/ping' });
      const text = (await app.inject({ url: '/metrics' })).body;
      const key = '{method="GET",route="/ping",status_code="200"}';
      expect(samples(text, 'http_request_duration_seconds_count').get(key)).toBe(2);
      const sum = samples(text, 'http_request_duration_seconds_sum').get(key)!;
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThan(1); // two pings take microseconds, not a second
      expect(samples(text, 'http_request_duration_seconds_bucket').get('{le="2.5",method="GET",route="/ping",status_code="200"}')).toBe(2);
    }));

  it('names the model being served, following a reload, and counts reloads as zero when the predictor keeps none', async () => {
    const predictor = { ...fakePredictor(), modelInfo: MODEL as ModelInfo | null };
    await withApp({ predictor }, async (app) => {
      const scrape = async () => (await app.inject({ url: '/metrics' })).body;
      expect(samples(await scrape(), 'rally_model_info')).toEqual(new Map([[`{model_id="${MODEL.model_id}"}`, 1]]));
      predictor.modelInfo = { ...MODEL, model_id: 'b'.repeat(64) };
      expect(samples(await scrape(), 'rally_model_info')).toEqual(new Map([[`{model_id="${'b'.repeat(64)}"}`, 1]]));
      predictor.modelInfo = null;
      expect(samples(await scrape(), 'rally_model_info').size).toBe(0);
      expect(samples(await scrape(), 'rally_model_reloads_total')).toEqual(new Map([['{result="success"}', 0], ['{result="failure"}', 0]]));
    });
    await withApp({ predictor: fakePredictor(['W'], { reloads: { success: 3, failure: 2 } }) }, async (app) => {
      const text = (await app.inject({ url: '/metrics' })).body;
      expect(samples(text, 'rally_model_reloads_total')).toEqual(new Map([['{result="success"}', 3], ['{result="failure"}', 2]]));
    });
  });
});

describe('connection limits', () => {
  it('are set on the HTTP server, defaults and configured', async () => {
    await withApp({}, async (app) => {
      expect([app.server.headersTimeout, app.server.requestTimeout, app.server.keepAliveTimeout]).toEqual([10_000, 30_000, 72_000]);
      // Limits are checked every second, not Node's default 30 s, or every header timeout if shorter.
      expect(checkingInterval(app)).toBe(1000);
    });
    await withApp({ connections: { headersTimeoutMs: 2000, requestTimeoutMs: 3000, keepAliveTimeoutMs: 4000 } }, async (app) => {
      expect([app.server.headersTimeout, app.server.requestTimeout, app.server.keepAliveTimeout]).toEqual([2000, 3000, 4000]);
      expect(checkingInterval(app)).toBe(1000);
    });
    await withApp({ connections: { headersTimeoutMs: 300 } }, async (app) => {
      expect([app.server.headersTimeout, checkingInterval(app)]).toEqual([300, 300]);
    });
  });
});

describe('the API document', () => {
  it('states the configured limits', () =>
    withApp({ limits: { maxBatch: 12, bodyLimit: 4096 } }, async (app) => {
      const doc = (await app.inject({ url: '/docs/json' })).json();
      expect(doc.info).toMatchObject({ title: 'rally', version: '1.0.0' });
      expect(doc.info.description).toContain('Limits: bodies up to 4096 bytes, batches up to 12 points.');
      expect(doc.components.schemas.PredictRequest.properties.data.oneOf[1]).toMatchObject({ minItems: 1, maxItems: 12 });
      expect(doc.paths['/predict'].post.responses['413'].content['application/json'].example).toEqual({
        message: 'A batch holds at most 12 points; this one has 13.',
        code: 'REQUEST_TOO_LARGE',
      });
      expect(doc.tags.map((tag: { name: string }) => tag.name)).toEqual(['predictions', 'model', 'health', 'operations']);
    }));
});

describe('request log lines', () => {
  async function logged(level: string) {
    const stream = new PassThrough();
    const lines: Record<string, any>[] = [];
    stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => lines.push(JSON.parse(line))));
    await withApp({ logger: { level, stream } }, async (app) => {
      await app.inject({ url: '/ping', headers: { 'x-request-id': 'log-1' } });
    });
    return lines.filter((line) => line.request_id === 'log-1');
  }

  it('at debug: one line when a request comes in, one when it is answered, both naming it', async () => {
    const lines = await logged('debug');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [20, 'incoming request'],
      [20, 'request completed'],
    ]);
    expect(lines[0].req).toMatchObject({ method: 'GET', url: '/ping' });
    expect(lines[1].res).toMatchObject({ statusCode: 200 });
    expect(lines[1].responseTime).toEqual(expect.any(Number));
  });

  it('at info: none', async () => {
    expect(await logged('info')).toEqual([]);
  });
});
