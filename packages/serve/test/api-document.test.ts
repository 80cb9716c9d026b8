// @module-tag integration
/**
 * The API document against the API itself: every answer the server really gives (each route, each
 * status, from a real model, an empty store and a failing predictor) must be described by the
 * document's schema for that route and status, field by field, with the right types, and the
 * document's examples must be answers the server really gives. Client generators and people
 * reading /docs trust the document, not the code.
 */
import { describe, expect } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { examplePoint } from '@rally/features';
import { join } from 'node:path';
import type { Predictor } from '@rally/predict';
import { tempDir } from '@rally/testkit';
import { buildApp } from '../src/index.ts';
import { withRequestExamples } from '../src/schemas.ts';
import { emptyPredictor, failingPredictor, productionPredictor, test } from './fixtures.ts';

type Schema = {
  $ref?: string;
  oneOf?: Schema[];
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  description?: string;
  example?: unknown;
};
type Media = { schema: Schema; example?: unknown; examples?: Record<string, { value: unknown }> };
type Response = { description: string; content?: Record<string, Media> };
type Operation = { tags?: string[]; operationId?: string; responses: Record<string, Response>; requestBody?: { content: Record<string, Media> } };
type Doc = { info: { description: string }; tags: { name: string; description: string }[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const documentOf = async (app: FastifyInstance): Promise<Doc> => (await app.inject({ url: '/docs/json' })).json();

function resolve(doc: Doc, schema: Schema): Schema {
  if (schema.$ref === undefined) return schema;
  const name = /^#\/components\/schemas\/(\w+)$/.exec(schema.$ref)?.[1];
  expect(name, `reference ${schema.$ref}`).toBeDefined();
  expect(doc.components.schemas, `reference ${schema.$ref}`).toHaveProperty(name!);
  return doc.components.schemas[name!];
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/**
 * What a value does not match in a schema, read strictly: a field the schema does not declare is
 * a problem unless the schema says extra fields are allowed, and every value needs a declared type.
 */
function mismatches(doc: Doc, declared: Schema, value: unknown, where = '$'): string[] {
  const schema = resolve(doc, declared);
  if (value === null) return schema.nullable === true ? [] : [`${where} is null, which the document does not allow`];
  if (schema.type === undefined) return [`${where} has no documented type`];
  const type = jsonType(value);
  if (!(type === schema.type || (type === 'integer' && schema.type === 'number'))) return [`${where} is ${type}, documented as ${schema.type}`];
  if (schema.enum !== undefined && !schema.enum.includes(value)) return [`${where} is ${JSON.stringify(value)}, not one of ${JSON.stringify(schema.enum)}`];
  if (type === 'array') {
    if (schema.items === undefined) return [`${where} has no documented items`];
    return (value as unknown[]).flatMap((item, i) => mismatches(doc, schema.items!, item, `${where}[${i}]`));
  }
  if (type !== 'object') return [];
  const problems = (schema.required ?? []).filter((key) => !(key in (value as object))).map((key) => `${where}.${key} is required but missing`);
  for (const [key, field] of Object.entries(value as object)) {
    const property = schema.properties?.[key];
    const extra = schema.additionalProperties;
    if (property !== undefined) problems.push(...mismatches(doc, property, field, `${where}.${key}`));
    else if (typeof extra === 'object') problems.push(...mismatches(doc, extra, field, `${where}.${key}`));
    else if (extra !== true) problems.push(`${where}.${key} is not in the document`);
  }
  return problems;
}

interface Answer {
  what: string;
  method: 'GET' | 'POST';
  path: string;
  response: LightMyRequestResponse;
}

const point = () => examplePoint();

/** The requests whose answers the document must describe, against one app. */
function requestsFor(kind: 'production' | 'empty' | 'failing') {
  const predictions = ['/predict', '/predict/proba'].flatMap((path) => {
    const posts = (what: string, payload: unknown, headers: Record<string, string> = {}) => ({ what, method: 'POST' as const, path, payload, headers });
    if (kind !== 'production') return [posts('one point', { data: point() })];
    return [
      posts('one point', { data: point() }),
      posts('a batch', { data: [point(), { ...point(), speed: 12 }] }),
      posts('a batch with bad points', { data: [{ ...point(), speed: 'fast' }, point(), { ...point(), depth: undefined }] }),
      posts('no data key', { points: [] }),
      posts('broken JSON', '{"data": [', { 'content-type': 'application/json' }),
      posts('too many points', { data: Array.from({ length: 1001 }, point) }),
      posts('not JSON', 'speed=1', { 'content-type': 'text/plain' }),
    ];
  });
  const gets = ['/model', '/ping', '/health/live', '/health/ready', '/metrics'].map((path) => ({ what: 'get', method: 'GET' as const, path, payload: undefined, headers: {} }));
  return [...predictions, ...gets];
}

async function answersOf(kind: 'production' | 'empty' | 'failing'): Promise<Answer[]> {
  const predictor: Predictor = kind === 'production' ? await productionPredictor() : kind === 'empty' ? emptyPredictor() : failingPredictor;
  const app = await buildApp({ predictor });
  try {
    const answers: Answer[] = [];
    for (const { what, method, path, payload, headers } of requestsFor(kind)) {
      const response = await app.inject({ method, url: path, headers, payload: payload as string });
      answers.push({ what: `${kind}: ${method} ${path} (${what}) → ${response.statusCode}`, method, path, response });
    }
    return answers;
  } finally {
    await app.close();
  }
}

/** Every real answer with the media of the document that describes it. */
async function documentedAnswers(client: FastifyInstance) {
  const doc = await documentOf(client);
  const answers = [...(await answersOf('production')), ...(await answersOf('empty')), ...(await answersOf('failing'))];
  return {
    doc,
    answers: answers.map((answer) => {
      const response = doc.paths[answer.path]?.[answer.method.toLowerCase()]?.responses[String(answer.response.statusCode)];
      expect(response, `${answer.what} is not in the document`).toBeDefined();
      const contentType = String(answer.response.headers['content-type']).split(';')[0];
      expect(Object.keys(response.content ?? {}), `${answer.what}: content type`).toEqual([contentType]);
      return { ...answer, media: response.content![contentType], body: contentType === 'application/json' ? answer.response.json() : answer.response.body };
    }),
  };
}

const everySchema = (doc: Doc) => {
  const found: [string, Schema][] = [];
  const visit = (where: string, schema: Schema) => {
    found.push([where, schema]);
    for (const [key, property] of Object.entries(schema.properties ?? {})) visit(`${where}.${key}`, property);
    if (schema.items) visit(`${where}[]`, schema.items);
    if (typeof schema.additionalProperties === 'object') visit(`${where}{}`, schema.additionalProperties);
  };
  for (const [name, schema] of Object.entries(doc.components.schemas)) visit(name, schema);
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) visit(`${method} ${path} ${status} ${type}`, media.schema);
      }
    }
  }
  return found;
};

describe('the API document describes the answers the server really gives', () => {
  test('every answer (each route, each status; a real model, an empty store, a failing predictor) has its route and status in the document, with its content type, and matches the schema there field by field', async ({ client }) => {
    const { doc, answers } = await documentedAnswers(client);
    const statuses = new Set(answers.map((answer) => `${answer.method} ${answer.path} ${answer.response.statusCode}`));
    expect([...statuses].sort()).toEqual(
      [
        'GET /health/live 200', 'GET /health/ready 200', 'GET /health/ready 503', 'GET /metrics 200', 'GET /model 200', 'GET /model 503', 'GET /ping 200',
        ...['/predict', '/predict/proba'].flatMap((path) => [200, 400, 413, 415, 500, 503].map((status) => `POST ${path} ${status}`)),
      ].sort(),
    );
    for (const answer of answers) expect(mismatches(doc, answer.media.schema, answer.body), answer.what).toEqual([]);
  });

  test('a field every answer of a schema carries is marked required, and a required field is in every answer', async ({ client }) => {
    const { doc, answers } = await documentedAnswers(client);
    const bySchema = new Map<Schema, object[]>();
    const collect = (declared: Schema, value: unknown) => {
      const schema = resolve(doc, declared);
      if (Array.isArray(value) && schema.items) for (const item of value) collect(schema.items, item);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      bySchema.set(schema, [...(bySchema.get(schema) ?? []), value]);
      for (const [key, field] of Object.entries(value)) if (schema.properties?.[key]) collect(schema.properties[key], field);
    };
    for (const answer of answers) collect(answer.media.schema, answer.body);
    expect(bySchema.size).toBeGreaterThanOrEqual(8);
    for (const [schema, values] of bySchema) {
      const always = Object.keys(schema.properties ?? {}).filter((key) => values.every((value) => key in value));
      expect((schema.required ?? []).slice().sort(), JSON.stringify(schema).slice(0, 120)).toEqual(always.sort());
    }
  });

  test('every field the document shows has a type and says what it is; every schema of a body is typed', async ({ client }) => {
    const doc = await documentOf(client);
    const schemas = everySchema(doc);
    expect(schemas.length).toBeGreaterThan(60);
    const untyped = schemas.filter(([, schema]) => schema.$ref === undefined && schema.oneOf === undefined && !/^(string|number|integer|boolean|object|array)$/.test(schema.type ?? ''));
    expect(untyped.map(([where]) => where)).toEqual([]);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        const described = property.description ?? resolve(doc, property).description ?? '';
        expect(described.length, `${name}.${key} has no description`).toBeGreaterThan(10);
      }
    }
    for (const [where, schema] of schemas.filter(([where]) => /\.\w+$/.test(where) && !where.startsWith('DataPoint.'))) {
      expect((schema.description ?? (schema.$ref ? resolve(doc, schema).description : '') ?? '').length, `${where} has no description`).toBeGreaterThan(10);
    }
  });

  test('every response says what it means, every operation is under one declared tag, and every tag is explained and used', async ({ client }) => {
    const doc = await documentOf(client);
    const declared = doc.tags.map((tag) => tag.name);
    expect(declared).toEqual(['predictions', 'model', 'health', 'operations']);
    for (const tag of doc.tags) expect(tag.description.length, tag.name).toBeGreaterThan(5);
    const used = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.tags, `${method} ${path}`).toHaveLength(1);
        expect(declared, `${method} ${path}`).toContain(operation.tags![0]);
        used.add(operation.tags![0]);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description.length, `${method} ${path} ${status}`).toBeGreaterThan(5);
          expect(response.description, `${method} ${path} ${status}`).not.toBe('Default Response');
        }
      }
    }
    expect([...used].sort()).toEqual([...declared].sort());
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/health') || path === '/ping').map((path) => doc.paths[path].get.tags![0])).toEqual(['health', 'health', 'health']);
    expect(doc.paths['/metrics'].get.tags).toEqual(['operations']);
    expect(doc.paths['/model'].get.tags).toEqual(['model']);
    // Client generators name their methods after operationId.
    expect([doc.paths['/predict'].post.operationId, doc.paths['/predict/proba'].post.operationId]).toEqual(['predict', 'predictProba']);
  });

  test("the document's introduction states the limits the server enforces, sentence by sentence", async () => {
    const app = await buildApp({ predictor: emptyPredictor(), limits: { maxBatch: 7, bodyLimit: 4096 } });
    try {
      const { description } = (await documentOf(app)).info;
      expect(description).toContain('of its last shots. Limits: bodies up to 4096 bytes, batches up to 7 points. Every answer carries X-Request-Id');
      const doc = await documentOf(app);
      expect(doc.paths['/predict'].post.responses['413'].description).toBe('More than 7 points, or a body over 4096 bytes.');
    } finally {
      await app.close();
    }
  });
});

describe("the document's examples are answers the server really gives", () => {
  test('each example matches its own schema', async ({ client }) => {
    const doc = await documentOf(client);
    let checked = 0;
    for (const [where, schema] of everySchema(doc)) {
      if (schema.example === undefined) continue;
      expect(mismatches(doc, schema, schema.example), where).toEqual([]);
      checked += 1;
    }
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            if (media.example === undefined) continue;
            expect(mismatches(doc, media.schema, media.example), `${method} ${path} ${status}`).toEqual([]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  test('the examples of each error of each route are what that route answers: the same code, and the same answer where it does not name a request or a store', async ({ client }) => {
    const { answers } = await documentedAnswers(client);
    let compared = 0;
    for (const answer of answers.filter((answer) => answer.response.statusCode >= 400)) {
      const examples = (answer.media.examples ? Object.values(answer.media.examples).map((example) => example.value) : [answer.media.example]) as { message: string; code: string }[];
      const body = answer.body as { message: string; code: string };
      const example = examples.find((example) => example?.code === body.code);
      expect(example, `${answer.what}: no example with code ${body.code}`).toBeDefined();
      if (answer.response.statusCode === 500) expect(body.message, answer.what).toMatch(new RegExp(`^${example!.message.split(' request ')[0]} request \\S+ failed; the server log has the details\\.$`));
      else if (answer.response.statusCode === 503) expect(body.message.replace(/: .*/, '.'), answer.what).toBe(example!.message.replace(/: .*/, '.'));
      else {
        expect(body, answer.what).toEqual(example);
        compared += 1;
      }
    }
    // 400 (bad points, no data, not JSON), 413 and 415, on both routes.
    expect(compared).toBe(10);
  });

  test('the ValidationError example is the answer to the request it describes', async ({ client }) => {
    const doc = await documentOf(client);
    const example = doc.components.schemas.ValidationError.example;
    const { depth: _depth, ...withoutDepth } = point();
    const response = await client.inject({ method: 'POST', url: '/predict', payload: { data: [{ ...point(), speed: 'fast' }, point(), withoutDepth] } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(example);
  });

  test('the Error example is what a server with no model answers', async ({ client }) => {
    const doc = await documentOf(client);
    const app = await buildApp({ predictor: emptyPredictor() });
    try {
      const answer = (await app.inject({ url: '/model' })).json();
      expect(answer).toEqual(doc.components.schemas.Error.example);
    } finally {
      await app.close();
    }
  });

  test('the readiness examples are the readiness answers, up to the store and model named', async ({ client }) => {
    const doc = await documentOf(client);
    const ready = (await client.inject({ url: '/health/ready' })).json();
    const example = doc.components.schemas.Readiness.example as { model_id: string };
    expect(Object.keys(example)).toEqual(Object.keys(ready));
    expect({ ...example, model_id: ready.model_id }).toEqual(ready);
    expect(example.model_id).toMatch(/^[0-9a-f]{64}$/);
    // A store whose path has a dot: only the reason's final full stop is dropped, not the first.
    const empty = emptyPredictor(join(tempDir('ready'), 'store.v1'));
    await expect(empty.refresh()).rejects.toThrow();
    const app = await buildApp({ predictor: empty });
    try {
      const loading = (await app.inject({ url: '/health/ready' })).json();
      const documented = doc.paths['/health/ready'].get.responses['503'].content!['application/json'].example as { message: string };
      expect(Object.keys(loading)).toEqual(Object.keys(documented));
      expect(loading.message).toContain('store.v1) has no production model yet');
      expect({ ...loading, message: loading.message.replace(/\(local folder [^)]*\)/, '(local folder /app/store)') }).toEqual(documented);
    } finally {
      await app.close();
    }
  });

  test('the prediction examples are shaped like real predictions: the real classes in their order, labels among them, the label the most probable class, probabilities summing to 1', async ({ client }) => {
    const doc = await documentOf(client);
    const real = (await client.inject({ method: 'POST', url: '/predict/proba', payload: { data: point() } })).json();
    const example = doc.components.schemas.Probabilities.example as { model_id: string; classes: string[]; predictions: { label: string; probabilities: Record<string, number> }[] };
    expect(example.classes).toEqual(real.classes);
    expect(example.model_id).toMatch(/^[0-9a-f]{64}$/);
    for (const prediction of example.predictions) {
      expect(Object.keys(prediction.probabilities)).toEqual(real.classes);
      const best = Object.entries(prediction.probabilities).sort((a, b) => b[1] - a[1])[0][0];
      expect(prediction.label).toBe(best);
      expect(Object.values(prediction.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    }
    const labels = doc.components.schemas.Labels;
    expect(labels.example).toEqual([example.predictions[0].label]);
    expect(real.classes).toContain(labels.items!.example);
    expect((doc.paths['/ping'].get.responses['200'].content!['text/plain'].example)).toBe((await client.inject({ url: '/ping' })).body);
    expect((doc.paths['/health/live'].get.responses['200'].content!['application/json'].schema.example)).toEqual((await client.inject({ url: '/health/live' })).json());
  });

  test('the batch request example is two different ground-truth-shaped points, both answered', async ({ client }) => {
    const doc = await documentOf(client);
    const { value } = doc.paths['/predict/proba'].post.requestBody!.content['application/json'].examples!.batch as { value: { data: Record<string, unknown>[] } };
    expect(value.data).toHaveLength(2);
    expect(value.data[0]).toEqual(point());
    expect(value.data[1]).not.toEqual(value.data[0]);
    const response = await client.inject({ method: 'POST', url: '/predict/proba', payload: value });
    expect(response.statusCode).toBe(200);
    expect(response.json().predictions).toHaveLength(2);
  });
});

describe('withRequestExamples', () => {
  const predictRequest = () => ({ schema: { $ref: '#/components/schemas/PredictRequest' } as { $ref?: string }, examples: undefined as unknown });

  test('adds the examples to every body that is a PredictRequest and leaves every other operation as it was, whatever its shape', () => {
    const other = { schema: { $ref: '#/components/schemas/Other' } };
    const document = {
      paths: {
        '/a': { post: { requestBody: { content: { 'application/json': predictRequest() } } }, get: { responses: {} } },
        '/b': { post: { requestBody: { content: { 'text/plain': { schema: {} } } } }, put: { requestBody: {} } },
        '/c': { post: { requestBody: { content: { 'application/json': {} } } }, patch: { requestBody: { content: { 'application/json': { schema: {} } } } } },
        '/d': { post: { requestBody: { content: { 'application/json': other } } } },
      },
    };
    const before = JSON.stringify({ ...document.paths, '/a': undefined });
    const result = withRequestExamples(document as never) as typeof document;
    expect(result).toBe(document);
    expect(JSON.stringify({ ...result.paths, '/a': undefined })).toBe(before);
    const examples = result.paths['/a'].post.requestBody.content['application/json'].examples as Record<string, { value: { data: unknown } }>;
    expect(Object.keys(examples)).toEqual(['single', 'batch']);
    expect(examples.single.value.data).toEqual(point());
    expect(withRequestExamples({} as never)).toEqual({});
    expect(() => withRequestExamples({ paths: { '/e': { x: null } } } as never)).not.toThrow();
  });
});
