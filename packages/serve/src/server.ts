/**
 * The server: reads configuration, loads the production model, listens, and shuts down gracefully
 * on SIGTERM/SIGINT (in-flight requests finish). Nothing else lives here.
 */
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { RallyError } from '@rally/errors';

export interface ServerConfig {
  port: number;
  host: string;
  pollIntervalMs: number;
  logLevel: string;
  /** Processes serving the port (node:cluster); 1 means no cluster. */
  workers: number;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (n: number) => boolean, expected: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!valid(value)) throw new RallyError('SERVER_CONFIG', `${name} must be ${expected}, got "${raw}".`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: numberFrom(env, 'PORT', 8000, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer from 0 to 65535'),
    host: env.HOST || '127.0.0.1',
    pollIntervalMs: numberFrom(env, 'POLL_INTERVAL_SECONDS', 30, (n) => Number.isFinite(n) && n >= 0, 'a number of seconds >= 0') * 1000,
    logLevel: env.LOG_LEVEL || 'info',
    workers: numberFrom(env, 'WORKERS', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer from 1 to 64'),
  };
}

/** Builds the app over the store's production model and listens. The caller owns the returned app. */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<FastifyInstance> {
  const config = configFromEnv(env);
  // Loaded here, not at the top: a cluster primary imports this file and must stay small.
  const [{ cacheFromEnv, createModelStore }, { ProductionPredictor }, { buildApp }] = await Promise.all([
    import('@rally/model-store'),
    import('@rally/predict'),
    import('./app.ts'),
  ]);
  const store = createModelStore(env);
  let app: FastifyInstance | undefined;
  const predictor = new ProductionPredictor({
    store,
    cache: cacheFromEnv(env),
    pollIntervalMs: config.pollIntervalMs,
    log: { info: (message) => app?.log.info(message), warn: (message) => app?.log.warn(message) },
  });
  app = await buildApp({ predictor, logger: config.logLevel === 'silent' ? false : { level: config.logLevel } });
  try {
    await predictor.refresh();
  } catch (error) {
    // Serve anyway: readiness says 503 and the poll picks the model up once it is deployed.
    app.log.warn(`No model loaded yet: ${(error as Error).message}`);
  }
  predictor.start();
  app.addHook('onClose', async () => predictor.stop());
  await app.listen({ port: config.port, host: config.host });
  return app;
}

/** Closes on the first SIGTERM/SIGINT (in-flight requests finish); a second signal exits at once. */
export function closeOnSignals(close: () => Promise<unknown>): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(1);
      closing = true;
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

/**
 * `pnpm serve`: one process, or (WORKERS > 1) a primary that only forks and forwards signals, with
 * WORKERS processes sharing the port. The primary never loads the model: its memory stays small.
 */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = configFromEnv(env);
  if (config.workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < config.workers; i += 1) cluster.fork(env);
    closeOnSignals(async () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      await new Promise<void>((resolve) => cluster.on('exit', () => Object.keys(cluster.workers ?? {}).length === 0 && resolve()));
    });
    return;
  }
  const app = await startServer(env);
  closeOnSignals(() => app.close());
}
