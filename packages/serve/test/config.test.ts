// @module-tag integration
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RALLY_SOURCE, SOURCE_NODE_ARGS, tempDir } from '@rally/testkit';
import { configFromEnv, describeConfig, loadEnvFile, readEnvFile, SETTINGS } from '../src/index.ts';

// Each invalid setting stops the start with one sentence that names it.
const invalid: [Record<string, string>, string | RegExp][] = [
  [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535, got "abc".'],
  [{ PORT: '65536' }, 'PORT must be an integer from 0 to 65535, got "65536".'],
  [{ PORT: '80.5' }, /^PORT must be an integer/],
  [{ WORKERS: '0' }, 'WORKERS must be an integer from 1 to 64, got "0".'],
  [{ WORKERS: '65' }, /^WORKERS must be an integer from 1 to 64/],
  [{ HOST: 'not a host' }, 'HOST must be an IP address or a host name, got "not a host".'],
  [{ POLL_INTERVAL_SECONDS: '-1' }, 'POLL_INTERVAL_SECONDS must be a number of seconds from 0 to 3600, got "-1".'],
  [{ POLL_INTERVAL_SECONDS: '1e3' }, /^POLL_INTERVAL_SECONDS must be a number of seconds/],
  [{ SHUTDOWN_GRACE_SECONDS: 'soon' }, /^SHUTDOWN_GRACE_SECONDS must be a number of seconds/],
  [{ HEADERS_TIMEOUT_SECONDS: '0' }, /^HEADERS_TIMEOUT_SECONDS must be a number of seconds from 0.1/],
  [{ HEADERS_TIMEOUT_SECONDS: '60' }, 'HEADERS_TIMEOUT_SECONDS (60) must not exceed REQUEST_TIMEOUT_SECONDS (30).'],
  [{ POLL_INTERVAL_SECONDS: '0.001' }, 'POLL_INTERVAL_SECONDS must be 0 (no polling) or from 1 to 3600, got "0.001".'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud".'],
  [{ LOG_FORMAT: 'xml' }, /^LOG_FORMAT must be one of auto, json, pretty/],
  [{ MAX_BATCH_POINTS: '0' }, /^MAX_BATCH_POINTS must be an integer from 1/],
  [{ BODY_LIMIT_BYTES: '1MB' }, /^BODY_LIMIT_BYTES must be an integer/],
  [{ MODEL_STORE: 's3:/bad' }, 'MODEL_STORE must be s3://bucket/prefix, file:///path or a folder path (this looks like a mistyped URL), got "s3:/bad".'],
  [{ MODEL_STORE: 'gs://bucket/x' }, 'MODEL_STORE must be s3://bucket/prefix or a folder path (gs:// is not supported), got "gs://bucket/x".'],
  [{ MODEL_STORE: 's3://Bad_Bucket/x' }, /^MODEL_STORE must name a valid bucket .*, got "s3:\/\/Bad_Bucket\/x"\.$/],
  [{ MODEL_STORE: 's3://models/x', S3_ENDPOINT: 'localhost:9000' }, 'S3_ENDPOINT must be an http:// or https:// URL, got "localhost:9000".'],
  [{ MODEL_STORE: 's3://models/x', AWS_ACCESS_KEY_ID: 'AKIA' }, /^AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together/],
  [{ MODEL_STORE: 's3://models/x', AWS_MAX_ATTEMPTS: '0' }, 'AWS_MAX_ATTEMPTS must be an integer from 1 to 10, got "0".'],
  [{ CACHE_DISABLED: 'maybe' }, 'CACHE_DISABLED must be 1 or 0 (or true/false, yes/no), got "maybe".'],
  [{ CACHE_TTL_SECONDS: '-5' }, 'CACHE_TTL_SECONDS must be a number of seconds from 0 to 31536000, got "-5".'],
  [{ AWS_S3_BUCKET_NAME: 'models' }, /^AWS_S3_BUCKET_NAME=models is set without USERNAME/],
  [{ AWS_S3_BUCKET_NAME: 'Course_Models', USERNAME: 'ada' }, /^AWS_S3_BUCKET_NAME must be a valid bucket name .*, got "Course_Models"\.$/],
  [{ AWS_S3_BUCKET_NAME: 'course-models', USERNAME: '..' }, /^USERNAME must name a folder of the original app's store .*, got "\.\."\.$/],
  [{ ENV_FILE: '/nonexistent/rally.env' }, 'ENV_FILE must name a file that can be read, got "/nonexistent/rally.env" (ENOENT).'],
];

describe('configuration', () => {
  it('has a default for everything', () => {
    const config = configFromEnv({}, { isTerminal: false });
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      workers: 1,
      pollIntervalMs: 30_000,
      logLevel: 'info',
      logFormat: 'json',
      connections: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000 },
      limits: { maxBatch: 1000, bodyLimit: 1024 * 1024 },
      shutdownGraceMs: 8000,
      modelStore: './store',
    });
    expect(configFromEnv({}, { isTerminal: true }).logFormat).toBe('pretty');
  });

  it('takes --port and --host over PORT and HOST, and the logged configuration says which came from a flag', () => {
    const config = configFromEnv({ PORT: '8000', HOST: '0.0.0.0', WORKERS: '2' }, { isTerminal: false, flags: { port: '9000', host: '::1' } });
    expect(config).toMatchObject({ port: 9000, host: '::1', workers: 2, flags: { PORT: '--port', HOST: '--host' } });
    // The workers a cluster forks read the same port from the environment they are given.
    expect(config.env).toMatchObject({ PORT: '9000', HOST: '::1' });
    expect(describeConfig(config)).toMatchObject({ PORT: '9000 (--port)', HOST: '::1 (--host)', WORKERS: '2' });
    const onlyEnv = configFromEnv({ PORT: '8001' }, { isTerminal: false, flags: {} });
    expect(onlyEnv.port).toBe(8001);
    expect(describeConfig(onlyEnv).PORT).toBe('8001');
    expect(() => configFromEnv({}, { flags: { port: '-1' } })).toThrow('--port must be an integer from 0 to 65535, got "-1".');
  });

  it('reads every setting it documents', () => {
    const config = configFromEnv(
      {
        PORT: '0',
        HOST: '0.0.0.0',
        WORKERS: '2',
        POLL_INTERVAL_SECONDS: '2.5',
        LOG_LEVEL: 'WARN',
        LOG_FORMAT: 'pretty',
        MAX_BATCH_POINTS: '10',
        BODY_LIMIT_BYTES: '2048',
        HEADERS_TIMEOUT_SECONDS: '1',
        REQUEST_TIMEOUT_SECONDS: '2',
        KEEP_ALIVE_TIMEOUT_SECONDS: '3',
        SHUTDOWN_GRACE_SECONDS: '4',
        MODEL_STORE: 's3://models/team',
      },
      { isTerminal: false },
    );
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      workers: 2,
      pollIntervalMs: 2500,
      logLevel: 'warn',
      logFormat: 'pretty',
      limits: { maxBatch: 10, bodyLimit: 2048 },
      connections: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 3000 },
      shutdownGraceMs: 4000,
      modelStore: 's3://models/team',
    });
  });

  it.each(invalid)('refuses %j in one sentence naming the variable', (env, message) => {
    let error: unknown;
    try {
      // As a start does: the .env file into the environment, then the configuration.
      const started: NodeJS.ProcessEnv = { ...env };
      loadEnvFile(started);
      configFromEnv(started);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    const text = (error as Error).message;
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(text.includes(Object.keys(env).at(-1)!) || text.includes(Object.keys(env)[0])).toBe(true);
    // One sentence, on one line.
    expect(text.trim().endsWith('.')).toBe(true);
    expect(text).not.toContain('\n');
    // The codes the command line answers with exit 2 (a setting is bad usage, not a failed job).
    expect(['SERVER_CONFIG', 'STORE_CONFIG']).toContain((error as { code?: string }).code);
  });

  it("falls back to the original app's AWS_S3_BUCKET_NAME and USERNAME, MODEL_STORE winning", () => {
    expect(configFromEnv({ AWS_S3_BUCKET_NAME: 'course-models', USERNAME: 'ada' }).modelStore).toBe('s3://course-models/ada');
    expect(configFromEnv({ AWS_S3_BUCKET_NAME: 'course-models', USERNAME: 'ada' }).env.MODEL_STORE).toBe('s3://course-models/ada');
    expect(configFromEnv({ AWS_S3_BUCKET_NAME: 'course-models', USERNAME: 'ada', MODEL_STORE: '/srv/models' }).modelStore).toBe('/srv/models');
  });

  it('loadEnvFile adds the file\'s variables the environment lacks, so that later readers (the AWS SDK) see them', () => {
    const dir = tempDir('env-load');
    const file = join(dir, 'rally.env');
    writeFileSync(file, 'AWS_PROFILE=course\nPORT=9100\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, PORT: '9000' };
    loadEnvFile(env);
    expect(env).toEqual({ ENV_FILE: file, PORT: '9000', AWS_PROFILE: 'course' });
  });

  it('reads a .env file (ENV_FILE or ./.env), the environment winning over it', () => {
    const dir = tempDir('env');
    const file = join(dir, 'rally.env');
    writeFileSync(file, '# settings\nPORT=9100\nLOG_LEVEL=debug\nAWS_S3_BUCKET_NAME=course-models\nUSERNAME="ada"\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, LOG_LEVEL: 'warn' };
    loadEnvFile(env);
    expect(configFromEnv(env)).toMatchObject({ port: 9100, logLevel: 'warn', modelStore: 's3://course-models/ada' });
    writeFileSync(join(dir, '.env'), 'PORT=9200\n');
    expect(readEnvFile({}, dir)).toEqual({ PORT: '9200' });
    expect(readEnvFile({}, tempDir('no-env'))).toEqual({});
    // configFromEnv itself reads no file: cluster workers get the loaded environment from their primary.
    expect(configFromEnv({ ENV_FILE: file }).port).toBe(8000);
  });

  it('never shows credentials pasted into a URL, in the log line or in an error', () => {
    expect(() => configFromEnv({ MODEL_STORE: 's3://AKIAKEY:s3cr3t@bucket/x' })).toThrow(/^MODEL_STORE must .*, got "s3:\/\/\*\*\*@bucket\/x"\.$/);
    expect(() => configFromEnv({ MODEL_STORE: 's3://models/x', S3_ENDPOINT: 'http://user:s3cr3t@127.0.0.1:9000' })).toThrow('S3_ENDPOINT must not carry credentials, a query or a fragment, got "http://***@127.0.0.1:9000".');
    for (const env of [{ MODEL_STORE: 's3://AKIAKEY:s3cr3t@bucket/x' }, { MODEL_STORE: 's3://models/x', S3_ENDPOINT: 'http://user:s3cr3t@127.0.0.1:9000' }]) {
      try {
        configFromEnv(env);
      } catch (error) {
        expect((error as Error).message).not.toMatch(/s3cr3t|AKIAKEY/);
      }
    }
    expect(configFromEnv({ MODEL_STORE: 's3://models/team@2026/x' }).modelStore).toBe('s3://models/team@2026/x');
  });

  it('rounds seconds to whole milliseconds (Node refuses fractions)', () => {
    expect(configFromEnv({ HEADERS_TIMEOUT_SECONDS: '1.005' }).connections.headersTimeoutMs).toBe(1005);
  });

  it('describes the effective configuration with secrets masked', () => {
    const config = configFromEnv({
      PORT: '0',
      MODEL_STORE: 's3://models/team',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEJr',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    const described = describeConfig(config);
    expect(described).toMatchObject({ PORT: '0', MODEL_STORE: 's3://models/team', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: '(set)', AWS_SESSION_TOKEN: '(set)' });
    expect(JSON.stringify(described)).not.toMatch(/wJalrXUtnFEMI|FwoGZXIvYXdzEJr/);
    expect(describeConfig(configFromEnv({ MODEL_STORE: 'file:///srv/models' })).MODEL_STORE).toBe('file:///srv/models');
  });

  // It reads the sources as text, which a mutation run (Stryker, in place) has rewritten.
  const SOURCE_DIR = fileURLToPath(new URL('../src/', import.meta.url));
  const sourcesRewritten = readFileSync(join(SOURCE_DIR, 'config.ts'), 'utf8').includes('stryMutAct_9fa48');
  it.skipIf(sourcesRewritten)('documents every variable it reads (the README table comes from SETTINGS)', async () => {
    const { readdirSync } = await import('node:fs');
    // The server's sources, and the store's and the settings reader's, which it reads its settings through.
    const dirs = [SOURCE_DIR, join(SOURCE_DIR, '../../model-store/src'), join(SOURCE_DIR, '../../settings/src')];
    const sources = dirs
      .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => readFileSync(join(dir, file), 'utf8')))
      .join('\n');
    const read = new Set([...sources.matchAll(/\.(?:text|integer|secondsAsMs|oneOf|flag|refuse)\('([A-Z_]+)'|env\.([A-Z_]+)\b(?!\s*(?:\?\?)?=)/g)].map((match) => match[1] ?? match[2]));
    expect(read.size).toBeGreaterThan(10);
    const documented = new Set(SETTINGS.map((setting) => setting.name));
    for (const name of read) expect(documented.has(name), name).toBe(true);
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    for (const name of documented) expect(readme, name).toContain(`\`${name}\``);
  });
});

describe('`pnpm serve` with an invalid setting (a real process)', { tags: ['e2e'] }, () => {
  it(`refuses each of the ${invalid.length} invalid settings above: its one sentence alone on stderr, nothing on stdout, exit 2`, async () => {
    const start = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [...SOURCE_NODE_ARGS, RALLY_SOURCE, 'serve'], { env: { ...process.env, ENV_FILE: '', ...env } }).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    // Four at a time: each is a whole Node start.
    for (let i = 0; i < invalid.length; i += 4) {
      const batch = invalid.slice(i, i + 4);
      const results = await Promise.all(batch.map(([env]) => start(env)));
      for (const [index, result] of results.entries()) {
        const [env, message] = batch[index];
        expect(result.code, JSON.stringify(env)).toBe(2);
        expect(result.stdout).toBe('');
        const line = result.stderr.trim();
        expect(line.split('\n')).toHaveLength(1);
        if (typeof message === 'string') expect(line).toBe(message);
        else expect(line).toMatch(message);
      }
    }
  }, 120_000);
});
