// @module-tag unit
/**
 * What a user who mistypes MODEL_STORE or an S3_* / AWS_* variable reads: one sentence naming the
 * variable, what they wrote (without credentials) and what was expected. Parsing only: nothing here
 * contacts a store.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3_DEFAULTS } from '../src/s3.ts';
import { modelStoreFromEnv, parseModelStoreLocation, s3OptionsFromEnv, withoutCredentials } from '../src/config.ts';
import { expectRallyError } from '@rally/testkit';

const BASE = resolve('/srv/rally');

async function storeError(value: string): Promise<string> {
  return (await expectRallyError(() => parseModelStoreLocation(value, BASE), 'STORE_CONFIG')).message;
}

describe('parseModelStoreLocation: the sentence for each kind of bad MODEL_STORE', () => {
  it('a URL without a bucket', async () => {
    expect(await storeError('s3://')).toBe('MODEL_STORE must name a bucket (s3://bucket/prefix), got "s3://".');
    expect(await storeError('s3:///models')).toBe('MODEL_STORE must name a bucket (s3://bucket/prefix), got "s3:///models".');
  });

  it('an invalid bucket name, quoted', async () => {
    expect(await storeError('s3://Bad_Bucket/x')).toBe(
      'MODEL_STORE must name a valid bucket (3-63 lowercase letters, digits, dots and hyphens; not "Bad_Bucket"), got "s3://Bad_Bucket/x".',
    );
    // Dots are allowed, but not two in a row.
    await storeError('s3://my..bucket/x');
    expect(parseModelStoreLocation('s3://my.bucket/x', BASE)).toEqual({ kind: 's3', bucket: 'my.bucket', prefix: 'x/' });
  });

  it("a query or a fragment in the prefix", async () => {
    expect(await storeError('s3://bucket/x?versionId=1')).toBe(`MODEL_STORE must not contain '?' or '#' (expected s3://bucket/prefix), got "s3://bucket/x?versionId=1".`);
    expect(await storeError('s3://bucket/x#frag')).toBe(`MODEL_STORE must not contain '?' or '#' (expected s3://bucket/prefix), got "s3://bucket/x#frag".`);
  });

  it("'.', '..' or a backslash in the prefix", async () => {
    const expected = (raw: string) => `MODEL_STORE must have a valid prefix (no '.', '..', backslash or control characters), got ${JSON.stringify(raw)}.`;
    for (const raw of ['s3://bucket/../x', 's3://bucket/a/./b', 's3://bucket/a\\b']) expect(await storeError(raw)).toBe(expected(raw));
  });

  it('an unsupported scheme, named', async () => {
    expect(await storeError('gs://bucket/x')).toBe('MODEL_STORE must be s3://bucket/prefix or a folder path (gs:// is not supported), got "gs://bucket/x".');
    expect(await storeError('https://example.com/store')).toBe(
      'MODEL_STORE must be s3://bucket/prefix or a folder path (https:// is not supported), got "https://example.com/store".',
    );
  });

  it('a mistyped URL is not taken for a folder named "s3:"', async () => {
    for (const raw of ['s3:/bucket/x', 's3:bucket', 'file:/tmp/x']) {
      expect(await storeError(raw)).toBe(`MODEL_STORE must be s3://bucket/prefix, file:///path or a folder path (this looks like a mistyped URL), got "${raw}".`);
    }
  });

  it('a file:// URL that names no local path', async () => {
    // A host other than localhost cannot be a local path.
    expect(await storeError('file://server/share/store')).toBe('MODEL_STORE must be a valid file:// URL, got "file://server/share/store".');
  });

  it('never repeats credentials pasted into the URL', async () => {
    const message = await storeError('gs://alice:hunter2@bucket/x');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('alice');
    expect(message).toBe('MODEL_STORE must be s3://bucket/prefix or a folder path (gs:// is not supported), got "gs://***@bucket/x".');
  });
});

describe('parseModelStoreLocation: what it accepts', () => {
  it('takes the scheme in any case and keeps the prefix normalized', () => {
    expect(parseModelStoreLocation('S3://bucket/a//b/', BASE)).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'a/b/' });
    expect(parseModelStoreLocation('s3://bucket', BASE)).toEqual({ kind: 's3', bucket: 'bucket', prefix: '' });
  });

  it('takes file:// URLs in any case, and folder paths relative to the base', () => {
    expect(parseModelStoreLocation('FILE:///var/store', BASE)).toEqual({ kind: 'local', root: '/var/store' });
    expect(parseModelStoreLocation('  models/here  ', BASE)).toEqual({ kind: 'local', root: join(BASE, 'models/here') });
    expect(parseModelStoreLocation('', BASE)).toEqual({ kind: 'local', root: join(BASE, 'store') });
  });

  it('takes a one-letter "scheme" (a drive letter) as a folder path', () => {
    expect(parseModelStoreLocation('C:store', BASE).kind).toBe('local');
  });
});

describe('withoutCredentials', () => {
  it('hides user and password of any scheme, and nothing else', () => {
    expect(withoutCredentials('s3://key:secret@bucket/p')).toBe('s3://***@bucket/p');
    expect(withoutCredentials('HTTP://user@host:9000/x')).toBe('HTTP://***@host:9000/x');
    expect(withoutCredentials('s3://bucket/p@q')).toBe('s3://bucket/p@q');
    expect(withoutCredentials('folder/with@sign')).toBe('folder/with@sign');
  });
});

describe('s3OptionsFromEnv: the sentence for each bad setting', () => {
  async function optionsError(env: NodeJS.ProcessEnv): Promise<string> {
    return (await expectRallyError(() => s3OptionsFromEnv(env, 'bucket', ''), 'STORE_CONFIG')).message;
  }

  it('S3_ENDPOINT', async () => {
    expect(await optionsError({ S3_ENDPOINT: 'not a url' })).toBe('S3_ENDPOINT must be a URL (e.g. http://127.0.0.1:9000), got "not a url".');
    expect(await optionsError({ S3_ENDPOINT: 'ftp://127.0.0.1:21' })).toBe('S3_ENDPOINT must be an http:// or https:// URL, got "ftp://127.0.0.1:21".');
    for (const endpoint of ['http://127.0.0.1:9000/?x=1', 'http://127.0.0.1:9000/#top', 'http://user@127.0.0.1:9000']) {
      expect(await optionsError({ S3_ENDPOINT: endpoint })).toBe(`S3_ENDPOINT must not carry credentials, a query or a fragment, got ${JSON.stringify(withoutCredentials(endpoint))}.`);
    }
    // The password never reaches the sentence.
    const message = await optionsError({ S3_ENDPOINT: 'http://user:pw@127.0.0.1:9000' });
    expect(message).toBe('S3_ENDPOINT must not carry credentials, a query or a fragment, got "http://***@127.0.0.1:9000".');
  });

  it('half a key pair', async () => {
    const sentence = 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.';
    expect(await optionsError({ AWS_ACCESS_KEY_ID: 'id' })).toBe(sentence);
    expect(await optionsError({ AWS_SECRET_ACCESS_KEY: 'secret' })).toBe(sentence);
    expect(await optionsError({ AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: '  ' })).toBe(sentence);
  });

  it('AWS_MAX_ATTEMPTS outside 1-10 or not an integer', async () => {
    for (const raw of ['0', '11', '2.5', 'many', '-1']) {
      expect(await optionsError({ AWS_MAX_ATTEMPTS: raw })).toBe(`AWS_MAX_ATTEMPTS must be an integer from 1 to 10, got "${raw}".`);
    }
  });

  it('S3_TIMEOUT_SECONDS outside 0.1-600 or not a number', async () => {
    for (const raw of ['0', '0.05', '601', 'soon', '-1', '1e2']) {
      expect(await optionsError({ S3_TIMEOUT_SECONDS: raw })).toBe(`S3_TIMEOUT_SECONDS must be a number of seconds from 0.1 to 600, got "${raw}".`);
    }
  });

  it('AWS_RETRY_MODE other than standard or adaptive', async () => {
    expect(await optionsError({ AWS_RETRY_MODE: 'legacy' })).toBe('AWS_RETRY_MODE must be one of standard, adaptive, got "legacy".');
  });
});

describe('s3OptionsFromEnv: what it passes on', () => {
  it('defaults: no endpoint, virtual-host style, SDK credential chain, standard retries', () => {
    expect(s3OptionsFromEnv({}, 'bucket', 'p/')).toEqual({
      bucket: 'bucket',
      prefix: 'p/',
      endpoint: undefined,
      forcePathStyle: false,
      region: undefined,
      credentials: undefined,
      maxAttempts: S3_DEFAULTS.maxAttempts,
      retryMode: 'standard',
      socketTimeoutMs: S3_DEFAULTS.socketTimeoutMs,
    });
  });

  it('every setting, trimmed, at the edges of its range', () => {
    const options = s3OptionsFromEnv(
      {
        S3_ENDPOINT: ' https://minio.internal:9000/base/ ',
        AWS_ACCESS_KEY_ID: ' id ',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_MAX_ATTEMPTS: '10',
        AWS_RETRY_MODE: 'adaptive',
        S3_TIMEOUT_SECONDS: '0.1',
        AWS_REGION: ' eu-west-3 ',
        AWS_DEFAULT_REGION: 'us-west-1',
      },
      'bucket',
      '',
    );
    expect(options).toEqual({
      bucket: 'bucket',
      prefix: '',
      endpoint: 'https://minio.internal:9000/base',
      forcePathStyle: true,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: 'token' },
      maxAttempts: 10,
      retryMode: 'adaptive',
      socketTimeoutMs: 100,
    });
  });

  it('the other edges: 1 attempt, 600 s, AWS_DEFAULT_REGION, no session token, an endpoint without a path', () => {
    const options = s3OptionsFromEnv(
      { S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '1', S3_TIMEOUT_SECONDS: '600', AWS_DEFAULT_REGION: 'us-west-1', AWS_RETRY_MODE: 'standard' },
      'bucket',
      '',
    );
    expect(options.endpoint).toBe('http://127.0.0.1:9000');
    expect(options.credentials).toEqual({ accessKeyId: 'id', secretAccessKey: 'secret' });
    expect(options.maxAttempts).toBe(1);
    expect(options.socketTimeoutMs).toBe(600_000);
    expect(options.region).toBe('us-west-1');
    expect(options.retryMode).toBe('standard');
  });
});

describe("modelStoreFromEnv: the original app's AWS_S3_BUCKET_NAME + USERNAME", () => {
  it('MODEL_STORE wins; without either, the default folder', () => {
    expect(modelStoreFromEnv({ MODEL_STORE: ' s3://a-bucket/x ', AWS_S3_BUCKET_NAME: 'other', USERNAME: 'bob' })).toBe('s3://a-bucket/x');
    expect(modelStoreFromEnv({})).toBeUndefined();
    expect(modelStoreFromEnv({ MODEL_STORE: '  ', AWS_S3_BUCKET_NAME: ' ' })).toBeUndefined();
  });

  it('the bucket and user become s3://<bucket>/<user>', () => {
    expect(modelStoreFromEnv({ AWS_S3_BUCKET_NAME: 'tennis-models', USERNAME: ' alice ' })).toBe('s3://tennis-models/alice');
    expect(modelStoreFromEnv({ AWS_S3_BUCKET_NAME: 'tennis-models', USERNAME: 'team/alice' })).toBe('s3://tennis-models/team/alice');
  });

  it('names the variable the user set when something is wrong', async () => {
    const err = async (env: NodeJS.ProcessEnv) => (await expectRallyError(() => modelStoreFromEnv(env), 'STORE_CONFIG')).message;
    expect(await err({ AWS_S3_BUCKET_NAME: 'tennis-models' })).toBe(
      "AWS_S3_BUCKET_NAME=tennis-models is set without USERNAME: the original app's store is s3://<bucket>/<USERNAME>; set USERNAME, or MODEL_STORE.",
    );
    expect(await err({ AWS_S3_BUCKET_NAME: 'Tennis_Models', USERNAME: 'alice' })).toBe(
      'AWS_S3_BUCKET_NAME must be a valid bucket name (3-63 lowercase letters, digits, dots and hyphens), got "Tennis_Models".',
    );
    for (const user of ['..', 'a/../b', './a', 'a?b', 'a#b', 'a\\b', 'a\u0001b']) {
      expect(await err({ AWS_S3_BUCKET_NAME: 'tennis-models', USERNAME: user })).toBe(
        `USERNAME must name a folder of the original app's store (no '.', '..', '?', '#', backslash or control characters), got ${JSON.stringify(user)}.`,
      );
    }
  });
});

describe('what is and is not a URL', () => {
  it('only a scheme at the very start counts: a folder path with "://" further on is a folder', () => {
    expect(parseModelStoreLocation('backups/copy-of-s3://bucket', BASE).kind).toBe('local');
    expect(parseModelStoreLocation('backups/s3:x', BASE).kind).toBe('local');
    expect(withoutCredentials('notes about s3://key:secret@bucket')).toBe('notes about s3://key:secret@bucket');
  });

  it('a scheme that merely ends in s3 or file is unsupported, not taken for s3:// or file://', async () => {
    expect(await storeError('xs3://bucket/x')).toBe('MODEL_STORE must be s3://bucket/prefix or a folder path (xs3:// is not supported), got "xs3://bucket/x".');
    expect(await storeError('xfile://host/x')).toBe('MODEL_STORE must be s3://bucket/prefix or a folder path (xfile:// is not supported), got "xfile://host/x".');
  });

  it('keeps the underlying error as the cause of an invalid prefix or file:// URL', async () => {
    const prefix = await expectRallyError(() => parseModelStoreLocation('s3://bucket/../x', BASE), 'STORE_CONFIG');
    expect(prefix.cause).toBeInstanceOf(Error);
    const file = await expectRallyError(() => parseModelStoreLocation('file://server/share', BASE), 'STORE_CONFIG');
    expect(file.cause).toBeInstanceOf(Error);
  });

  it('drops every trailing slash of the endpoint path, and takes fractional timeouts', () => {
    expect(s3OptionsFromEnv({ S3_ENDPOINT: 'http://127.0.0.1:9000/base//' }, 'bucket', '').endpoint).toBe('http://127.0.0.1:9000/base');
    expect(s3OptionsFromEnv({ S3_TIMEOUT_SECONDS: '0.25' }, 'bucket', '').socketTimeoutMs).toBe(250);
  });

  it('a USERNAME with dots in a segment is a folder name, not "." or ".."', () => {
    expect(modelStoreFromEnv({ AWS_S3_BUCKET_NAME: 'tennis-models', USERNAME: 'first.last' })).toBe('s3://tennis-models/first.last');
  });
});
