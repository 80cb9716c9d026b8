import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RallyError } from '@rally/errors';
import { WORKSPACE_ROOT } from '@rally/model';
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
  // What messages show: credentials pasted into the URL never reach a terminal or a log.
  const raw = withoutCredentials(given);
  const s3 = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(raw);
  if (s3) {
    const bucket = s3[1];
    if (!bucket) throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} names no bucket (expected s3://bucket/prefix).`);
    if (!isValidBucketName(bucket)) {
      throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} has an invalid bucket name "${bucket}" (3-63 lowercase letters, digits, dots and hyphens).`);
    }
    if (/[?#]/.test(s3[2] ?? '')) throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} must not contain '?' or '#' (expected s3://bucket/prefix).`);
    let prefix: string;
    try {
      prefix = normalizePrefix(s3[2]);
    } catch (error) {
      throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} has an invalid prefix (no '.', '..', backslash or control characters).`, { cause: error });
    }
    return { kind: 's3', bucket, prefix };
  }
  if (/^file:\/\//i.test(raw)) {
    try {
      return { kind: 'local', root: fileURLToPath(given) };
    } catch (error) {
      throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} is not a valid file:// URL.`, { cause: error });
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (scheme) {
    throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} uses the unsupported scheme ${scheme[1]}:// (expected s3://bucket/prefix or a folder path).`);
  }
  // `s3:/bucket`, `s3:bucket`, `file:/x`: a URL mistyped, not a folder named "s3:" (two letters or
  // more, so a drive letter would not match).
  const almost = /^([a-z][a-z0-9+.-]+):/i.exec(raw);
  if (almost) {
    throw new RallyError('STORE_CONFIG', `MODEL_STORE=${raw} looks like a URL but is not one (expected s3://bucket/prefix, file:///path or a folder path).`);
  }
  return { kind: 'local', root: resolve(base, given) };
}

/** `scheme://user:password@rest` → `scheme://***@rest`. */
export function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1***@');
}

function parseEndpoint(given: string): string {
  const value = withoutCredentials(given);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new RallyError('STORE_CONFIG', `S3_ENDPOINT=${value} is not a URL (expected e.g. http://127.0.0.1:9000).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RallyError('STORE_CONFIG', `S3_ENDPOINT=${value} must be an http:// or https:// URL.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new RallyError('STORE_CONFIG', `S3_ENDPOINT=${value} must not carry credentials, a query or a fragment.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * S3 client options from the standard variables: AWS_REGION / AWS_DEFAULT_REGION,
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (otherwise the SDK's default chain),
 * AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, S3_TIMEOUT_SECONDS (no byte for this long fails an attempt,
 * default 5), and S3_ENDPOINT for an S3-compatible server (path-style there).
 */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv, bucket: string, prefix: string): S3ModelStoreOptions {
  const endpointRaw = nonEmpty(env.S3_ENDPOINT);
  const endpoint = endpointRaw === undefined ? undefined : parseEndpoint(endpointRaw);
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new RallyError('STORE_CONFIG', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.');
  }
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  let maxAttempts: number = S3_DEFAULTS.maxAttempts;
  const attemptsRaw = nonEmpty(env.AWS_MAX_ATTEMPTS);
  if (attemptsRaw !== undefined) {
    maxAttempts = Number(attemptsRaw);
    if (!/^\d+$/.test(attemptsRaw) || maxAttempts < 1 || maxAttempts > 10) {
      throw new RallyError('STORE_CONFIG', `AWS_MAX_ATTEMPTS=${attemptsRaw} must be an integer from 1 to 10.`);
    }
  }
  let socketTimeoutMs: number = S3_DEFAULTS.socketTimeoutMs;
  const timeoutRaw = nonEmpty(env.S3_TIMEOUT_SECONDS);
  if (timeoutRaw !== undefined) {
    socketTimeoutMs = Number(timeoutRaw) * 1000;
    if (!/^\d+(\.\d+)?$/.test(timeoutRaw) || socketTimeoutMs < 100 || socketTimeoutMs > 600_000) {
      throw new RallyError('STORE_CONFIG', `S3_TIMEOUT_SECONDS=${timeoutRaw} must be a number of seconds from 0.1 to 600.`);
    }
  }
  const retryModeRaw = nonEmpty(env.AWS_RETRY_MODE);
  if (retryModeRaw !== undefined && retryModeRaw !== 'standard' && retryModeRaw !== 'adaptive') {
    throw new RallyError('STORE_CONFIG', `AWS_RETRY_MODE=${retryModeRaw} must be "standard" or "adaptive".`);
  }
  return {
    bucket,
    prefix,
    endpoint,
    forcePathStyle: endpoint !== undefined,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
    maxAttempts,
    retryMode: retryModeRaw ?? S3_DEFAULTS.retryMode,
    socketTimeoutMs,
  };
}

/**
 * MODEL_STORE, or else the original app's settings: AWS_S3_BUCKET_NAME with USERNAME, its models
 * being under s3://<bucket>/<username>. Undefined when neither is set (the default folder).
 */
export function modelStoreFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const explicit = nonEmpty(env.MODEL_STORE);
  if (explicit !== undefined) return explicit;
  const bucket = nonEmpty(env.AWS_S3_BUCKET_NAME);
  if (bucket === undefined) return undefined;
  const user = nonEmpty(env.USERNAME);
  if (user === undefined) {
    throw new RallyError('STORE_CONFIG', `AWS_S3_BUCKET_NAME=${bucket} is set without USERNAME: the original app's store is s3://<bucket>/<USERNAME>; set USERNAME, or MODEL_STORE.`);
  }
  // Checked here, so that the sentence names the variable the user set, not a MODEL_STORE they never wrote.
  if (!isValidBucketName(bucket)) {
    throw new RallyError('STORE_CONFIG', `AWS_S3_BUCKET_NAME=${bucket} is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens).`);
  }
  // eslint-disable-next-line no-control-regex
  if (user.split('/').some((segment) => segment === '.' || segment === '..') || /[\u0000-\u001f\u007f\\?#]/.test(user)) {
    throw new RallyError('STORE_CONFIG', `USERNAME=${user} cannot name a folder of the original app's store (no '.', '..', '?', '#', backslash or control characters).`);
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
  if (location.kind === 'local') return new LocalFolderStore(location.root);
  return new S3ModelStore(s3OptionsFromEnv(env, location.bucket, location.prefix));
}
