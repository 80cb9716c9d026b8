import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { writeRun } from '@rally/model';
import { RALLY_SOURCE, REPO_ROOT, SOURCE_NODE_ARGS } from '@rally/testkit';
import { trainRun, type TrainedRun } from '@rally/train';
import { main } from '../src/index.ts';

export { groundTruthSlice, tempDir } from '@rally/testkit';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment minus anything that would point the CLI at a real store or cache, colour it, or make it look launched by pnpm. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(MODEL_STORE|CACHE_|S3_|AWS_|INIT_CWD$|NO_COLOR$|FORCE_COLOR$|npm_)/.test(key)));
  return { ...env, ...extra };
}

/** `rally <args>` as a real process from the sources (node strips the types), in `cwd`, with `input` on stdin. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, input?: string, cwd = REPO_ROOT): Promise<CliRun> {
  return spawnCollect(process.execPath, [...SOURCE_NODE_ARGS, RALLY_SOURCE, ...args], env, input, cwd);
}

/** Any command, collecting its output; stdin gets `input` (or is closed at once). */
export function spawnCollect(file: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string, cwd = REPO_ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the command may exit before reading
    child.stdin.end(input ?? '');
  });
}

/** The same command line in this process (no start-up), with in-memory streams; `terminal` makes stdin look like a TTY. */
export async function runMain(args: readonly string[], env: NodeJS.ProcessEnv, input = '', terminal = false): Promise<CliRun> {
  const stdin = Object.assign(new PassThrough(), { isTTY: terminal });
  stdin.end(input);
  const collect = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const stdout = collect();
  const stderr = collect();
  const code = await main(args, env, { stdin, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** No "    at fn (file:line)" frames anywhere. */
export const STACK_FRAME = /^\s+at .+[:(]/m;

/** A small real run (max depth 5, seed 42, no workers) on `dataPath`, written to `outputDir`. */
export async function trainSmallRun(dataPath: string, outputDir: string, trees: number, seed = 42): Promise<TrainedRun & { dir: string }> {
  const run = await trainRun({ dataPath, params: { maxDepth: 5, seed, nEstimators: trees }, workers: 0 });
  return { ...run, dir: writeRun(run, outputDir) };
}
