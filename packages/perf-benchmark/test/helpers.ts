import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GROUND_TRUTH_PATH, SOURCE_NODE_ARGS } from '@rally/testkit';
import { writeRun } from '@rally/model';
import { trainRun, type TrainedRun } from '@rally/train';
import { main } from '../src/main.ts';

export { groundTruthSlice, tempDir } from '@rally/testkit';

/** data/australian_open.csv's header and data lines. */
export function groundTruthLines(): { header: string; rows: string[] } {
  const [header, ...rows] = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split(/\r?\n/);
  return { header, rows };
}

/** Writes a CSV of the ground truth's rows [from, to) and returns its path (rows from 0: testkit's groundTruthSlice). */
export function subsetCsv(dir: string, name: string, from: number, to: number): string {
  const { header, rows } = groundTruthLines();
  const path = join(dir, name);
  writeFileSync(path, `${[header, ...rows.slice(from, to)].join('\n')}\n`);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Real runs (need the forest): small forests on a 600-row subset keep the suite fast.
// ---------------------------------------------------------------------------------------------

export const SMALL_FOREST = { maxDepth: 5, seed: 42 } as const;

/** Trains a small run on `dataPath` with one worker and writes it to `outputDir`. */
export async function trainSmallRun(dataPath: string, outputDir: string, trees: number): Promise<TrainedRun & { dir: string }> {
  const run = await trainRun({ dataPath, params: { ...SMALL_FOREST, nEstimators: trees }, workers: 0 });
  return { ...run, dir: writeRun(run, outputDir) };
}

export { CountingStore } from '../src/compare.ts';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment minus anything that would point the CLI at a real store or cache. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(MODEL_STORE|CACHE_|S3_|AWS_|INIT_CWD$)/.test(key)));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Spawns `tsx src/cli.ts` like `pnpm --filter perf-benchmark start` does (cwd = the package), feeding `input` to stdin. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, 'src/cli.ts', ...args], { cwd: PACKAGE_DIR, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading
    child.stdin.end(input ?? '');
  });
}

/** The same command in this process (no tsx start-up), with in-memory streams. */
export async function runMain(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  const stdin = new PassThrough();
  stdin.end(input ?? '');
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
