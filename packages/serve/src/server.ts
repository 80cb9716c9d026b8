/**
 * The server: reads configuration, listens at once, loads the production model in the background,
 * and shuts down gracefully on SIGTERM/SIGINT (in-flight requests finish, within a bounded grace
 * time). With WORKERS > 1, a cluster primary keeps that many workers alive. Nothing else lives here.
 */
import cluster, { type Worker } from 'node:cluster';
import { RallyError } from '@rally/errors';
import type { FastifyInstance } from 'fastify';
import { configFromEnv, describeConfig, type ServerConfig } from './config.ts';

export interface StartOptions {
  /**
   * Listen once the model is loaded, or after this many ms, whichever comes first (default 0:
   * listen at once). Cluster workers wait a little: the others serve meanwhile, and a replaced
   * worker then takes no connection it would have to answer 503.
   */
  listenAfterModelMs?: number;
}

/**
 * Builds the app over the store's production model and listens (at once by default): the model
 * loads in the background (readiness says 503 with the reason until it is there), so a slow or
 * unreachable store never keeps the port closed or the liveness check failing. The caller owns the
 * returned app.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<FastifyInstance> {
  return startWithConfig(configFromEnv(env), options);
}

/** startServer once the configuration is read and valid. */
export async function startWithConfig(config: ServerConfig, options: StartOptions = {}): Promise<FastifyInstance> {
  // Loaded here, not at the top: a cluster primary imports this file and must stay small.
  const [{ cacheFromEnv, createModelStore }, { ProductionPredictor }, { buildApp }, { loggerOptions }] = await Promise.all([
    import('@rally/model-store'),
    import('@rally/predict'),
    import('./app.ts'),
    import('./logging.ts'),
  ]);
  const store = createModelStore(config.env);
  let app: FastifyInstance | undefined;
  const predictor = new ProductionPredictor({
    store,
    cache: cacheFromEnv(config.env),
    pollIntervalMs: config.pollIntervalMs,
    log: { info: (message) => app?.log.info(message), warn: (message) => app?.log.warn(message) },
  });
  app = await buildApp({
    predictor,
    limits: config.limits,
    connections: config.connections,
    logger: await loggerOptions(config, () => predictor.modelInfo?.model_id),
  });
  // Once per start: a cluster's primary already said it for all its workers.
  if (!cluster.isWorker) app.log.info({ config: describeConfig(config) }, 'configuration');
  app.addHook('onClose', async () => predictor.stop());
  const built = app;
  // Serve even if the first load fails: readiness says why, and the poll picks the model up once it
  // can (polling starts now, so that a close during the first load stops it for good).
  const loading = predictor.refresh().catch((error: Error) => built.log.warn(`No model loaded yet: ${error.message}`));
  predictor.start();
  if (options.listenAfterModelMs) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([loading, new Promise((resolve) => (timer = setTimeout(resolve, options.listenAfterModelMs)))]);
    clearTimeout(timer);
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // The address is a setting: say which, in one sentence (exit 2), after closing what started.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EACCES') throw error;
    await app.close();
    const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges this process lacks' : 'is not an address of this machine';
    throw new RallyError('SERVER_CONFIG', `Cannot listen on ${config.host}:${config.port}: it ${why} (${code}); set PORT or HOST (--port, --host).`, { cause: error });
  }
  return app;
}

/** A signal repeated within this time is the same request arriving twice (pnpm relays what the group already got). */
const DUPLICATE_SIGNAL_MS = 1000;

/**
 * On the first SIGTERM/SIGINT: `close()` (stop accepting, finish in-flight requests), and after
 * `graceMs` `force()` (close what is left); then exit 0. A repeated signal soon after is ignored
 * (the same stop, relayed); a later one exits at once with 1.
 */
export function closeOnSignals(close: () => Promise<unknown>, options: { graceMs: number; force?: () => void; log?: (message: string) => void }): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < DUPLICATE_SIGNAL_MS) return;
      options.log?.(`${signal} again: exiting now.`);
      process.exit(1);
    }
    firstAt = Date.now();
    const grace = setTimeout(() => {
      options.log?.(`Requests still open after the ${options.graceMs / 1000} s grace time: closing their connections.`);
      options.force?.();
    }, options.graceMs);
    grace.unref();
    close().then(
      () => process.exit(0),
      (error: Error) => {
        options.log?.(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** More restarts than this within RESTART_WINDOW_MS means the workers cannot run: the primary gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The cluster primary: forks `workers` processes, replaces any that dies, gives up with exit 1 when
 * they keep dying (MAX_RESTARTS within RESTART_WINDOW_MS), and on SIGTERM stops them all (SIGKILL
 * after the grace time) and exits 0. It never loads the model: its memory stays small.
 */
function runPrimary(config: ServerConfig): void {
  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
  // The primary stays small (no pino): JSON lines at pino's levels, honouring LOG_LEVEL.
  const threshold = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10, silent: Infinity }[config.logLevel];
  const line = (level: number, message: string, fields: object = {}) => `${JSON.stringify({ level, time: Date.now(), pid: process.pid, ...fields, msg: message })}\n`;
  const log = (message: string, fields: object = {}) => {
    if (threshold <= 30) process.stdout.write(line(30, message, fields));
  };
  const fail = (message: string) => {
    if (threshold <= 50) process.stderr.write(line(50, message));
  };
  let stopping = false;
  const restarts: number[] = [];
  log('configuration', { config: describeConfig(config) });
  // Workers get the effective environment (.env included), so they read the same configuration.
  const fork = () => cluster.fork(config.env);
  for (let i = 0; i < config.workers; i += 1) fork();
  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    // The death just counted is never older than the window: the loop ends on it at the latest.
    while (now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (restarts.length > MAX_RESTARTS) {
      fail(`Worker ${worker.process.pid} ${how}; workers died ${restarts.length} times in ${RESTART_WINDOW_MS / 1000} s, giving up.`);
      stopping = true;
      for (const other of liveWorkers()) other.process.kill('SIGKILL');
      process.exit(1);
      return;
    }
    fail(`Worker ${worker.process.pid} died (${how}); starting a new one.`);
    fork();
  });
  closeOnSignals(
    async () => {
      stopping = true;
      await Promise.all(
        liveWorkers().map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
    {
      // Workers have the same grace; the primary waits a little longer, then kills what is left.
      graceMs: config.shutdownGraceMs + 1000,
      force: () => liveWorkers().forEach((worker) => worker.process.kill('SIGKILL')),
      log,
    },
  );
}

/**
 * `pnpm serve`: one process, or (WORKERS > 1) a primary that only forks, keeps and stops WORKERS
 * processes sharing the port.
 */
export async function serve(config: ServerConfig): Promise<void> {
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary(config);
    return;
  }
  // A cluster worker listens once its model is loaded (or after 5 s): the others serve meanwhile.
  const app = await startWithConfig(config, { listenAfterModelMs: cluster.isWorker ? 5000 : 0 });
  closeOnSignals(() => app.close(), {
    graceMs: config.shutdownGraceMs,
    force: () => app.server.closeAllConnections(),
    log: (message) => app.log.warn(message),
  });
}
