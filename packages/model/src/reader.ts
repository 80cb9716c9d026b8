import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { RallyError } from '@rally/errors';
import { ARTIFACTS, type ArtifactSet, isModelId, sha256Hex } from './artifacts.ts';
import { assertArtifactSize, checkPipeline, DEFAULT_MODEL_MAX_BYTES } from './check.ts';
import { Pipeline } from './pipeline.ts';
import { parseReport, type TrainReport } from './report.ts';

/** A model ready to use: its id, its fitted pipeline and its training report. */
export interface LoadedModel {
  modelId: string;
  pipeline: Pipeline;
  report: TrainReport;
}

/**
 * Reads a run folder (`<dir>/<model-id>/` with the three artifacts) and verifies it: the folder is
 * named by a model id and that id is the sha256 of its model.json (STORE_CHECKSUM_MISMATCH
 * otherwise); a missing or unreadable file is STORE_CORRUPTED.
 */
export async function readRunFolder(runDir: string, maxBytes: number = DEFAULT_MODEL_MAX_BYTES): Promise<{ modelId: string; files: ArtifactSet }> {
  const dir = resolve(runDir);
  const modelId = basename(dir);
  if (!isModelId(modelId)) {
    throw new RallyError('STORE_CHECKSUM_MISMATCH', `Run folder ${dir} is not named by a model id (expected 64 lowercase hex characters, the sha256 of its model.json).`);
  }
  const files = {} as ArtifactSet;
  for (const name of ARTIFACTS) {
    try {
      // The model and its report are sized before they are read (the dataset is the data's, checked by its contract).
      if (name !== 'dataset.csv') assertArtifactSize(name, (await stat(join(dir, name))).size, maxBytes, `run folder ${dir}`);
      files[name] = await readFile(join(dir, name));
    } catch (error) {
      if (error instanceof RallyError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new RallyError('STORE_CORRUPTED', `Run folder ${dir} has no readable ${name} (${code ?? 'read failed'}).`, { cause: error });
    }
  }
  const actual = sha256Hex(files['model.json']);
  if (actual !== modelId) {
    throw new RallyError('STORE_CHECKSUM_MISMATCH', `Run folder ${dir} is named ${modelId} but the sha256 of its model.json is ${actual}.`);
  }
  return { modelId, files };
}

/**
 * Loads a model from its model.json and report.json bytes (a run folder's or a store's), verifying
 * that model.json hashes to `modelId` and that the report is the report of that model. `where` names
 * the source in errors: STORE_CHECKSUM_MISMATCH, STORE_CORRUPTED (unparsable), or MODEL_FORMAT (a
 * model.json of an unknown kind or version, or with keys it does not know), MODEL_TOO_LARGE, and
 * MODEL_CHECK_FAILED for a model that cannot answer (checkPipeline): every model used passes it.
 */
export function loadModel(modelId: string, files: Pick<ArtifactSet, 'model.json' | 'report.json'>, where: string, maxBytes: number = DEFAULT_MODEL_MAX_BYTES): LoadedModel {
  for (const name of ['model.json', 'report.json'] as const) assertArtifactSize(name, files[name].byteLength, maxBytes, where);
  const actual = sha256Hex(files['model.json']);
  if (actual !== modelId) {
    throw new RallyError('STORE_CHECKSUM_MISMATCH', `The model.json of ${where} does not match its id ${modelId} (its sha256 is ${actual}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(files['model.json'].toString('utf8'));
  } catch (error) {
    throw new RallyError('STORE_CORRUPTED', `The model.json of ${where} is not valid JSON.`, { cause: error });
  }
  const pipeline = Pipeline.fromJSON(json);
  checkPipeline(pipeline, where);
  const report = parseReport(files['report.json'], where);
  if (report.model_id !== modelId) {
    throw new RallyError('STORE_CORRUPTED', `The report.json of ${where} describes model ${report.model_id}, not ${modelId}.`);
  }
  return { modelId, pipeline, report };
}

