/**
 * pnpm serve [--no-cache]: serves predictions. Every setting is an environment variable (or a line
 * of `.env`), listed with its default in SETTINGS (config.ts) and the README. An invalid setting
 * stops the start with one sentence naming it, exit code 2.
 */
import { describeError, RallyError } from '@rally/errors';
import { configFromEnv, exitCodeOf, loadEnvFile } from './config.ts';
import { serve } from './server.ts';

const unknown = process.argv.slice(2).filter((arg) => arg !== '--no-cache');
try {
  if (unknown.length > 0) throw new RallyError('CLI_USAGE', `Unknown argument ${unknown[0]}. Usage: pnpm serve [--no-cache]; configure with PORT, HOST, MODEL_STORE (see README).`);
  loadEnvFile();
  // `--no-cache` is CACHE_DISABLED=1 for this process: always download from the store.
  const env = process.argv.includes('--no-cache') ? { ...process.env, CACHE_DISABLED: '1' } : process.env;
  await serve(configFromEnv(env));
} catch (error) {
  console.error(describeError(error));
  process.exitCode = exitCodeOf(error);
}
