/**
 * pnpm serve — serves the production model of MODEL_STORE.
 * Configuration: PORT (8000), HOST (127.0.0.1), MODEL_STORE (./store), CACHE_DIR, CACHE_TTL_SECONDS,
 * CACHE_DISABLED, POLL_INTERVAL_SECONDS (30), LOG_LEVEL (info | silent), WORKERS (1).
 */
import { describeError } from '@rally/errors';
import { serve } from './server.ts';

try {
  await serve();
} catch (error) {
  console.error(describeError(error));
  process.exitCode = 1;
}
