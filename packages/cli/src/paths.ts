import { isAbsolute, resolve } from 'node:path';
import { isRallyError, UsageError } from '@rally/errors';
import type { RunSummary } from '@rally/model';

/**
 * A path the user typed, as the user meant it: against the directory they ran the command from.
 * pnpm runs workspace scripts in the workspace root and says where the user was in INIT_CWD (only
 * trusted when pnpm ran this script: an INIT_CWD inherited from elsewhere is not about us).
 */
export function resolveInput(env: NodeJS.ProcessEnv, path: string, flag?: string): string {
  if (path.trim() === '') throw new UsageError(flag ? `${flag} needs a value.` : 'A path cannot be empty.');
  const base = env.npm_lifecycle_event !== undefined && env.INIT_CWD ? env.INIT_CWD : process.cwd();
  return isAbsolute(path) ? path : resolve(base, path);
}

/** The runs folder: --output as the user meant it, or the workspace's output/. */
export async function runsFolder(env: NodeJS.ProcessEnv, output: string | undefined): Promise<string> {
  if (output !== undefined) return resolveInput(env, output, '--output');
  const { OUTPUT_DIR } = await import('@rally/model');
  return OUTPUT_DIR;
}

/**
 * The local run a model id (or a unique prefix) names. A word that cannot be an id (a path,
 * uppercase) is bad usage, exit 2, with the model package's sentence listing the runs; an id that
 * matches no run is a failed job, exit 1.
 */
export async function runArgument(id: string, outputDir: string): Promise<RunSummary> {
  const { MODEL_ID_PREFIX, resolveRun } = await import('@rally/model');
  try {
    return resolveRun(id, outputDir);
  } catch (error) {
    if (!MODEL_ID_PREFIX.test(id) && isRallyError(error, 'STORE_UNKNOWN_MODEL')) throw new UsageError(error.message);
    throw error;
  }
}
