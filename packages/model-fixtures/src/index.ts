/**
 * Test-only: small real models, trained on a slice of the ground truth and written as output/ runs
 * or deployed to a temporary local store (never imported by production code).
 */
import { deployRun, LocalFolderStore, type ModelStore } from '@rally/model-store';
import type { RandomForestParams } from '@rally/forest';
import { groundTruthSlice, tempDir } from '@rally/testkit';
import { writeRun } from '@rally/model';
import { trainRun, type TrainedRun } from '@rally/train';

export interface TinyRunOptions {
  rows?: number;
  params?: Partial<RandomForestParams>;
  outputDir?: string;
  dataPath?: string;
}

/** A real, small training run (default 600 rows, 10 trees, depth 6) written to an output folder. */
export async function trainTinyRun(options: TinyRunOptions = {}): Promise<{ run: TrainedRun; dir: string; outputDir: string }> {
  const outputDir = options.outputDir ?? tempDir('output');
  const dataPath = options.dataPath ?? groundTruthSlice(options.rows ?? 600);
  const run = await trainRun({ dataPath, params: { nEstimators: 10, maxDepth: 6, ...options.params }, workers: 0 });
  return { run, dir: writeRun(run, outputDir), outputDir };
}

/** A local folder store in a temp folder (`root`, what MODEL_STORE names) with a tiny model deployed as production. */
export async function storeWithProduction(options: TinyRunOptions = {}): Promise<{ store: ModelStore; root: string; run: TrainedRun; dir: string }> {
  const root = tempDir('store');
  const store = new LocalFolderStore(root);
  const { run, dir } = await trainTinyRun(options);
  await deployRun(store, dir);
  return { store, root, run, dir };
}

/**
 * A crafted model: a real run's model.json edited by `edit` (its parsed JSON), with a consistent id
 * (the sha256 of the new bytes) and report, written as a run folder: what a training bug, or someone
 * with write access to the bucket, could make. For the tests that such a model is refused.
 */
export async function craftedRun(from: string, edit: (model: Record<string, any>) => void, outputDir = tempDir('crafted')): Promise<{ id: string; dir: string; files: Record<'model.json' | 'report.json' | 'dataset.csv', Buffer> }> {
  const { readFileSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { sha256Hex } = await import('@rally/model');
  const model = JSON.parse(readFileSync(join(from, 'model.json'), 'utf8'));
  edit(model);
  const bytes = Buffer.from(JSON.stringify(model));
  const id = sha256Hex(bytes);
  const report = Buffer.from(JSON.stringify({ ...JSON.parse(readFileSync(join(from, 'report.json'), 'utf8')), model_id: id }));
  const files = { 'model.json': bytes, 'report.json': report, 'dataset.csv': readFileSync(join(from, 'dataset.csv')) };
  const dir = join(outputDir, id);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { id, dir, files };
}
