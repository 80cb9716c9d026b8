/**
 * @rally/serve: the HTTP API over @rally/predict (Fastify), its configuration, and the server
 * process (cluster, graceful shutdown). `rally serve` and `rally start` (@rally/cli) run it.
 */
export { buildApp } from './app.ts';
export type { AppOptions } from './app.ts';
export { DEFAULT_LIMITS, EMPTY_BATCH, ILL_FORMED_DATA, MAX_LISTED_PROBLEMS, MISSING_DATA_KEY } from './validation.ts';
export type { Limits } from './validation.ts';
export { configFromEnv, describeConfig, loadEnvFile, readEnvFile, SETTINGS } from './config.ts';
export type { ServerConfig, SettingDoc } from './config.ts';
export { serve, startServer, type StartOptions } from './server.ts';
