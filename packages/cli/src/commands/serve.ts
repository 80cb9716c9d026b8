/**
 * `rally serve` runs the HTTP API; `rally start` first trains and deploys a model with the defaults
 * when the store has no production model (the newcomer's one command), then serves. Every setting
 * is an environment variable (or a line of `.env`); --port and --host win over PORT and HOST. An
 * invalid one stops the start with one sentence naming it, exit 2, before any training.
 */
import type { Context } from '../convention.ts';
import type { Registrar } from '../program.ts';

/** The settings table in the help, loaded when serve or start is the command run. */
async function settingsHelp(): Promise<string> {
  const { SETTINGS } = await import('@rally/serve/config');
  return `
Settings (environment variables, or lines of ./.env; ENV_FILE names another file):
${SETTINGS.map((setting) => `  ${setting.name.padEnd(26)} ${setting.description} (default ${setting.default || 'unset'})`).join('\n')}
Exit codes: 0 stopped cleanly (SIGTERM, SIGINT), 1 the server failed, 2 an invalid setting.`;
}

/** Both commands' options and their help. */
function serverCommand({ command, prepare, readsSettings }: Registrar, name: string, summary: string) {
  const server = command(name, summary)
    .option('-p, --port <port>', 'the TCP port (wins over PORT; 0 picks a free one)')
    .option('--host <address>', 'the address to listen on (wins over HOST): 0.0.0.0 or :: in a container')
    .option('--no-cache', 'always download the model from the store (same as CACHE_DISABLED=1)');
  readsSettings(server);
  prepare(server, async () => {
    server.addHelpText('after', await settingsHelp());
  });
  return server;
}

interface ServerOptions {
  port?: string;
  host?: string;
}

/** The configuration from the environment (with .env loaded, and CACHE_DISABLED=1 for --no-cache: program.ts), the flags over it. */
async function configure(ctx: Context, options: ServerOptions) {
  const { configFromEnv } = await import('@rally/serve/config');
  return configFromEnv(ctx.env, { flags: { port: options.port, host: options.host } });
}

export function registerServe(registrar: Registrar): void {
  const { ctx, action } = registrar;
  const serve = serverCommand(registrar, 'serve', 'serve predictions over HTTP (the production model of the model store)');
  action(serve, async (options: ServerOptions) => {
    const config = await configure(ctx, options);
    const { serve: run } = await import('@rally/serve');
    await run(config);
    return 0;
  });
}

export function registerStart(registrar: Registrar): void {
  const { ctx, action } = registrar;
  const start = serverCommand(registrar, 'start', 'serve predictions; first train and deploy a model with the defaults when the store has none');
  action(start, async (options: ServerOptions) => {
    const config = await configure(ctx, options);
    const [{ GROUND_TRUTH_PATH }, { createModelStore, deployRun }, { writeRun }, { formatSettings, TRAIN_DEFAULTS, trainRun }, { serve: run }] = await Promise.all([
      import('@rally/features'),
      import('@rally/model-store'),
      import('@rally/model'),
      import('@rally/train'),
      import('@rally/serve'),
    ]);
    const store = createModelStore(config.env);
    try {
      if (!(await store.getProduction())) {
        ctx.say(`No production model in ${store.description}: training one with the defaults (${formatSettings(TRAIN_DEFAULTS)}) on ${GROUND_TRUTH_PATH}...`);
        const trained = await trainRun({ dataPath: GROUND_TRUTH_PATH });
        await deployRun(store, writeRun(trained));
        ctx.say(`Trained and deployed ${trained.modelId} (test log loss ${trained.report.test_log_loss.toFixed(4)}, accuracy ${trained.report.accuracy.toFixed(3)}).`);
      }
    } finally {
      await store.close().catch(() => {});
    }
    await run(config);
    return 0;
  });
}
