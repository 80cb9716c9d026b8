// @module-tag integration
import { Ajv } from 'ajv';
import { describe, expect } from 'vitest';
import { CONTRACT, examplePoint, inputColumns, pointSchema } from '@rally/features';
import { ERROR_CATALOGUE } from '@rally/errors';
import { test } from './fixtures.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string }; example?: unknown; examples?: Record<string, { value: unknown }> }> }>; requestBody?: { content: Record<string, { schema: { $ref: string }; examples: Record<string, { value: { data: unknown } }> }> } }>>;
  components: { schemas: Record<string, Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> }> };
};

describe('the API document (/docs/json)', () => {
  test('is OpenAPI 3 with named component schemas, the request body a reference to PredictRequest', async ({ client }) => {
    const doc: Doc = (await client.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['DataPoint', 'PredictRequest', 'Error', 'ValidationError', 'Labels', 'Probabilities', 'ModelInfo', 'Readiness']));
    for (const path of ['/predict', '/predict/proba']) {
      expect(doc.paths[path].post.requestBody!.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PredictRequest' });
    }
    expect(doc.paths['/predict'].get).toBeUndefined();
  });

  test('DataPoint is the contract: every input column, required, with its domain, description, unit and example', async ({ client }) => {
    const doc: Doc = (await client.inject({ url: '/docs/json' })).json();
    const point = doc.components.schemas.DataPoint;
    expect(point.required).toEqual(inputColumns().map((column) => column.name));
    expect(point.additionalProperties).toBe(false);
    for (const column of inputColumns()) {
      const property = point.properties![column.name];
      expect(property.description, column.name).toEqual(expect.stringContaining(column.description!));
      if (column.unit) expect(property.description).toContain(`Unit: ${column.unit}.`);
      expect(property.example, column.name).toBe(column.example);
      if (column.categories) expect(property.enum).toEqual(column.categories);
      if (column.type === 'float') expect([property.minimum, property.maximum]).toEqual([column.min, column.max]);
    }
    expect(CONTRACT.columns.filter((column) => column.unit === 'm/s').map((column) => column.name)).toEqual(['speed', 'previous.speed']);
  });

  test('the request examples are real ground-truth points that the API itself accepts', async ({ client }) => {
    const doc: Doc = (await client.inject({ url: '/docs/json' })).json();
    const examples = doc.paths['/predict'].post.requestBody!.content['application/json'].examples;
    expect(examples.single.value.data).toEqual(examplePoint());
    expect(examplePoint()).toMatchObject({ rally: 4, serve: 1, hitpoint: 'B', speed: 35.51504197, id: 5718 });
    for (const example of Object.values(examples)) {
      const response = await client.inject({ method: 'POST', url: '/predict', payload: example.value as object });
      expect(response.statusCode).toBe(200);
    }
  });

  test('the schema the document shows is the one that validates: a body it rejects is a 400, one it accepts is not', async ({ client }) => {
    const doc: Doc = (await client.inject({ url: '/docs/json' })).json();
    const ajv = new Ajv({ strict: false });
    const validatePoint = ajv.compile(doc.components.schemas.DataPoint);
    const good = examplePoint();
    const variants = [good, { ...good, speed: 500 }, { ...good, hitpoint: 'Z' }, { ...good, serve: 1.5 }, { ...good, extra: 1 }, { ...good, depth: null }];
    for (const variant of variants) {
      const status = (await client.inject({ method: 'POST', url: '/predict', payload: { data: variant } })).statusCode;
      expect(status === 200, JSON.stringify(variant).slice(0, 80)).toBe(validatePoint(variant));
    }
    expect(doc.components.schemas.DataPoint).toMatchObject(JSON.parse(JSON.stringify(pointSchema())));
  });

  test('every response is described, every error has an example with a catalogue code, predictions declare X-Model-Id', async ({ client }) => {
    const doc: Doc = (await client.inject({ url: '/docs/json' })).json();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description, `${method} ${path} ${status}`).not.toBe('Default Response');
          if (Number(status) >= 400) {
            const media = response.content!['application/json'];
            const examples = (media.examples ? Object.values(media.examples).map((example) => example.value) : [media.example]) as { code: string; message: string }[];
            for (const example of examples) {
              expect(example.code in ERROR_CATALOGUE, `${method} ${path} ${status}`).toBe(true);
              expect(example.message.length).toBeGreaterThan(10);
            }
          }
        }
      }
    }
    for (const path of ['/predict', '/predict/proba']) {
      const responses = doc.paths[path].post.responses;
      expect(Object.keys(responses).sort()).toEqual(['200', '400', '413', '415', '500', '503']);
      expect(responses['200'].headers).toHaveProperty('X-Model-Id');
    }
    expect(doc.paths['/health/ready'].get.responses['503'].content!['application/json'].example).toMatchObject({ status: 'loading', code: 'PREDICT_NO_MODEL' });
    expect(doc.paths['/metrics'].get.responses['200'].description).toMatch(/Prometheus/);
  });

  test('says truthfully what `id` is: kept with the point, not a feature, not echoed', async ({ client }) => {
    const doc: Doc = (await client.inject({ url: '/docs/json' })).json();
    const id = doc.components.schemas.DataPoint.properties!.id;
    expect(id.description).toMatch(/not a feature/);
    expect(JSON.stringify(doc)).not.toMatch(/echo/i);
  });

  test('/docs serves a readable page', async ({ client }) => {
    const response = await client.inject({ url: '/docs' });
    const page = response.statusCode === 302 ? await client.inject({ url: response.headers.location as string }) : response;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('the API document, linted', () => {
  test("passes Spectral's spectral:oas ruleset with no error and no warning", async ({ client }) => {
    const { Document, Spectral } = await import('@stoplight/spectral-core');
    const Parsers = await import('@stoplight/spectral-parsers');
    const { oas } = await import('@stoplight/spectral-rulesets');
    const text = (await client.inject({ url: '/docs/json' })).body;
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [oas as never] });
    const results = await spectral.run(new Document(text, Parsers.Json, '/docs/json'));
    // Severity 0 is an error, 1 a warning (2 information, 3 a hint).
    const problems = results.filter((result) => result.severity <= 1).map((result) => `${result.code} at ${result.path.join('.')}: ${result.message}`);
    expect(problems).toEqual([]);
  });

  test('validates with @apidevtools/swagger-parser (the OpenAPI 3.0 schema, every $ref resolved)', async ({ client }) => {
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    const doc = (await client.inject({ url: '/docs/json' })).json();
    const validated = await SwaggerParser.validate(doc);
    expect(Object.keys(validated.paths ?? {})).toEqual(expect.arrayContaining(['/predict', '/predict/proba', '/model', '/ping', '/health/live', '/health/ready', '/metrics']));
    // Every operation named, as client generators need: names unique.
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((path) => Object.values(path).map((operation) => operation.operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
