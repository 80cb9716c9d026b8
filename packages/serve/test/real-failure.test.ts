// @module-tag integration
/**
 * A 500 from the real predict system (the original's test_predict_view_handlers case "data is
 * corrupted" used a mock): a real trained model, loaded and answering, whose hitpoint encoding is
 * damaged afterwards, as a bad memory write or a bad deploy of code would leave it. The request is
 * valid; the failure comes from the pipeline itself, and the client gets a 500 that names the
 * request, not the internals, while /health keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { examplePoint, type OneHotDropFirst } from '@rally/features';
import { readRunFolder } from '@rally/model';
import { trainTinyRun } from '@rally/model-fixtures';
import { LoadedModel } from '@rally/predict';
import { buildApp } from '../src/index.ts';

describe('a 500 from the real predict system', () => {
  let app: FastifyInstance;
  let model: LoadedModel;

  beforeAll(async () => {
    const { run, dir } = await trainTinyRun();
    model = LoadedModel.fromArtifacts(run.modelId, (await readRunFolder(dir)).files);
    app = await buildApp({ predictor: model });
  }, 60_000);
  afterAll(() => app?.close());

  const predict = () => app.inject({ method: 'POST', url: '/predict', payload: { data: examplePoint() } });

  it('answers 200 while the model is whole, then 500 PREDICT_FAILED once its hitpoint encoding is damaged', async () => {
    expect((await predict()).statusCode).toBe(200);
    const [, hitpoint] = model.pipeline.features.features.find(([name]) => name === 'hitpoint')!;
    Object.assign(hitpoint as OneHotDropFirst, { categories: null }); // the learned categories are gone
    const response = await predict();
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(body.code).toBe('PREDICT_FAILED');
    expect(body.message).toMatch(/^An error occurred during prediction: /);
    expect(body.message).toContain(String(response.headers['x-request-id']));
    expect(body.message).not.toMatch(/hitpoint|fit/); // no internals
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
