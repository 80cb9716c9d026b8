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

/** `<parent>/<id>/{model.json,dataset.csv,report.json}` (or another folder name). */
export async function writeRunFolder(parent: string, model: FakeModel, folderName: string = model.id): Promise<string> {
  const dir = join(parent, folderName);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(model.files)) await writeFile(join(dir, name), bytes);
  return dir;
}
