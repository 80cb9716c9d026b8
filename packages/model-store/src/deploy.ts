import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { RallyError } from '@rally/errors';
import { checksumsOf, isModelId, loadModel, readRunFolder, sameChecksums } from '@rally/model';
import type { ModelStore, ProductionPointer } from './store.ts';

export interface DeployOptions {
  /** Promotion time (default: now). */
  now?: Date;
}

export interface DeployResult {
  pointer: ProductionPointer;
  /** True when the artifacts were uploaded by this call (false: already in the store, e.g. a rollback). */
  uploaded: boolean;
  /** False when the model already was in production (nothing changed). */
  promoted: boolean;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

/**
 * Deploys the training run in `runDir` (a folder named by the model id holding model.json,
 * dataset.csv and report.json):
 * 1. checks the folder name is the sha256 of its model.json (STORE_CHECKSUM_MISMATCH otherwise);
 * 2. uploads the model unless the store already has it (same id, same model.json: a retrained
 *    run's newer report does not replace the stored one, models are immutable);
 * 3. downloads the manifest back and compares it with the local checksums;
 * 4. promotes it, unless it already is production (then nothing changes).
 * A model already in the store deploys without upload (a rollback), even when `runDir` no longer
 * exists; an id neither in the store nor on disk → STORE_UNKNOWN_MODEL.
 */
export async function deployRun(store: ModelStore, runDir: string, options: DeployOptions = {}): Promise<DeployResult> {
  const dir = resolve(runDir);
  const id = basename(dir);
  if (!isModelId(id)) {
    throw new RallyError('STORE_CHECKSUM_MISMATCH', `Run folder ${dir} is not named by a model id (expected 64 lowercase hex characters, the sha256 of its model.json).`);
  }
  let uploaded = false;
  if (await isDirectory(dir)) {
    const { files } = await readRunFolder(dir, store.maxArtifactBytes);
    // A model that cannot answer is refused before anything is uploaded (MODEL_CHECK_FAILED and the others of loadModel).
    loadModel(id, files, `run ${dir}`, store.maxArtifactBytes);
    const local = checksumsOf(id, files);
    const stored = await store.findChecksums(id);
    if (stored) {
      // Same id means the same model.json bytes (checked above). A retrained run of the same data,
      // options and seed differs only in its report (time, durations): the stored model stands.
      if (stored.artifacts['model.json'].sha256 !== local.artifacts['model.json'].sha256) {
        throw new RallyError('STORE_CHECKSUM_MISMATCH', `Model ${id} in ${store.description} has a model.json that does not match its id; the store is corrupted.`);
      }
    } else {
      await store.putModel(id, files);
      const remote = await store.getChecksums(id);
      if (!sameChecksums(remote, local)) {
        throw new RallyError('STORE_CHECKSUM_MISMATCH', `Model ${id} was uploaded to ${store.description} but its stored checksums differ from ${dir}; production is unchanged.`);
      }
      uploaded = true;
    }
  } else if (!(await store.hasModel(id))) {
    throw new RallyError('STORE_UNKNOWN_MODEL', `No model ${id} in ${store.description} and no run folder ${dir} to upload it from.`, { details: { model_id: id } });
  } else {
    await checkStoredModel(store, id);
  }

  const current = await store.getProduction();
  if (current?.model_id === id) return { pointer: current, uploaded, promoted: false };
  const pointer = await store.promote(id, options.now);
  return { pointer, uploaded, promoted: true };
}

/**
 * Promotes the model that production replaced (pointer.previous_model_id). STORE_NO_PRODUCTION when
 * nothing is in production, STORE_UNKNOWN_MODEL when there is no previous model.
 */
export async function rollback(store: ModelStore, options: DeployOptions = {}): Promise<ProductionPointer> {
  const current = await store.getProduction();
  if (!current) throw new RallyError('STORE_NO_PRODUCTION', `${store.description} has no production model to roll back from.`);
  if (!current.previous_model_id) {
    throw new RallyError('STORE_UNKNOWN_MODEL', `Production model ${current.model_id} in ${store.description} has no previous model to roll back to.`);
  }
  await checkStoredModel(store, current.previous_model_id);
  return store.promote(current.previous_model_id, options.now);
}

/** A model already in the store passes the same check before it is promoted again (a rollback, a redeploy). */
async function checkStoredModel(store: ModelStore, id: string): Promise<void> {
  const files = { 'model.json': await store.getArtifact(id, 'model.json'), 'report.json': await store.getArtifact(id, 'report.json') };
  loadModel(id, files, `model ${id} in ${store.description}`, store.maxArtifactBytes);
}
