import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { shownValue, settingsReader } from './reader.ts';

/**
 * The variables of the `.env` file (ENV_FILE, default `.env` in the working directory), or none
 * when the default file is absent. A named ENV_FILE that cannot be read is an error (SERVER_CONFIG).
 */
export function readEnvFile(env: NodeJS.ProcessEnv, cwd = process.cwd()): NodeJS.ProcessEnv {
  const settings = settingsReader(env, 'SERVER_CONFIG');
  const named = settings.text('ENV_FILE');
  const path = resolve(cwd, named ?? '.env');
  if (named === undefined && !existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, 'utf8')) as NodeJS.ProcessEnv;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw settings.fail(`ENV_FILE must name a file that can be read, got ${shownValue(named ?? '.env')} (${why}).`);
  }
}

/**
 * Adds the `.env` file's variables that `env` lacks to it (the process environment, at start), as
 * Node's own loadEnvFile does: everything that reads the environment later (the AWS SDK's credential
 * chain, cluster workers) sees them too.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(readEnvFile(env))) if (env[name] === undefined) env[name] = value;
}
