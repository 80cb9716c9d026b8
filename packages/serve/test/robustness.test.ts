// @module-tag integration
/** Hostile bodies and what the log says, in process (the reliability suite does the same over sockets). */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sampleDataPoints } from '@rally/features';
import type { Predictor } from '@rally/predict';
import { buildApp } from '../src/index.ts';
import { failingPredictor, productionPredictor } from './fixtures.ts';

/** An app whose JSON log lines are collected. */
async function appWithLog(predictor: Predictor, level = 'info') {
  const stream = new PassThrough();
  const lines: { level: number; msg: string }[] = [];
  stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => lines.push(JSON.parse(line))));
  const app = await buildApp({ predictor, logger: { level, stream } });
  return { app, lines };
}

describe('nesting depth', () => {
  it.each([40, 4100, 50_000])('a body nested %i deep is a 400 naming the limit, never a 500', async (depth) => {
    const { app, lines } = await appWithLog(await productionPredictor());
    const payload = `{"data": {"rally": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const response = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('The request body nests arrays or objects more than 32 levels deep; a data point is a flat object.');
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    await app.close();
  });

  it('a flat value that breaks the contract is described briefly, whatever its size', async () => {
    const { app } = await appWithLog(await productionPredictor());
    const [point] = sampleDataPoints(1, 2);
    const response = await app.inject({ method: 'POST', url: '/predict', payload: { data: { ...point, rally: 'x'.repeat(100_000) } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().message.length).toBeLessThan(200);
    const nested = await app.inject({ method: 'POST', url: '/predict', payload: { data: { ...point, rally: [[[1]]] } } });
    expect(nested.json().message).toMatch(/field "rally" is an array of 1;/);
    await app.close();
  });
});

describe('logs at the default level (info)', () => {
  it('no line per request; a server error is always logged', async () => {
    const good = await appWithLog(await productionPredictor());
    for (let i = 0; i < 20; i++) await good.app.inject({ method: 'POST', url: '/predict', payload: { data: sampleDataPoints(1, i) } });
    await good.app.inject({ method: 'POST', url: '/predict', payload: { nope: 1 } });
    expect(good.lines).toEqual([]);
    await good.app.close();

    const bad = await appWithLog(failingPredictor);
    expect((await bad.app.inject({ method: 'POST', url: '/predict', payload: { data: sampleDataPoints(1, 1) } })).statusCode).toBe(500);
    expect(bad.lines.filter((line) => line.level === 50 && /request failed/.test(line.msg))).toHaveLength(1);
    await bad.app.close();
  });

  it('LOG_LEVEL=debug shows one line per request', async () => {
    const { app, lines } = await appWithLog(await productionPredictor(), 'debug');
    await app.inject({ method: 'POST', url: '/predict', payload: { data: sampleDataPoints(1, 1) } });
    expect(lines.filter((line) => line.msg === 'request completed')).toHaveLength(1);
    await app.close();
  });
});

describe('large bodies take turns on every route', () => {
  it('a large body sent to a 405 or a 404 gives its turn back: a large batch after it is answered', async () => {
    const { app } = await appWithLog(await productionPredictor());
    const payload = { data: sampleDataPoints(100, 4) }; // about 70 KB: above the turn threshold
    expect((await app.inject({ method: 'PUT', url: '/predict', payload })).statusCode).toBe(405);
    expect((await app.inject({ method: 'POST', url: '/nowhere', payload })).statusCode).toBe(404);
    const answered = await Promise.race([
      app.inject({ method: 'POST', url: '/predict', payload }).then((response) => response.statusCode),
      new Promise((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5000)),
    ]);
    expect(answered).toBe(200);
    await app.close();
  });
});
