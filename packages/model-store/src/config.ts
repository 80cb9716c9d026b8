import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settingRefusal, settingsReader, shownValue } from '@rally/settings';
import { DEFAULT_MODEL_MAX_BYTES, WORKSPACE_ROOT } from '@rally/model';
import { LocalFolderStore } from './local.ts';
import { isValidBucketName, normalizePrefix, S3_DEFAULTS, S3ModelStore, type S3ModelStoreOptions } from './s3.ts';

/** The store when MODEL_STORE (and the original's AWS_S3_BUCKET_NAME) is not set. */
export const DEFAULT_MODEL_STORE = './store';

export type ModelStoreLocation =
  | { kind: 'local'; root: string }
  | { kind: 's3'; bucket: string; prefix: string };

/**
 * Parses MODEL_STORE: `s3://bucket/prefix`, `file:///abs/path`, or a folder path, relative to
 * `base` (default: the workspace root, so every command means the same folder wherever it runs).
 */
export function parseModelStoreLocation(value: string | undefined, base: string = WORKSPACE_ROOT): ModelStoreLocation {
  const given = (value ?? '').trim() || DEFAULT_MODEL_STORE;
  const refuse = (rule: string, shown: string, cause?: unknown) => settingRefusal('STORE_CONFIG', 'MODEL_STORE', rule, shown, 'MODEL_STORE', cause);
  // What messages show: credentials pasted into the URL never reach a terminal or a log.
  const raw = withoutCredentials(given);
  const s3 = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(raw);
  if (s3) {
    const bucket = s3[1];
    if (!bucket) throw refuse('name a bucket (s3://bucket/prefix)', raw);
    if (!isValidBucketName(bucket)) {
      throw refuse(`name a valid bucket (3-63 lowercase letters, digits, dots and hyphens; not ${shownValue(bucket)})`, raw);
    }
    if (/[?#]/.test(s3[2] ?? '')) throw refuse("not contain '?' or '#' (expected s3://bucket/prefix)", raw);
    let prefix: string;
    try {
      prefix = normalizePrefix(s3[2]);
    } catch (error) {
      throw refuse("have a valid prefix (no '.', '..', backslash or control characters)", raw, error);
    }
    return { kind: 's3', bucket, prefix };
  }
  if (/^file:\/\//i.test(raw)) {
    try {
      return { kind: 'local', root: fileURLToPath(given) };
    } catch (error) {
      throw refuse('be a valid file:// URL', raw, error);
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (scheme) {
    throw refuse(`be s3://bucket/prefix or a folder path (${scheme[1]}:// is not supported)`, raw);
  }
  // `s3:/bucket`, `s3:bucket`, `file:/x`: a URL mistyped, not a folder named "s3:" (two letters or
  // more, so a drive letter would not match).
  const almost = /^([a-z][a-z0-9+.-]+):/i.exec(raw);
  if (almost) {
    throw refuse('be s3://bucket/prefix, file:///path or a folder path (this looks like a mistyped URL)', raw);
  }
  return { kind: 'local', root: resolve(base, given) };
}

/** `scheme://user:password@rest` → `scheme://***@rest`. */
export function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1***@');
}

function parseEndpoint(given: string): string {
  // What the message shows: credentials pasted into the URL never reach a terminal or a log.
  const value = withoutCredentials(given);
  const refuse = (rule: string) => settingRefusal('STORE_CONFIG', 'S3_ENDPOINT', rule, value);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw refuse('be a URL (e.g. http://127.0.0.1:9000)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('be an http:// or https:// URL');
  if (url.search || url.hash || url.username || url.password) throw refuse('not carry credentials, a query or a fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * S3 client options from the standard variables: AWS_REGION / AWS_DEFAULT_REGION,
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (otherwise the SDK's default chain),
 * AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, S3_TIMEOUT_SECONDS (no byte for this long fails an attempt,
 * default 5), and S3_ENDPOINT for an S3-compatible server (path-style there).
 */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv, bucket: string, prefix: string): S3ModelStoreOptions {
  const settings = settingsReader(env, 'STORE_CONFIG');
  const endpointRaw = settings.text('S3_ENDPOINT');
  const endpoint = endpointRaw === undefined ? undefined : parseEndpoint(endpointRaw);
  const accessKeyId = settings.text('AWS_ACCESS_KEY_ID');
  const secretAccessKey = settings.text('AWS_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) throw settings.fail('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.');
  const sessionToken = settings.text('AWS_SESSION_TOKEN');
  const maxAttempts = settings.integer('AWS_MAX_ATTEMPTS', S3_DEFAULTS.maxAttempts, 1, 10);
  const socketTimeoutMs = settings.secondsAsMs('S3_TIMEOUT_SECONDS', S3_DEFAULTS.socketTimeoutMs / 1000, 0.1, 600);
  const retryMode = settings.oneOf('AWS_RETRY_MODE', ['standard', 'adaptive'] as const, S3_DEFAULTS.retryMode);
  return {
    bucket,
    prefix,
    endpoint,
    forcePathStyle: endpoint !== undefined,
    region: settings.text('AWS_REGION') ?? settings.text('AWS_DEFAULT_REGION'),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
    maxAttempts,
    retryMode,
    socketTimeoutMs,
  };
}

/**
 * MODEL_STORE, or else the original app's settings: AWS_S3_BUCKET_NAME with USERNAME, its models
 * being under s3://<bucket>/<username>. Undefined when neither is set (the default folder).
 */
export function modelStoreFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const settings = settingsReader(env, 'STORE_CONFIG');
  const explicit = settings.text('MODEL_STORE');
  if (explicit !== undefined) return explicit;
  const bucket = settings.text('AWS_S3_BUCKET_NAME');
  if (bucket === undefined) return undefined;
  const user = settings.text('USERNAME');
  if (user === undefined) {
    throw settings.fail(`AWS_S3_BUCKET_NAME=${bucket} is set without USERNAME: the original app's store is s3://<bucket>/<USERNAME>; set USERNAME, or MODEL_STORE.`);
  }
  // Checked here, so that the sentence names the variable the user set, not a MODEL_STORE they never wrote.
  if (!isValidBucketName(bucket)) throw settings.refuse('AWS_S3_BUCKET_NAME', 'be a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)', bucket);
  // eslint-disable-next-line no-control-regex
  if (user.split('/').some((segment) => segment === '.' || segment === '..') || /[\u0000-\u001f\u007f\\?#]/.test(user)) {
    throw settings.refuse('USERNAME', "name a folder of the original app's store (no '.', '..', '?', '#', backslash or control characters)", user);
  }
  return `s3://${bucket}/${user}`;
}

/**
 * The store named by MODEL_STORE (or AWS_S3_BUCKET_NAME + USERNAME, see modelStoreFromEnv): `s3://bucket/prefix` → S3ModelStore, anything else a folder
 * path (default ./store, relative to the workspace root) → LocalFolderStore. Invalid configuration
 * → STORE_CONFIG. Nothing is contacted until the first call.
 */
export function createModelStore(env: NodeJS.ProcessEnv = process.env, base: string = WORKSPACE_ROOT): LocalFolderStore | S3ModelStore {
  const location = parseModelStoreLocation(modelStoreFromEnv(env), base);
  const maxArtifactBytes = modelMaxBytesFromEnv(env);
  const store = location.kind === 'local' ? new LocalFolderStore(location.root) : new S3ModelStore(s3OptionsFromEnv(env, location.bucket, location.prefix));
  store.maxArtifactBytes = maxArtifactBytes;
  return store;
}

/** MODEL_MAX_BYTES: the largest model.json or report.json read (default DEFAULT_MODEL_MAX_BYTES, 64 MiB). */
export function modelMaxBytesFromEnv(env: NodeJS.ProcessEnv): number {
  return settingsReader(env, 'STORE_CONFIG').integer('MODEL_MAX_BYTES', DEFAULT_MODEL_MAX_BYTES, 1024, 2 ** 31 - 1);
}
