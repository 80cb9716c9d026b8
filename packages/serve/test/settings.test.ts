// @module-tag unit
/**
 * Each setting's bounds, read exactly at both ends: the value just inside is taken, the value just
 * outside stops the start with the one sentence the operator reads (the README documents them).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RallyError } from '@rally/errors';
import { tempDir } from '@rally/testkit';
import { configFromEnv, describeConfig, loadEnvFile, readEnvFile, SETTINGS } from '../src/index.ts';

/** The sentence configFromEnv refuses `env` with (and checks it is a SERVER_CONFIG error). */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    configFromEnv(env, { isTerminal: false });
  } catch (error) {
    expect(error).toBeInstanceOf(RallyError);
    expect((error as RallyError).code).toBe('SERVER_CONFIG');
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(env)} was accepted`);
}

const integers: [name: string, min: number, max: number, read: (config: ReturnType<typeof configFromEnv>) => number][] = [
  ['PORT', 0, 65535, (config) => config.port],
  ['WORKERS', 1, 64, (config) => config.workers],
  ['MAX_BATCH_POINTS', 1, 100_000, (config) => config.limits.maxBatch],
  ['BODY_LIMIT_BYTES', 1024, 100 * 1024 * 1024, (config) => config.limits.bodyLimit],
];

describe('integer settings', () => {
  it.each(integers)('%s takes %i and %i, and refuses one beyond each', (name, min, max, read) => {
    expect(read(configFromEnv({ [name]: String(min) }))).toBe(min);
    expect(read(configFromEnv({ [name]: String(max) }))).toBe(max);
    expect(refusal({ [name]: String(max + 1) })).toBe(`${name} must be an integer from ${min} to ${max}, got "${max + 1}".`);
    expect(refusal({ [name]: String(min - 1) })).toBe(`${name} must be an integer from ${min} to ${max}, got "${min - 1}".`);
  });

  it('takes a leading + and surrounding spaces, refuses other spellings of a number', () => {
    expect(configFromEnv({ PORT: '+8080' }).port).toBe(8080);
    expect(configFromEnv({ PORT: ' 8081 ' }).port).toBe(8081);
    for (const raw of ['8e3', '0x1F', '80 80', '-0', '1.0', 'port 80']) expect(refusal({ PORT: raw })).toBe(`PORT must be an integer from 0 to 65535, got "${raw}".`);
  });

  it('treats an empty or blank variable as unset', () => {
    expect(configFromEnv({ PORT: '', WORKERS: '   ', MAX_BATCH_POINTS: '' })).toMatchObject({ port: 8000, workers: 1, limits: { maxBatch: 1000 } });
  });

  it('quotes a long value cut at 60 characters, so a pasted blob stays one short line', () => {
    expect(refusal({ PORT: 'x'.repeat(60) })).toBe(`PORT must be an integer from 0 to 65535, got "${'x'.repeat(60)}".`);
    expect(refusal({ PORT: 'x'.repeat(61) })).toBe(`PORT must be an integer from 0 to 65535, got "${'x'.repeat(60)}…".`);
  });
});

const seconds: [name: string, min: number, read: (config: ReturnType<typeof configFromEnv>) => number, extra?: NodeJS.ProcessEnv][] = [
  ['HEADERS_TIMEOUT_SECONDS', 0.1, (config) => config.connections.headersTimeoutMs, { REQUEST_TIMEOUT_SECONDS: '3600' }],
  ['REQUEST_TIMEOUT_SECONDS', 0.1, (config) => config.connections.requestTimeoutMs, { HEADERS_TIMEOUT_SECONDS: '0.1' }],
  ['KEEP_ALIVE_TIMEOUT_SECONDS', 0.1, (config) => config.connections.keepAliveTimeoutMs],
  ['SHUTDOWN_GRACE_SECONDS', 0, (config) => config.shutdownGraceMs],
  ['POLL_INTERVAL_SECONDS', 0, (config) => config.pollIntervalMs],
];

describe('settings in seconds', () => {
  it.each(seconds)('%s takes %s to 3600 seconds as milliseconds, and refuses beyond', (name, min, read, extra = {}) => {
    expect(read(configFromEnv({ ...extra, [name]: '3600' }))).toBe(3_600_000);
    if (name !== 'POLL_INTERVAL_SECONDS') expect(read(configFromEnv({ ...extra, [name]: String(min) }))).toBe(min * 1000);
    const sentence = (raw: string) => `${name} must be a number of seconds from ${min} to 3600, got "${raw}".`;
    expect(refusal({ ...extra, [name]: '3600.5' })).toBe(sentence('3600.5'));
    expect(refusal({ ...extra, [name]: '-1' })).toBe(sentence('-1'));
    if (min > 0) expect(refusal({ ...extra, [name]: '0.09' })).toBe(sentence('0.09'));
    for (const raw of ['1.5.2', 'ten', '1s', '.', '-.5']) expect(refusal({ ...extra, [name]: raw })).toBe(sentence(raw));
  });

  it('takes decimals written with or without a leading or trailing digit, and a leading +', () => {
    const keepAlive = (raw: string) => configFromEnv({ KEEP_ALIVE_TIMEOUT_SECONDS: raw }).connections.keepAliveTimeoutMs;
    expect(keepAlive('.5')).toBe(500);
    expect(keepAlive('5.')).toBe(5000);
    expect(keepAlive('+2.25')).toBe(2250);
    expect(keepAlive('12.5')).toBe(12_500);
    expect(keepAlive('.25')).toBe(250);
    expect(keepAlive('10.')).toBe(10_000);
    expect(keepAlive(' 7 ')).toBe(7000);
  });

  it('polls every 1 to 3600 seconds, or never with 0; less than a second is refused', () => {
    expect(configFromEnv({ POLL_INTERVAL_SECONDS: '0' }).pollIntervalMs).toBe(0);
    expect(configFromEnv({ POLL_INTERVAL_SECONDS: '1' }).pollIntervalMs).toBe(1000);
    expect(refusal({ POLL_INTERVAL_SECONDS: '0.999' })).toBe('POLL_INTERVAL_SECONDS must be 0 (no polling) or from 1 to 3600, got "0.999".');
    expect(refusal({ POLL_INTERVAL_SECONDS: ' 0.5 ' })).toBe('POLL_INTERVAL_SECONDS must be 0 (no polling) or from 1 to 3600, got "0.5".');
  });

  it('lets the header timeout equal the request timeout, not exceed it', () => {
    expect(configFromEnv({ HEADERS_TIMEOUT_SECONDS: '5', REQUEST_TIMEOUT_SECONDS: '5' }).connections).toMatchObject({ headersTimeoutMs: 5000, requestTimeoutMs: 5000 });
    expect(refusal({ HEADERS_TIMEOUT_SECONDS: '5.5', REQUEST_TIMEOUT_SECONDS: '5' })).toBe('HEADERS_TIMEOUT_SECONDS (5.5) must not exceed REQUEST_TIMEOUT_SECONDS (5).');
    // The default request timeout (30 s) bounds a header timeout set alone.
    expect(refusal({ HEADERS_TIMEOUT_SECONDS: '31' })).toBe('HEADERS_TIMEOUT_SECONDS (31) must not exceed REQUEST_TIMEOUT_SECONDS (30).');
    expect(configFromEnv({ HEADERS_TIMEOUT_SECONDS: '30' }).connections.headersTimeoutMs).toBe(30_000);
  });
});

describe('HOST', () => {
  it.each(['localhost', 'LOCALHOST', 'api-1.example.com', 'db.a', 'x.y.z', '1host', 'a', `${'a'.repeat(63)}.example`, '::', '::1', '0.0.0.0', '10.1.2.3'])('takes %s', (host) => {
    expect(configFromEnv({ HOST: host }).host).toBe(host);
  });

  it.each(['-bad.example', 'bad-.example', 'under_score', 'example.', '.example', 'a..b', `${'a'.repeat(64)}.example`, 'host:80', 'http://host'])('refuses %s', (host) => {
    expect(refusal({ HOST: host })).toBe(`HOST must be an IP address or a host name, got ${JSON.stringify(host.length > 60 ? `${host.slice(0, 60)}…` : host)}.`);
  });

  it('takes a name of 253 characters, not 254', () => {
    const label = 'a'.repeat(49);
    const name253 = `${[label, label, label, label, label].join('.')}.abc`; // 5 × 49 + 4 dots + 4 = 253
    expect(name253).toHaveLength(253);
    expect(configFromEnv({ HOST: name253 }).host).toBe(name253);
    expect(() => configFromEnv({ HOST: `${name253}e` })).toThrow(/^HOST must be an IP address or a host name/);
  });

  it('defaults to the loopback address, a blank HOST too', () => {
    expect(configFromEnv({ HOST: '  ' }).host).toBe('127.0.0.1');
  });
});

describe('choices', () => {
  it('are read in any case and with spaces around', () => {
    expect(configFromEnv({ LOG_LEVEL: ' Debug ', LOG_FORMAT: 'JSON' }, { isTerminal: true })).toMatchObject({ logLevel: 'debug', logFormat: 'json' });
    expect(configFromEnv({ LOG_FORMAT: 'Pretty' }, { isTerminal: false }).logFormat).toBe('pretty');
  });

  it('auto formats for the terminal, when not told, as the process output is one', () => {
    expect(configFromEnv({ LOG_FORMAT: 'auto' }, { isTerminal: true }).logFormat).toBe('pretty');
    expect(configFromEnv({ LOG_FORMAT: 'auto' }, { isTerminal: false }).logFormat).toBe('json');
    expect(configFromEnv({}).logFormat).toBe(process.stdout.isTTY ? 'pretty' : 'json');
  });
});

describe('the .env file', () => {
  it('says which file cannot be read and why, the default one too', () => {
    const dir = tempDir('env-dir');
    mkdirSync(join(dir, 'folder.env'));
    expect(() => readEnvFile({ ENV_FILE: 'folder.env' }, dir)).toThrow('ENV_FILE must name a file that can be read, got "folder.env" (EISDIR).');
    // A .env that exists but cannot be read is an error even when ENV_FILE is not set.
    mkdirSync(join(dir, '.env'));
    expect(() => readEnvFile({}, dir)).toThrow('ENV_FILE must name a file that can be read, got ".env" (EISDIR).');
    expect(() => readEnvFile({ ENV_FILE: '  ' }, dir)).toThrow('ENV_FILE must name a file that can be read, got ".env" (EISDIR).');
  });

  it('never overrides a variable the environment sets, even to an empty value', () => {
    const dir = tempDir('env-empty');
    const file = join(dir, 'rally.env');
    writeFileSync(file, 'PORT=9100\nHOST=0.0.0.0\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, PORT: '' };
    loadEnvFile(env);
    expect(env).toEqual({ ENV_FILE: file, PORT: '', HOST: '0.0.0.0' });
  });
});

describe('the start-up description of the settings', () => {
  it('lists the documented variables that are set, trimmed, credentials hidden, and always the store', () => {
    const config = configFromEnv({ PORT: ' 9000 ', HOST: '', WORKERS: '  ', FOO: 'bar', S3_ENDPOINT: 'http://user:pw@127.0.0.1:9000' });
    // (S3_ENDPOINT is only checked for an s3:// store; here it is only described.)
    expect(describeConfig(config)).toEqual({ PORT: '9000', S3_ENDPOINT: 'http://***@127.0.0.1:9000', MODEL_STORE: './store' });
    expect(describeConfig(configFromEnv({}))).toEqual({ MODEL_STORE: './store' });
  });
});

describe('SETTINGS (the README table and `rally serve --help` are made from it)', () => {
  it('is the README\'s configuration table, row for row', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| `[A-Z0-9_]+` \|/.test(line));
    expect(rows).toEqual(
      SETTINGS.map((setting) => `| \`${setting.name}\` | ${setting.default ? `\`${setting.default}\`` : ''} | ${setting.description}${setting.secret ? ' Never logged.' : ''} |`),
    );
  });

  it('gives the defaults configFromEnv really uses', () => {
    const config = configFromEnv({}, { isTerminal: false });
    const documented = Object.fromEntries(SETTINGS.map((setting) => [setting.name, setting.default]));
    const effective = {
      PORT: String(config.port),
      HOST: config.host,
      WORKERS: String(config.workers),
      MODEL_STORE: config.modelStore,
      POLL_INTERVAL_SECONDS: String(config.pollIntervalMs / 1000),
      LOG_LEVEL: config.logLevel,
      MAX_BATCH_POINTS: String(config.limits.maxBatch),
      BODY_LIMIT_BYTES: String(config.limits.bodyLimit),
      HEADERS_TIMEOUT_SECONDS: String(config.connections.headersTimeoutMs / 1000),
      REQUEST_TIMEOUT_SECONDS: String(config.connections.requestTimeoutMs / 1000),
      KEEP_ALIVE_TIMEOUT_SECONDS: String(config.connections.keepAliveTimeoutMs / 1000),
      SHUTDOWN_GRACE_SECONDS: String(config.shutdownGraceMs / 1000),
    };
    expect(effective).toEqual(Object.fromEntries(Object.keys(effective).map((name) => [name, documented[name]])));
    expect(documented.LOG_FORMAT).toBe('auto');
    expect(SETTINGS.filter((setting) => setting.secret).map((setting) => setting.name)).toEqual(['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
  });
});
