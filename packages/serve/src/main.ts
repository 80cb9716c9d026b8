/**
 * pnpm serve — serves the production model of MODEL_STORE.
 * Configuration: PORT (8000), HOST (127.0.0.1), MODEL_STORE (./store), CACHE_DIR, CACHE_TTL_SECONDS,
 * CACHE_DISABLED (or --no-cache), POLL_INTERVAL_SECONDS (30), LOG_LEVEL (info | silent), WORKERS (1).
 */
import { describeError, RallyError } from '@rally/errors';
import { serve } from './server.ts';

// `--no-cache` is CACHE_DISABLED=1 for this process: always download from the store.
const env = process.argv.includes('--no-cache') ? { ...process.env, CACHE_DISABLED: '1' } : process.env;
const unknown = process.argv.slice(2).filter((arg) => arg !== '--no-cache');
try {
  if (unknown.length > 0) throw new RallyError('CLI_USAGE', `Unknown argument ${unknown[0]}. Usage: pnpm serve [--no-cache]; configure with PORT, HOST, MODEL_STORE (see README).`);
  await serve(env);
} catch (error) {
  console.error(describeError(error));
  process.exitCode = 1;
}
