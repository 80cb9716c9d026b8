import { isAbsolute, resolve } from 'node:path';

/**
 * A path the user typed, as the user meant it: against the directory they ran the command from.
 * pnpm runs workspace scripts in the workspace root and says where the user was in INIT_CWD.
 */
export function resolveInput(env: NodeJS.ProcessEnv, path: string): string {
  return isAbsolute(path) ? path : resolve(env.INIT_CWD || process.cwd(), path);
}
