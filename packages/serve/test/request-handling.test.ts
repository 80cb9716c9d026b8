// @module-tag integration
/** How the app handles requests beyond the prediction routes' own answers: strict checks everywhere, the large-body queue, the predictor trusted once points are checked. */
import { describe, expect } from 'vitest';
import type { Predictor } from '@rally/predict';
import { examplePoint } from '@rally/features';
import { buildApp } from '../src/index.ts';
import { productionPredictor, test } from './fixtures.ts';

/** The production predictor, recording each call: which points (their ids) and the options. */
async function recordingPredictor() {
  const real = await productionPredictor();
  const calls: { route: 'predict' | 'predictProba'; ids: unknown[]; options: unknown }[] = [];
  const predictor: Predictor = {
    get ready() {
      return real.ready;
    },
    get modelInfo() {
      return real.modelInfo;
    },
    predict: (points, options) => {
      calls.push({ route: 'predict', ids: (points as { id: unknown }[]).map((point) => point.id), options });
      return real.predict(points, options);
    },
    predictProba: (points, options) => {
      calls.push({ route: 'predictProba', ids: (points as { id: unknown }[]).map((point) => point.id), options });
      return real.predictProba(points, options);
    },
  };
  return { predictor, calls };
}

/** A body of exactly `bytes` bytes: `{"data": [points]}` padded with JSON whitespace. */
function bodyOf(id: number, bytes: number): string {
  const json = JSON.stringify({ data: [{ ...examplePoint(), id }] });
  expect(json.length).toBeLessThanOrEqual(bytes);
  return `${json.slice(0, -1)}${' '.repeat(bytes - json.length)}}`;
}

describe('the prediction routes', () => {
  test('hand the predictor the points they checked, saying so, so that nothing is checked twice', async () => {
    const { predictor, calls } = await recordingPredictor();
    const app = await buildApp({ predictor });
    try {
      for (const url of ['/predict', '/predict/proba']) {
        expect((await app.inject({ method: 'POST', url, payload: { data: [examplePoint(), { ...examplePoint(), id: 9 }] } })).statusCode).toBe(200);
      }
      expect(calls).toEqual([
        { route: 'predict', ids: [examplePoint().id, 9], options: { validated: true } },
        { route: 'predictProba', ids: [examplePoint().id, 9], options: { validated: true } },
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('large bodies take turns; small ones never wait behind them', () => {
  // Bodies over 16 KiB are parsed one at a time (a turn each, held until the answer is sent);
  // a body of up to 16 KiB is parsed at once.
  const LARGE = 16 * 1024;

  test.each([
    ['a body of exactly 16 KiB', true, LARGE],
    ['a body of 16 KiB and 1 byte', false, LARGE + 1],
  ])('%s sent right after a large one overtakes it: %s', async (_name, overtakes, bytes) => {
    const { predictor, calls } = await recordingPredictor();
    const app = await buildApp({ predictor });
    try {
      const headers = { 'content-type': 'application/json' };
      const answers = await Promise.all([
        app.inject({ method: 'POST', url: '/predict', headers, payload: bodyOf(1, 40_000) }),
        app.inject({ method: 'POST', url: '/predict', headers, payload: bodyOf(2, bytes) }),
      ]);
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
      expect(calls.map((call) => call.ids[0])).toEqual(overtakes ? [2, 1] : [1, 2]);
    } finally {
      await app.close();
    }
  });

  test('a small body is never queued: with 3 large bodies ahead it is answered first', async () => {
    const { predictor, calls } = await recordingPredictor();
    const app = await buildApp({ predictor });
    try {
      const headers = { 'content-type': 'application/json' };
      await Promise.all([1, 2, 3, 4].map((id) => app.inject({ method: 'POST', url: '/predict', headers, payload: bodyOf(id, id === 4 ? 1000 : 20_000) })));
      expect(calls.map((call) => call.ids[0])).toEqual([4, 1, 2, 3]);
    } finally {
      await app.close();
    }
  });
});

describe('every route the app will ever have is checked strictly', () => {
  test("Fastify's own validator (any route with a body schema) neither coerces, removes unknown fields, nor fills defaults", async ({ client }) => {
    client.post(
      '/strict-check',
      { schema: { body: { type: 'object', additionalProperties: false, properties: { n: { type: 'integer' }, d: { type: 'integer', default: 3 } } } } },
      async (request) => request.body,
    );
    const post = async (payload: object) => {
      const response = await client.inject({ method: 'POST', url: '/strict-check', payload });
      return { status: response.statusCode, body: response.json() };
    };
    expect(await post({ n: 5 })).toEqual({ status: 200, body: { n: 5 } });
    expect((await post({ n: '5' })).status).toBe(400);
    expect((await post({ n: 5, extra: 1 })).status).toBe(400);
  });

  test('without a logger the app logs nothing (tests and benchmarks stay quiet)', async ({ client }) => {
    expect((client.log as { level?: string }).level).toBeUndefined();
    const logging = await buildApp({ predictor: await productionPredictor(), logger: { level: 'warn' } });
    try {
      expect((logging.log as { level?: string }).level).toBe('warn');
    } finally {
      await logging.close();
    }
  });
});
