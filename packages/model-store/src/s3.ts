import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RallyError } from '@rally/errors';
import { ObjectModelStore } from './store.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ModelStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' or 'a/b'; slashes are normalized). */
  prefix?: string;
  /** S3-compatible endpoint (e.g. http://127.0.0.1:9000); path-style addressing is used there. */
  endpoint?: string;
  /** Defaults to the SDK's resolution (AWS_REGION, profile), or us-east-1 with a custom endpoint. */
  region?: string;
  /** Defaults to true with a custom endpoint, false on AWS. */
  forcePathStyle?: boolean;
  /** Static credentials; without them the SDK's default chain (env, profile, SSO, IMDS...) is used. */
  credentials?: S3Credentials;
  /** Total attempts per request including the first, with the SDK's backoff. Default 3. */
  maxAttempts?: number;
  /** SDK retry mode. Default 'standard' (exponential backoff with jitter, retries 5xx, throttling, resets). */
  retryMode?: 'standard' | 'adaptive';
  /** TCP connect timeout per attempt. Default 2000 ms. */
  connectionTimeoutMs?: number;
  /**
   * Socket inactivity timeout per attempt (no byte for this long, the first one included). Default
   * 5000 ms: S3 answers in milliseconds, and a server that accepts and never answers must fail within
   * seconds (3 attempts: about 17 s), not minutes.
   */
  socketTimeoutMs?: number;
  /** A ready client (then endpoint, region, credentials, retries and timeouts above are ignored for it). */
  client?: S3Client;
}

export const S3_DEFAULTS = { maxAttempts: 3, retryMode: 'standard', connectionTimeoutMs: 2000, socketTimeoutMs: 5000 } as const;

const BUCKET_PATTERN = /^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

export function isValidBucketName(bucket: string): boolean {
  return BUCKET_PATTERN.test(bucket) && !bucket.includes('..');
}

/** '' or 'a/b/' (segments joined, trailing slash). Throws STORE_CONFIG for '.', '..' or control characters. */
export function normalizePrefix(prefix: string | undefined): string {
  const segments = (prefix ?? '').split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    // eslint-disable-next-line no-control-regex
    if (segment === '.' || segment === '..' || /[\u0000-\u001f\u007f\\]/.test(segment)) {
      throw new RallyError('STORE_CONFIG', `The S3 prefix ${JSON.stringify(prefix)} is invalid (no '.', '..', backslash or control characters).`);
    }
  }
  return segments.length ? `${segments.join('/')}/` : '';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
  'EPIPE', 'ECONNABORTED', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN',
]);
const ACCESS_CODES = new Set([
  'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired',
  'InvalidClientTokenId', 'UnrecognizedClientException', 'AllAccessDisabled', 'AccountProblem', 'Forbidden', 'RequestTimeTooSkewed',
]);
const REGION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException']);
const THROTTLING_CODES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestLimitExceeded',
  'TooManyRequestsException', 'ServiceUnavailable', 'InternalError', 'RequestTimeout',
]);

export interface S3ErrorContext {
  /** e.g. "s3://bucket/prefix at http://127.0.0.1:1234" */
  description: string;
  bucket: string;
}

type SdkLikeError = {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
};

/** The Node.js network error code of an error, its AggregateError members or its cause. */
function networkCode(error: SdkLikeError, depth = 0): string | undefined {
  if (typeof error.code === 'string' && NETWORK_CODES.has(error.code)) return error.code;
  if (depth > 3) return undefined;
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = inner && typeof inner === 'object' ? networkCode(inner as SdkLikeError, depth + 1) : undefined;
      if (code) return code;
    }
  }
  if (error.cause && typeof error.cause === 'object') return networkCode(error.cause as SdkLikeError, depth + 1);
  return undefined;
}

function sentenceBody(message: string): string {
  return message.trim().replace(/\s+/g, ' ').replace(/[.\s]+$/, '');
}

/**
 * Maps an error thrown by @aws-sdk/client-s3 (or Node's network stack underneath) to a one-sentence
 * RallyError: STORE_NO_BUCKET, STORE_ACCESS_DENIED, STORE_CONFIG (credentials, region),
 * STORE_UNREACHABLE (network, timeouts, 5xx or throttling after the SDK's retries). RallyErrors pass through.
 */
export function mapS3Error(error: unknown, context: S3ErrorContext): RallyError {
  if (error instanceof RallyError) return error;
  const e: SdkLikeError = error && typeof error === 'object' ? (error as SdkLikeError) : { message: String(error) };
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.Code === 'string' ? e.Code : name;
  const message = typeof e.message === 'string' ? e.message : '';
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const where = context.description;
  const options = { cause: error, details: { code: code || undefined, status, attempts } };

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new RallyError('STORE_CONFIG', `No AWS credentials found for ${where}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).`, options);
  }
  if (/region is missing/i.test(message)) {
    return new RallyError('STORE_CONFIG', `No AWS region is configured for ${where}; set AWS_REGION.`, options);
  }
  if (code === 'NoSuchBucket') {
    return new RallyError('STORE_NO_BUCKET', `Bucket "${context.bucket}" does not exist (${where}).`, options);
  }
  if (ACCESS_CODES.has(code) || status === 403) {
    return new RallyError(
      'STORE_ACCESS_DENIED',
      `${where} refused the credentials (${code || `HTTP ${status}`}); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket policy.`,
      options,
    );
  }
  if (REGION_CODES.has(code) || status === 301) {
    return new RallyError('STORE_CONFIG', `Bucket "${context.bucket}" is not reachable in the configured region (${code || `HTTP ${status}`}); set AWS_REGION to the bucket's region.`, options);
  }
  const netCode = networkCode(e);
  if (netCode || name === 'TimeoutError' || name === 'AbortError') {
    const reason = netCode ?? (name === 'TimeoutError' ? 'timed out' : 'aborted');
    const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
    return new RallyError('STORE_UNREACHABLE', `Cannot reach ${where} (${reason})${tries}.`, options);
  }
  if ((status !== undefined && status >= 500) || THROTTLING_CODES.has(code)) {
    const tries = attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    return new RallyError('STORE_UNREACHABLE', `${where} kept failing with ${code || 'an error'}${status ? ` (HTTP ${status})` : ''}${tries}.`, options);
  }
  const detail = sentenceBody(message) || 'no message';
  return new RallyError('STORE_UNREACHABLE', `${where} failed with ${code || 'an unexpected error'}${status ? ` (HTTP ${status})` : ''}: ${detail}.`, options);
}

/** Errors thrown while streaming a response body, which the SDK's retry strategy does not cover. */
function isTransientBodyError(error: unknown): boolean {
  const e = (error ?? {}) as SdkLikeError;
  return Boolean(networkCode(e)) || e.name === 'TimeoutError' || /aborted|premature close|socket hang up/i.test(String(e.message ?? ''));
}

/**
 * The store in an S3 bucket (or an S3-compatible server). Requests are retried by the SDK
 * (`maxAttempts`, `retryMode`); connections time out after `connectionTimeoutMs`, so an unreachable
 * endpoint fails within a few seconds. Every SDK error becomes a one-sentence RallyError.
 */
export class S3ModelStore extends ObjectModelStore {
  readonly client: S3Client;
  readonly bucket: string;
  /** '' or 'a/b/'. */
  readonly prefix: string;
  readonly endpoint: string | undefined;
  readonly description: string;
  private readonly bodyAttempts: number;

  constructor(options: S3ModelStoreOptions) {
    super();
    // The SDK warns once per process that its 2027 releases will need Node 22. The lockfile pins
    // this release, so the warning only breaks the one-sentence output of our commands: opt out
    // (the SDK's own switch), unless the user set it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    if (!isValidBucketName(options.bucket)) {
      throw new RallyError('STORE_CONFIG', `${JSON.stringify(options.bucket)} is not a valid S3 bucket name.`);
    }
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.endpoint = options.endpoint?.replace(/\/+$/, '');
    const url = `s3://${this.bucket}${this.prefix ? `/${this.prefix.slice(0, -1)}` : ''}`;
    this.description = `${url}${this.endpoint ? ` at ${this.endpoint}` : ' on AWS S3'}`;
    const maxAttempts = options.maxAttempts ?? S3_DEFAULTS.maxAttempts;
    this.bodyAttempts = Math.max(1, maxAttempts);
    this.client =
      options.client ??
      new S3Client({
        endpoint: this.endpoint,
        forcePathStyle: options.forcePathStyle ?? this.endpoint !== undefined,
        region: options.region ?? (this.endpoint ? 'us-east-1' : undefined),
        credentials: options.credentials,
        maxAttempts,
        retryMode: options.retryMode ?? S3_DEFAULTS.retryMode,
        requestHandler: {
          connectionTimeout: options.connectionTimeoutMs ?? S3_DEFAULTS.connectionTimeoutMs,
          socketTimeout: options.socketTimeoutMs ?? S3_DEFAULTS.socketTimeoutMs,
        },
        // We verify sha256 end to end ourselves; S3-compatible servers often lack the newer
        // flexible-checksum support, so only send checksums there when an operation requires them.
        ...(this.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
      });
  }

  /** Releases the client's sockets. */
  override async close(): Promise<void> {
    this.client.destroy();
  }

  private fail(error: unknown): RallyError {
    return mapS3Error(error, { description: this.description, bucket: this.bucket });
  }

  protected async readObject(key: string): Promise<Buffer | null> {
    return (await this.readObjectVersioned(key))?.bytes ?? null;
  }

  /** The version is the object's ETag, which conditional writes compare. */
  protected async readObjectVersioned(key: string): Promise<{ bytes: Buffer; version: string } | null> {
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      } catch (error) {
        if ((error as SdkLikeError | undefined)?.name === 'NoSuchKey') return null;
        throw this.fail(error);
      }
      try {
        const bytes = response.Body ? Buffer.from(await response.Body.transformToByteArray()) : Buffer.alloc(0);
        return { bytes, version: response.ETag ?? '' };
      } catch (error) {
        // A connection reset while streaming the body happens after the SDK's retry loop.
        if (attempt < this.bodyAttempts && isTransientBodyError(error)) {
          await sleep(100 * 2 ** (attempt - 1));
          continue;
        }
        throw this.fail(error);
      }
    }
  }

  protected async writeObject(key: string, body: Buffer, contentType: string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: body, ContentType: contentType }));
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** S3's conditional writes: If-Match the ETag read, or If-None-Match: * for a new object (412 when they fail). */
  protected async writeObjectIf(key: string, body: Buffer, contentType: string, expected: string | null): Promise<boolean> {
    const condition = expected === null ? { IfNoneMatch: '*' } : { IfMatch: expected };
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: body, ContentType: contentType, ...condition }));
      return true;
    } catch (error) {
      const e = error as SdkLikeError;
      const status = e.$metadata?.httpStatusCode;
      if (status === 412 || e.name === 'PreconditionFailed' || (status === 409 && e.name === 'ConditionalRequestConflict')) return false;
      throw this.fail(error);
    }
  }

  protected async deleteObject(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (error) {
      throw this.fail(error);
    }
  }

  protected async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      } catch (error) {
        throw this.fail(error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(this.prefix)) keys.push(object.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}
