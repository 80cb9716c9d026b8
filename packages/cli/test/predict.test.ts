// @module-tag integration
/**
 * `rally predict`, `rally features` and `rally sample` on a real model: every input form, the
 * production model through the cache or a local run, and the HTTP API's words for bad points.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPoint, examplePoint, inputColumns, pointsToBatch, sampleDataPoints, targetColumn } from '@rally/features';
import { storeWithProduction, trainTinyRun } from '@rally/model-fixtures';
import { LoadedModel } from '@rally/predict';
import { readRunFolder } from '@rally/model';
import { buildApp } from '@rally/serve';
import { cleanEnv, runCli, runMain, tempDir } from './helpers.ts';

const NAMES = inputColumns().map((column) => column.name);

describe('rally predict / features / sample', () => {
  let env: NodeJS.ProcessEnv;
  let production: LoadedModel;
  let local: { modelId: string; outputDir: string; model: LoadedModel };
  const points = sampleDataPoints(7, 3);

  beforeAll(async () => {
    const { root, run, dir } = await storeWithProduction();
    const cache = tempDir('cache');
    env = cleanEnv({ MODEL_STORE: root, CACHE_DIR: cache, NO_COLOR: '1' });
    production = LoadedModel.fromArtifacts(run.modelId, (await readRunFolder(dir)).files);
    const other = await trainTinyRun({ rows: 800 });
    local = { modelId: other.run.modelId, outputDir: other.outputDir, model: LoadedModel.fromArtifacts(other.run.modelId, (await readRunFolder(other.dir)).files) };
  }, 60_000);

  const predict = (args: string[], input?: string) => runMain(['predict', ...args], env, input);
  const expected = (model: LoadedModel, some: readonly unknown[] = points) => model.predict(some).labels;

  describe('input forms: the same labels as the model gives', () => {
    it.each([
      ['one object', () => JSON.stringify(points[0]), 1],
      ['an array', () => JSON.stringify(points), 7],
      ['JSON lines', () => `${points.map((point) => JSON.stringify(point)).join('\n')}\n`, 7],
      ['JSON lines with CRLF and blank lines', () => `\r\n${points.map((point) => JSON.stringify(point)).join('\r\n\r\n')}\r\n`, 7],
      ['a pretty-printed array', () => JSON.stringify(points, null, 2), 7],
      ["the HTTP API's body", () => JSON.stringify({ data: points }), 7],
      ["the HTTP API's body with other keys (the API ignores them)", () => JSON.stringify({ data: points, client: 'scoreboard' }), 7],
      ['objects one after another, pretty-printed (jq .[])', () => points.map((point) => JSON.stringify(point, null, 2)).join('\n'), 7],
      ['a byte order mark first', () => `\ufeff${JSON.stringify(points)}`, 7],
    ])('%s on stdin', async (_label, text, count) => {
      const result = await predict([], text());
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trimEnd().split('\n')).toEqual(expected(production, points.slice(0, count)));
    });

    it('--input and a file give the same; - is stdin', async () => {
      const file = join(tempDir('points'), 'points.json');
      writeFileSync(file, JSON.stringify(points));
      const fromInput = await predict(['--input', JSON.stringify(points)]);
      const fromFile = await predict([file]);
      const fromDash = await predict(['-'], JSON.stringify(points));
      for (const result of [fromInput, fromFile, fromDash]) expect(result.stdout.trimEnd().split('\n')).toEqual(expected(production));
    });

    it('a ground-truth point on stdin, as a real process, prints a label (exit 0)', { tags: ['e2e'] }, async () => {
      const result = await runCli(['predict'], env, JSON.stringify(examplePoint()));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^(W|FE|UE)\n$/);
      expect(result.stdout.trim()).toBe(expected(production, [examplePoint()])[0]);
    });
  });

  it('--proba prints a row per point summing to 1; with --json the shape of POST /predict/proba', async () => {
    const table = await predict(['--proba'], JSON.stringify(points));
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['label', 'FE', 'UE', 'W']);
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      const [, ...p] = row.split(/\s+/);
      expect(p.map(Number).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
    const json = await predict(['--proba', '--json'], JSON.stringify(points));
    const app = await buildApp({ predictor: production });
    const http = await app.inject({ method: 'POST', url: '/predict/proba', payload: { data: points } });
    expect(JSON.parse(json.stdout)).toEqual(http.json());
    await app.close();
  });

  it('--model <prefix> predicts with a local run instead of production', async () => {
    const result = await predict(['--model', local.modelId.slice(0, 8), '--output', local.outputDir, '--json'], JSON.stringify(points));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ model_id: local.modelId, labels: expected(local.model) });
  });

  it('--no-cache downloads production and leaves the cache alone', async () => {
    const cache = tempDir('cache-untouched');
    const result = await runMain(['predict', '--no-cache'], { ...env, CACHE_DIR: cache }, JSON.stringify(points[0]));
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
    const cached = await runMain(['predict'], { ...env, CACHE_DIR: cache }, JSON.stringify(points[0]));
    expect(cached.code).toBe(0);
    expect(readdirSync(cache)).toEqual([production.modelInfo.model_id]);
  });

  describe('bad points: the HTTP API’s words, every problem listed, exit 1', () => {
    const hostile: [string, unknown][] = [
      ['a wrong type', { ...points[0], speed: 'fast' }],
      ['a missing field', Object.fromEntries(Object.entries(points[0]).filter(([name]) => name !== 'depth'))],
      ['an unknown field', { ...points[0], umpire: 'Lahyani' }],
      ['the target itself', { ...points[0], [targetColumn().name]: 'W' }],
      ['an unknown category', { ...points[0], hitpoint: 'Z' }],
      ['an out-of-range value', { ...points[0], speed: 1e9 }],
      ['a batch with two bad points', [points[0], { ...points[1], rally: -1 }, { ...points[2], serve: 3 }]],
      ['an empty array', []],
      ['a number', 42],
      ['an array of strings', ['a', 'b']],
    ];
    it.each(hostile)('%s', async (_label, body) => {
      const result = await predict([], JSON.stringify(body));
      const app = await buildApp({ predictor: production });
      const http = (await app.inject({ method: 'POST', url: '/predict', payload: { data: body } })).json();
      await app.close();
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(http.message);
      const json = JSON.parse((await predict(['--json'], JSON.stringify(body))).stdout);
      expect(json.error).toMatchObject({ code: http.code, message: http.message });
      expect(json.error.errors).toEqual(http.errors);
    });
  });

  it.each([
    ['not JSON', '{"speed": ', /^stdin is not JSON \(.+\)\.$/],
    ['a bad line among good ones', `${JSON.stringify(points[0])}\n{"a": 1,}\n${JSON.stringify(points[1])}\n`, /^stdin is not JSON at line 2 \(.+\)\.$/],
    ['a truncated last line', `${JSON.stringify(points[0])}\n${JSON.stringify(points[1]).slice(0, -1)}\n`, /^stdin is not JSON at line 2 \(.+\)\.$/],
    ['a bad first line', `{"a": 1,}\n${JSON.stringify(points[1])}\n`, /^stdin is not JSON at line 1 \(Expected double-quoted property name\)\.$/],
    ['nothing', '', /^stdin is empty: give one point as a JSON object, an array of points, or one point per line\.$/],
  ])('input that is not JSON (%s) is exit 2, one sentence', async (_label, text, message) => {
    const result = await predict([], text);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
  });

  it('a file that cannot be read, and points given twice, are exit 2', async () => {
    const missing = await predict([join(tempDir('none'), 'points.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^Cannot read .*points\.json \(ENOENT\)\.$/);
    const twice = await predict(['file.json', '--input', '{}']);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim()).toBe('Give the points once: as --input, or as a file (- for stdin). See rally predict --help.');
  });

  it('reads MODEL_STORE from the .env file (ENV_FILE) as rally serve does; the environment wins; a named file that is missing is exit 2', async () => {
    const file = join(tempDir('env'), 'rally.env');
    writeFileSync(file, `MODEL_STORE=${env.MODEL_STORE}\n`);
    const { MODEL_STORE: _, ...withoutStore } = env;
    const fromFile = await runMain(['predict', '--json'], { ...withoutStore, ENV_FILE: file }, JSON.stringify(points[0]));
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout).model_id).toBe(production.modelInfo.model_id);
    const overridden = await runMain(['predict'], { ...withoutStore, ENV_FILE: file, MODEL_STORE: tempDir('empty') }, JSON.stringify(points[0]));
    expect(overridden.code).toBe(1); // the empty store of the environment, not the file's
    const missing = await runMain(['deploy', '--list'], { ...env, ENV_FILE: join(tempDir('env'), 'nothing.env') });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^ENV_FILE must name a file that can be read, got ".*nothing\.env" \(ENOENT\)\.$/);
  });

  it('no production model: one sentence, exit 1', async () => {
    const result = await runMain(['predict'], { ...env, MODEL_STORE: tempDir('empty-store') }, JSON.stringify(points[0]));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/has no production model yet; train one and deploy it\.$/);
  });

  describe('rally features', () => {
    it('prints the 14 named columns the model computes, as a table, CSV and JSON', async () => {
      const matrix = production.pipeline.transform(pointsToBatch(points.slice(0, 3), NAMES));
      expect(matrix.columns).toHaveLength(14);
      const json = JSON.parse((await runMain(['features', '--json'], env, JSON.stringify(points.slice(0, 3)))).stdout);
      expect(json.columns).toEqual(matrix.columns);
      expect(json.rows.flat()).toEqual(Array.from(matrix.data));
      const csv = (await runMain(['features', '--csv'], env, JSON.stringify(points.slice(0, 3)))).stdout.trimEnd().split('\n');
      expect(csv[0].split(',')).toEqual(matrix.columns);
      expect(csv).toHaveLength(4);
      csv.slice(1).forEach((line, r) => line.split(',').forEach((cell, c) => expect(Number(cell)).toBeCloseTo(matrix.data[r * 14 + c], 4)));
      const table = (await runMain(['features'], env, JSON.stringify(points.slice(0, 3)))).stdout.trimEnd().split('\n');
      expect(table).toHaveLength(15); // a header, then a row per feature
      expect(table.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(matrix.columns);
    });

    it('refuses two formats at once (exit 2), before reading any point', async () => {
      const both = await runMain(['features', '--csv', '--json'], env, '{}');
      expect(both.code).toBe(2);
      expect(JSON.parse(both.stdout).error.message).toBe('Choose one output format: --csv or --json. See rally features --help.');
    });
  });

  describe('rally sample', () => {
    it('-n 10 --seed 1: ten real points without the target, each valid, the same every time', async () => {
      const first = await runMain(['sample', '-n', '10', '--seed', '1'], env);
      expect(first.code).toBe(0);
      const sample = JSON.parse(first.stdout);
      expect(sample).toHaveLength(10);
      for (const [i, point] of sample.entries()) {
        expect(checkPoint(point, i)).toBeNull();
        expect(Object.keys(point)).toEqual(NAMES);
      }
      expect((await runMain(['sample', '-n', '10', '--seed', '1'], env)).stdout).toBe(first.stdout);
      expect((await runMain(['sample', '-n', '10', '--seed', '2'], env)).stdout).not.toBe(first.stdout);
    });

    it('--synthetic points are valid under the contract and can be predicted', async () => {
      const synthetic = await runMain(['sample', '-n', '25', '--synthetic', '--seed', '4'], env);
      const sample = JSON.parse(synthetic.stdout);
      for (const [i, point] of sample.entries()) expect(checkPoint(point, i)).toBeNull();
      const predicted = await predict([], synthetic.stdout);
      expect(predicted.stdout.trimEnd().split('\n')).toHaveLength(25);
    });

    it('-o writes the file the original wrote; an unwritable path is exit 1 and leaves nothing', async () => {
      const dir = tempDir('sample');
      const written = await runMain(['sample', '-o', join(dir, 'data', 'sample.json')], env);
      expect(written.code).toBe(0);
      expect(written.stdout).toBe('');
      expect(JSON.parse(readFileSync(join(dir, 'data', 'sample.json'), 'utf8'))).toHaveLength(10);
      writeFileSync(join(dir, 'file'), 'x');
      const refused = await runMain(['sample', '-o', join(dir, 'file', 'sample.json')], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toMatch(/^Cannot write .*sample\.json \(E[A-Z]+\)\.$/);
      expect(existsSync(join(dir, 'file', 'sample.json'))).toBe(false);
    });

    it.each([[['-n', '0']], [['-n', 'ten']], [['--seed', '-1']]])('%j is exit 2', async (args) => {
      expect((await runMain(['sample', ...args], env)).code).toBe(2);
    });
  });
});
