/**
 * Test-only helpers shared across packages (never imported by production code), with no workspace
 * dependency, so that every package can use them, the lowest ones too: temporary folders, the
 * ground truth and slices of it, an in-process S3 server, running a command as a user does, a
 * check of rally's one-sentence errors, and processes and ports (processes.ts). Trained models are
 * in @rally/model-fixtures.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import S3rver from 's3rver';

/** The workspace root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** data/australian_open.csv, the ground truth. */
export const GROUND_TRUTH_PATH = join(REPO_ROOT, 'data', 'australian_open.csv');

const cleanups: (() => void)[] = [];

/** A fresh temporary folder, removed at process exit. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rally-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
process.once('exit', () => cleanups.forEach((cleanup) => cleanup()));

/** The first `rows` rows of the ground truth as a CSV file (stratification still has all classes). */
export function groundTruthSlice(rows: number, dir = tempDir('slice')): string {
  const lines = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split('\n');
  const path = join(dir, `australian_open_${rows}.csv`);
  writeFileSync(path, `${lines.slice(0, rows + 1).join('\n')}\n`);
  return path;
}

export { childrenOf, deadPid, freePort, groupMembers, portInUse, rssMb, waitUntil } from './processes.ts';

export const S3_BUCKET = 'models';
/** s3rver's built-in key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3 {
  endpoint: string;
  /** Environment for createModelStore: MODEL_STORE=s3://models/<prefix>, S3_ENDPOINT, credentials, region. */
  env(prefix?: string): NodeJS.ProcessEnv;
  /** Options for `new S3ModelStore(...)` on this server. */
  options(prefix?: string): { bucket: string; prefix: string; endpoint: string; region: string; forcePathStyle: true; credentials: typeof S3RVER_CREDENTIALS };
  close(): Promise<void>;
}

/** Environment for createModelStore: MODEL_STORE=s3://models/<prefix> at `endpoint`, with s3rver's key pair. */
export function s3Env(endpoint: string, prefix = 'rally'): NodeJS.ProcessEnv {
  return {
    MODEL_STORE: `s3://${S3_BUCKET}/${prefix}`,
    S3_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}

/** A real S3-compatible server (s3rver) on 127.0.0.1, ephemeral port, bucket `models`. */
export async function startS3(): Promise<RunningS3> {
  const directory = tempDir('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true, configureBuckets: [{ name: S3_BUCKET, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: (prefix = 'rally') => s3Env(endpoint, prefix),
    options: (prefix = 'rally') => ({ bucket: S3_BUCKET, prefix, endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS }),
    close: () => server.close(),
  };
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Node's arguments to run a TypeScript entry point from the sources, as the workspace's scripts do:
 * Node strips the types itself, and workspace packages resolve to their sources (the `@rally/source`
 * export condition), not to their built dist/.
 */
export const SOURCE_NODE_ARGS: readonly string[] = ['--conditions=@rally/source'];

/** The `rally` command line's entry point, from the sources. */
export const RALLY_SOURCE = join(REPO_ROOT, 'packages', 'cli', 'src', 'run.ts');

/** Runs `rally <args>` from the sources as a real process (as `pnpm rally` would, without a build). */
export const runRally = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> => runScript(RALLY_SOURCE, args, env);

/** Runs a TypeScript entry point the way a user's `pnpm <command>` does (node on the sources, a real process). */
export async function runScript(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...SOURCE_NODE_ARGS, script, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/**
 * Runs `action` (or awaits a promise) and returns what it threw, checked to be one of rally's
 * errors with `code` and a one-sentence message (no line break, a final full stop).
 */
export async function expectRallyError(action: Promise<unknown> | (() => unknown), code: string): Promise<Error & { code: string; details?: unknown }> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== code) {
    throw new Error(`expected a rally error ${code}, got ${error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)}`);
  }
  if (/\n/.test(error.message) || !/[.]$/.test(error.message)) throw new Error(`expected one sentence, got: ${error.message}`);
  return error as Error & { code: string };
}
