/**
 * Every setting of the server, in one place: read from the environment (and a `.env` file, which
 * the environment overrides), validated at start with one sentence naming the variable, typed
 * for the rest of the code, and described in SETTINGS (the README's table and the start-up log
 * line come from it). Its own module, so the cluster primary reads it without loading the app.
 */
import { isIP } from 'node:net';
import { RallyError } from '@rally/errors';
import { DEFAULT_MODEL_MAX_BYTES } from '@rally/model';
import { settingsReader, type SettingsReader } from '@rally/settings';

/** The `.env` file: read by @rally/settings, re-exported where the server's start-up reads it. */
export { loadEnvFile, readEnvFile } from '@rally/settings';
import { cacheFromEnv, modelMaxBytesFromEnv, DEFAULT_CACHE_TTL_MS, DEFAULT_MODEL_STORE, modelStoreFromEnv, parseModelStoreLocation, S3_DEFAULTS, s3OptionsFromEnv, withoutCredentials } from '@rally/model-store';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connections.ts';
import { DEFAULT_LIMITS, type Limits } from './validation.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

export interface ServerConfig {
  port: number;
  host: string;
  /** Processes serving the port (node:cluster); 1 means no cluster. */
  workers: number;
  pollIntervalMs: number;
  logLevel: LogLevel;
  /** JSON lines for machines; pretty (pino-pretty) for a person at a terminal. */
  logFormat: 'json' | 'pretty';
  connections: ConnectionLimits;
  limits: Limits;
  /** After SIGTERM, in-flight requests get this long; then their connections are closed and the process exits. */
  shutdownGraceMs: number;
  /** Where models are read: MODEL_STORE, or s3://AWS_S3_BUCKET_NAME/USERNAME, or the default folder. */
  modelStore: string;
  /**
   * The environment the store and the cache are built from: the process environment over the
   * `.env` file, with MODEL_STORE filled in from the original app's settings when they are used.
   */
  env: NodeJS.ProcessEnv;
  /** Settings given as command-line flags (setting name to flag, e.g. PORT: '--port'): they won over the environment. */
  flags: Readonly<Record<string, string>>;
}

/** `rally serve` / `rally start` flags, each naming a setting. */
export interface ServerFlags {
  port?: string;
  host?: string;
}
const SETTING_FLAGS = { port: ['PORT', '--port'], host: ['HOST', '--host'] } as const satisfies Record<keyof ServerFlags, readonly [string, string]>;

/** One documented setting: the README's configuration table and the start-up log are made from these. */
export interface SettingDoc {
  name: string;
  default: string;
  description: string;
  /** Never logged: shown as "(set)". */
  secret?: boolean;
}

export const SETTINGS: readonly SettingDoc[] = [
  { name: 'PORT', default: '8000', description: 'TCP port (0 picks a free one).' },
  { name: 'HOST', default: '127.0.0.1', description: 'Address to listen on: 0.0.0.0 or :: in a container.' },
  { name: 'WORKERS', default: '1', description: 'Processes sharing the port (1 to 64); in Kubernetes keep 1 and add replicas.' },
  { name: 'MODEL_STORE', default: DEFAULT_MODEL_STORE, description: 's3://bucket/prefix, file:///path, or a folder (relative to the workspace, or to the working directory in a production install).' },
  { name: 'AWS_S3_BUCKET_NAME', default: '', description: "The original app's store: with USERNAME, s3://<bucket>/<USERNAME> when MODEL_STORE is not set." },
  { name: 'USERNAME', default: '', description: 'See AWS_S3_BUCKET_NAME.' },
  { name: 'S3_ENDPOINT', default: '', description: 'An S3-compatible server (MinIO, s3rver): http(s)://host:port, path-style requests.' },
  { name: 'AWS_REGION', default: '', description: "S3 region (or AWS_DEFAULT_REGION); otherwise the SDK's default chain." },
  { name: 'AWS_DEFAULT_REGION', default: '', description: 'See AWS_REGION, which wins over it.' },
  { name: 'AWS_ACCESS_KEY_ID', default: '', description: "S3 credentials, with AWS_SECRET_ACCESS_KEY; otherwise the SDK's default chain (instance or pod role)." },
  { name: 'AWS_SECRET_ACCESS_KEY', default: '', description: 'See AWS_ACCESS_KEY_ID.', secret: true },
  { name: 'AWS_SESSION_TOKEN', default: '', description: 'Temporary credentials.', secret: true },
  { name: 'AWS_MAX_ATTEMPTS', default: String(S3_DEFAULTS.maxAttempts), description: 'Attempts per S3 request (1 to 10).' },
  { name: 'AWS_RETRY_MODE', default: S3_DEFAULTS.retryMode, description: 'standard or adaptive.' },
  { name: 'S3_TIMEOUT_SECONDS', default: String(S3_DEFAULTS.socketTimeoutMs / 1000), description: 'An S3 attempt that receives nothing for this long fails (0.1 to 600).' },
  { name: 'MODEL_MAX_BYTES', default: String(DEFAULT_MODEL_MAX_BYTES), description: 'Largest model.json or report.json read, checked before download (64 MiB; the largest model --tune makes on the ground truth is 2.4 MB).' },
  { name: 'CACHE_DIR', default: './cache', description: 'Local copy of downloaded models.' },
  { name: 'CACHE_TTL_SECONDS', default: String(DEFAULT_CACHE_TTL_MS / 1000), description: 'A cached model older than this is checked against the store again.' },
  { name: 'CACHE_DISABLED', default: '0', description: '1 to always download (also `--no-cache`).' },
  { name: 'POLL_INTERVAL_SECONDS', default: '30', description: 'How often production is checked for a new model: 1 to 3600, or 0 to turn hot reload off.' },
  { name: 'LOG_LEVEL', default: 'info', description: LOG_LEVELS.join(', ') + '.' },
  { name: 'LOG_FORMAT', default: 'auto', description: 'json, pretty, or auto: pretty on a terminal, JSON otherwise.' },
  { name: 'NO_COLOR', default: '', description: 'Any value: pretty logs without colour.' },
  { name: 'MAX_BATCH_POINTS', default: String(DEFAULT_LIMITS.maxBatch), description: 'Most points in one request (413 beyond).' },
  { name: 'BODY_LIMIT_BYTES', default: String(DEFAULT_LIMITS.bodyLimit), description: 'Largest request body (413 beyond).' },
  { name: 'HEADERS_TIMEOUT_SECONDS', default: String(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs / 1000), description: 'A client has this long to send its headers (408 after).' },
  { name: 'REQUEST_TIMEOUT_SECONDS', default: String(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs / 1000), description: 'A client has this long to send its whole request.' },
  { name: 'KEEP_ALIVE_TIMEOUT_SECONDS', default: String(DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs / 1000), description: 'An idle connection is closed after this (keep it above the load balancer idle timeout).' },
  { name: 'SHUTDOWN_GRACE_SECONDS', default: '8', description: 'After SIGTERM, in-flight requests get this long.' },
  { name: 'ENV_FILE', default: '.env', description: 'A file of NAME=value lines read at start; the environment wins over it. Set to a path that must exist, or leave unset.' },
];

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** HOST (or the flag that gave it): an IP address or a host name. */
function host(settings: SettingsReader, label = 'HOST'): string {
  const raw = settings.text('HOST');
  if (raw === undefined) return '127.0.0.1';
  if (isIP(raw) === 0 && !HOST_NAME.test(raw)) throw settings.refuse('HOST', 'be an IP address or a host name', raw, label);
  return raw;
}

/**
 * The whole configuration from `env` (at start, the process environment once loadEnvFile added the
 * `.env` file to it). Throws SERVER_CONFIG or STORE_CONFIG with one sentence naming the first
 * invalid variable; nothing is contacted (the store is only named and checked for form).
 */
export function configFromEnv(given: NodeJS.ProcessEnv = process.env, options: { isTerminal?: boolean; flags?: ServerFlags } = {}): ServerConfig {
  // Flags win over the environment: they become the settings they name, and the log says where they came from.
  const flags: Record<string, string> = {};
  const env: NodeJS.ProcessEnv = { ...given };
  for (const [key, [name, flag]] of Object.entries(SETTING_FLAGS)) {
    const value = options.flags?.[key as keyof ServerFlags];
    if (value === undefined) continue;
    if (value.trim() === '') throw new RallyError('SERVER_CONFIG', `${flag} needs a value.`);
    env[name] = value;
    flags[name] = flag;
  }
  const settings = settingsReader(env, 'SERVER_CONFIG');
  const modelStore = modelStoreFromEnv(env);
  // Checked now, so that a typo stops the start instead of the first model load.
  const location = parseModelStoreLocation(modelStore);
  if (location.kind === 's3') s3OptionsFromEnv(env, location.bucket, location.prefix);
  cacheFromEnv(env);
  modelMaxBytesFromEnv(env);
  const format = settings.oneOf('LOG_FORMAT', LOG_FORMATS, 'auto');
  const headersTimeoutMs = settings.secondsAsMs('HEADERS_TIMEOUT_SECONDS', DEFAULT_CONNECTION_LIMITS.headersTimeoutMs / 1000, 0.1, 3600);
  const requestTimeoutMs = settings.secondsAsMs('REQUEST_TIMEOUT_SECONDS', DEFAULT_CONNECTION_LIMITS.requestTimeoutMs / 1000, 0.1, 3600);
  // Node's HTTP server refuses to start otherwise: say so now, naming the variables.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw settings.fail(`HEADERS_TIMEOUT_SECONDS (${headersTimeoutMs / 1000}) must not exceed REQUEST_TIMEOUT_SECONDS (${requestTimeoutMs / 1000}).`);
  }
  const pollIntervalMs = settings.secondsAsMs('POLL_INTERVAL_SECONDS', 30, 0, 3600);
  if (pollIntervalMs > 0 && pollIntervalMs < 1000) throw settings.refuse('POLL_INTERVAL_SECONDS', 'be 0 (no polling) or from 1 to 3600', settings.text('POLL_INTERVAL_SECONDS')!);
  return {
    port: settings.integer('PORT', 8000, 0, 65535, flags.PORT),
    host: host(settings, flags.HOST),
    workers: settings.integer('WORKERS', 1, 1, 64),
    pollIntervalMs,
    logLevel: settings.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: format === 'auto' ? (options.isTerminal ?? process.stdout.isTTY ?? false ? 'pretty' : 'json') : format,
    connections: {
      headersTimeoutMs,
      requestTimeoutMs,
      keepAliveTimeoutMs: settings.secondsAsMs('KEEP_ALIVE_TIMEOUT_SECONDS', DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs / 1000, 0.1, 3600),
    },
    limits: {
      maxBatch: settings.integer('MAX_BATCH_POINTS', DEFAULT_LIMITS.maxBatch, 1, 100_000),
      bodyLimit: settings.integer('BODY_LIMIT_BYTES', DEFAULT_LIMITS.bodyLimit, 1024, 100 * 1024 * 1024),
    },
    shutdownGraceMs: settings.secondsAsMs('SHUTDOWN_GRACE_SECONDS', 8, 0, 3600),
    modelStore: modelStore ?? DEFAULT_MODEL_STORE,
    env: modelStore === undefined ? env : { ...env, MODEL_STORE: modelStore },
    flags,
  };
}

/** The settings in effect, for the start-up log line: documented variables that are set, secrets masked. */
export function describeConfig(config: ServerConfig): Record<string, string> {
  const described: Record<string, string> = {};
  for (const setting of SETTINGS) {
    const value = config.env[setting.name]?.trim();
    if (!value) continue;
    described[setting.name] = setting.secret ? '(set)' : withoutCredentials(value);
    if (config.flags[setting.name]) described[setting.name] += ` (${config.flags[setting.name]})`;
  }
  described.MODEL_STORE = withoutCredentials(config.modelStore);
  return described;
}
