export { buildApp } from './app.ts';
export type { AppOptions } from './app.ts';
export { DEFAULT_LIMITS, EMPTY_BATCH, ILL_FORMED_DATA, MISSING_DATA_KEY } from './envelope.ts';
export type { Limits } from './envelope.ts';
export { configFromEnv, serve, startServer, type StartOptions } from './server.ts';
export type { ServerConfig } from './server.ts';
