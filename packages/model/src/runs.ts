import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RallyError } from '@rally/errors';
import { ARTIFACTS, MODEL_ID_PATTERN, MODEL_ID_PREFIX } from './artifacts.ts';
import { removeAbandoned } from './abandoned.ts';
import { parseReport, type TrainReport } from './report.ts';

/**
 * The rally folder. Relative paths in configuration (MODEL_STORE, CACHE_DIR) and the default output/
 * are anchored here, whatever directory a command runs in, so that every command means the same
 * folder. In the workspace it is the workspace root; in a production install (packages copied into
 * node_modules by `pnpm deploy`, or a container) there is no workspace: the working directory.
 */
export const WORKSPACE_ROOT = workspaceRoot();

function workspaceRoot(): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return existsSync(join(root, 'pnpm-workspace.yaml')) ? root : join(process.cwd(), '/');
}

/** Where `pnpm train` writes runs: the workspace's output/ folder. */
export const OUTPUT_DIR = join(WORKSPACE_ROOT, 'output');

/** What a run folder is made of. */
export interface RunToWrite {
  modelId: string;
  /** model.json bytes: the id is their sha256. */
  model: Buffer;
  /** The dataset's bytes, or its file with the sha256 it had when read (copied, then checked). */
  dataset: Buffer | { path: string; sha256: string };
  report: TrainReport;
}

/**
 * Writes `<outputDir>/<model-id>/` atomically: everything goes to a temporary sibling folder first
 * and is renamed into place, so an interrupted run leaves no half-written model folder.
 */
export function writeRun(run: RunToWrite, outputDir = OUTPUT_DIR): string {
  mkdirSync(outputDir, { recursive: true });
  const target = join(outputDir, run.modelId);
  const temporary = join(outputDir, `.tmp-${run.modelId}-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    writeFileSync(join(temporary, 'model.json'), run.model);
    if (Buffer.isBuffer(run.dataset)) writeFileSync(join(temporary, 'dataset.csv'), run.dataset);
    else copyDataset(run.dataset, join(temporary, 'dataset.csv'));
    writeFileSync(join(temporary, 'report.json'), `${JSON.stringify(run.report, null, 2)}\n`);
    // Same id means same model bytes: replacing only refreshes the report (new created_at).
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/**
 * Copies a dataset file in one pass, hashing what it writes: a file changed since its rows were read
 * (another sha256) is not stored as the run's dataset.
 */
function copyDataset(dataset: { path: string; sha256: string }, target: string): void {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 16);
  const from = openSync(dataset.path, 'r');
  try {
    const to = openSync(target, 'w');
    try {
      for (let read = readSync(from, buffer); read > 0; read = readSync(from, buffer)) {
        hash.update(buffer.subarray(0, read));
        for (let written = 0; written < read; ) written += writeSync(to, buffer, written, read - written);
      }
    } finally {
      closeSync(to);
    }
  } finally {
    closeSync(from);
  }
  if (hash.digest('hex') !== dataset.sha256) {
    throw new RallyError('DATA_CHANGED', `${dataset.path} changed while the model was trained on it; train again on the file as it is now.`);
  }
}

/** `writeRun`'s temporary folder: `.tmp-<id>-<pid>-<time>`. */
const RUN_TEMPORARY = /^\.tmp-[0-9a-f]{64}-(\d+)-\d+$/;

/**
 * Removes the temporary folders of runs that died before renaming them into place (kill -9, a
 * power cut); those of live runs (a concurrent `pnpm train`) are left alone.
 */
export function removeAbandonedRuns(outputDir = OUTPUT_DIR): Promise<string[]> {
  return removeAbandoned(outputDir, RUN_TEMPORARY);
}

export interface RunSummary {
  modelId: string;
  dir: string;
  report: TrainReport;
}

/** Complete runs in the output folder, newest first. Folders that are not model ids (or lack an artifact) are skipped. */
export function listRuns(outputDir = OUTPUT_DIR): RunSummary[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .filter((name) => MODEL_ID_PATTERN.test(name) && ARTIFACTS.every((file) => existsSync(join(outputDir, name, file))))
    .map((name) => {
      const dir = join(outputDir, name);
      const path = join(dir, 'report.json');
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        throw new RallyError('STORE_CORRUPTED', `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'read failed'}); delete that run or train it again.`, { cause: error });
      }
      return { modelId: name, dir, report: parseReport(bytes, `run ${dir}`, 'delete that run or train it again') };
    })
    .sort((a, b) => b.report.created_at.localeCompare(a.report.created_at) || a.modelId.localeCompare(b.modelId));
}

/**
 * Finds a local run by full id or unique prefix. Anything that is not hex (a path, `..`) is
 * refused before touching the file system; the sentence lists the valid ids.
 */
export function resolveRun(idOrPrefix: string, outputDir = OUTPUT_DIR): RunSummary {
  const runs = listRuns(outputDir);
  const known = runs.length ? `Local runs: ${runs.map((run) => run.modelId.slice(0, 12)).join(', ')}.` : `There are no runs in ${outputDir} yet; run rally train.`;
  if (!MODEL_ID_PREFIX.test(idOrPrefix)) {
    throw new RallyError('STORE_UNKNOWN_MODEL', `"${idOrPrefix}" is not a model id (hex digits of a sha256). ${known}`);
  }
  const matches = runs.filter((run) => run.modelId.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new RallyError('STORE_UNKNOWN_MODEL', `No run ${idOrPrefix} in ${outputDir}. ${known}`);
  throw new RallyError('STORE_UNKNOWN_MODEL', `${idOrPrefix} is ambiguous: ${matches.length} runs start with it. ${known}`);
}
