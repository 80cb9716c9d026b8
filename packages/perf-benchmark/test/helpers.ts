import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUND_TRUTH_PATH } from '@rally/testkit';
import { writeRun } from '@rally/model';
import { trainRun, type TrainedRun } from '@rally/train';

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
