import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArtifactName, sha256Hex } from '@rally/model';


export interface FakeModel {
  id: string;
  files: Record<ArtifactName, Buffer>;
}

/** Three artifacts whose id is the sha256 of model.json, like the training package produces (the store does not parse them). */
export function fakeModel(seed: string): FakeModel {
  const model = Buffer.from(`${JSON.stringify({ kind: 'random-forest', format_version: 1, seed, trees: [[1, 2, 3]] })}\n`);
  return {
    id: sha256Hex(model),
    files: {
      'model.json': model,
      'dataset.csv': Buffer.from(`rally_length,outcome\n${seed.length},winner\n7,forced_error\n`),
      'report.json': Buffer.from(`${JSON.stringify({ seed, accuracy: 0.5 })}\n`),
    },
  };
}

/**
 * A real, tiny trained model (2 trees on 300 ground-truth rows; `seed` picks the forest), for what
 * deploys and rolls back: those check that a model can answer before promoting it.
 */
export async function realModel(seed: number): Promise<FakeModel> {
  const { readRunFolder, writeRun } = await import('@rally/model');
  const { trainRun } = await import('@rally/train');
  const { groundTruthSlice, tempDir } = await import('@rally/testkit');
  const run = await trainRun({ dataPath: groundTruthSlice(300), params: { nEstimators: 2, maxDepth: 3, seed }, workers: 0 });
  const { modelId, files } = await readRunFolder(writeRun(run, tempDir('real-model')));
  return { id: modelId, files };
}

/** `<parent>/<id>/{model.json,dataset.csv,report.json}` (or another folder name). */
export async function writeRunFolder(parent: string, model: FakeModel, folderName: string = model.id): Promise<string> {
  const dir = join(parent, folderName);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(model.files)) await writeFile(join(dir, name), bytes);
  return dir;
}
