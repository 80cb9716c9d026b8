/**
 * Items 5, 10 and 13: input the server must answer with a clear 4xx or a prediction, never a 500
 * or an empty body. A real server process over a real socket (logs captured).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleDataPoints } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { GROUND_TRUTH_PATH, tempDir } from '@rally/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type ServerProcess, startServerProcess, stopAllServers } from '../src/index.ts';

let server: ServerProcess;
beforeAll(async () => {
  // A model trained without any point hit at 'V' (a valid hitpoint the model never saw).
  const [header, ...rows] = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split('\n');
  const hitpoint = header.split(',').indexOf('hitpoint');
  const withoutV = join(tempDir('data'), 'without_v.csv');
  writeFileSync(withoutV, `${[header, ...rows.filter((row) => row.split(',')[hitpoint] !== 'V').slice(0, 800)].join('\n')}\n`);
  const { root } = await storeWithProduction({ dataPath: withoutV });
  server = await startServerProcess({ command: 'node', env: { MODEL_STORE: root, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'info' } });
});
afterAll(stopAllServers);

const post = (path: string, body: string) => fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('item 5: deeply nested values', () => {
  const cases = [
    ['inside a field of a point', (deep: string) => `{"data": {"rally": ${deep}}}`],
    ['as a point of a batch', (deep: string) => `{"data": [${deep}]}`],
    ['beside data', (deep: string) => `{"data": {}, "extra": ${deep}}`],
  ] as const;
  it.each(cases.flatMap(([name, wrap]) => [4100, 50_000].map((depth) => [`${name}, ${depth} deep`, wrap, depth] as const)))(
    '%s: 400 with a short message about nesting, no stack trace in the log',
    async (_name, wrap, depth) => {
      const response = await post('/predict', wrap(`${'['.repeat(depth)}${']'.repeat(depth)}`));
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { message: string };
      expect(answer.message).toMatch(/nest/i);
      expect(answer.message.length).toBeLessThan(300);
      expect(server.output()).not.toMatch(/RangeError|Maximum call stack|\n\s+at /);
    },
  );
});

describe('item 10: a category the model never saw but the contract allows', () => {
  it("is predicted like scikit-learn's handle_unknown='ignore' (all its one-hot columns 0), not refused", async () => {
    // Trained on B, F and U: B is the dropped first category, encoded as all zeros too.
    const points = sampleDataPoints(20, 3).map((point) => ({ ...point, hitpoint: 'V' }));
    const asB = points.map((point) => ({ ...point, hitpoint: 'B' }));
    const probabilities = async (data: object[]) => {
      const response = await post('/predict/proba', JSON.stringify({ data }));
      expect(response.status, await response.clone().text()).toBe(200);
      return ((await response.json()) as { predictions: { probabilities: Record<string, number> }[] }).predictions.map((p) => p.probabilities);
    };
    expect(await probabilities(points)).toEqual(await probabilities(asB));
  });

  it('a category outside the contract is still a 400 naming the field', async () => {
    const response = await post('/predict', JSON.stringify({ data: { ...sampleDataPoints(1, 3)[0], hitpoint: 'Z' } }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/"hitpoint"/);
  });
});

describe('item 13: an Expect header the server does not support', () => {
  it('417 with a JSON message', async () => {
    const body = JSON.stringify({ data: sampleDataPoints(1, 1) });
    const { status, headers, body: text } = await rawRequest(
      server.port,
      `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: bogus\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(status).toBe(417);
    expect(headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(text.replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, ''))).toEqual({ message: expect.stringMatching(/Expect/), code: 'REQUEST_MALFORMED' });
  });
});
