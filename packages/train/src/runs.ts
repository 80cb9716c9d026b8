import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RallyError } from '@rally/errors';
import type { TrainedRun, TrainReport } from './run.ts';

/** Where `pnpm train` writes runs: the workspace's output/ folder. */
export const OUTPUT_DIR = fileURLToPath(new URL('../../../output', import.meta.url));

export const MODEL_ID_PATTERN = /^[0-9a-f]{64}$/;
export const RUN_FILES = ['model.json', 'dataset.csv', 'report.json'] as const;

/**
 * Writes output/<model-id>/ atomically: everything goes to a temporary sibling folder first and
 * is renamed into place, so an interrupted run leaves no half-written model folder.
 */
export function writeRun(run: TrainedRun, outputDir = OUTPUT_DIR): string {
  mkdirSync(outputDir, { recursive: true });
  const target = join(outputDir, run.modelId);
  const temporary = join(outputDir, `.tmp-${run.modelId}-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    writeFileSync(join(temporary, 'model.json'), run.model);
    writeFileSync(join(temporary, 'dataset.csv'), run.dataset);
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

export interface RunSummary {
  modelId: string;
  dir: string;
  report: TrainReport;
}

/** Complete runs in output/, newest first. Folders that are not model ids (or lack a report) are skipped. */
export function listRuns(outputDir = OUTPUT_DIR): RunSummary[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .filter((name) => MODEL_ID_PATTERN.test(name) && RUN_FILES.every((file) => existsSync(join(outputDir, name, file))))
    .map((name) => ({ modelId: name, dir: join(outputDir, name), report: readReport(join(outputDir, name)) }))
    .sort((a, b) => b.report.created_at.localeCompare(a.report.created_at) || a.modelId.localeCompare(b.modelId));
}

function readReport(dir: string): TrainReport {
  const path = join(dir, 'report.json');
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as TrainReport;
    if (typeof report?.created_at !== 'string') throw new Error('no created_at');
    return report;
  } catch (error) {
    throw new RallyError('STORE_CORRUPTED', `${path} cannot be read as a training report (${(error as Error).message}); delete that run or train it again.`, { cause: error });
  }
}

/**
 * Finds a local run by full id or unique prefix. Anything that is not hex (a path, `..`) is
 * refused before touching the file system; the sentence lists the valid ids.
 */
export function resolveRun(idOrPrefix: string, outputDir = OUTPUT_DIR): RunSummary {
  const runs = listRuns(outputDir);
  const known = runs.length ? `Local runs: ${runs.map((run) => run.modelId.slice(0, 12)).join(', ')}.` : 'There are no runs in output/ yet; run pnpm train.';
  if (!/^[0-9a-f]{1,64}$/.test(idOrPrefix)) {
    throw new RallyError('STORE_UNKNOWN_MODEL', `"${idOrPrefix}" is not a model id (hex digits of a sha256). ${known}`);
  }
  const matches = runs.filter((run) => run.modelId.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new RallyError('STORE_UNKNOWN_MODEL', `No run ${idOrPrefix} in output/. ${known}`);
  throw new RallyError('STORE_UNKNOWN_MODEL', `${idOrPrefix} is ambiguous: ${matches.length} runs start with it. ${known}`);
}
