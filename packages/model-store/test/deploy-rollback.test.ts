// @module-tag integration
/** deployRun and rollback on a local folder store: the refusals a user meets, and that production stays as it was. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelChecksums } from '@rally/model';
import { deployRun, LocalFolderStore, rollback } from '../src/index.ts';
import { expectRallyError, tempDir } from '@rally/testkit';
import { realModel, writeRunFolder } from './helpers.ts';

const A = await realModel(1);
const B = await realModel(2);
const T1 = new Date('2025-04-01T08:00:00.000Z');
const T2 = new Date('2025-04-02T08:00:00.000Z');
const T3 = new Date('2025-04-03T08:00:00.000Z');

let root: string;
let store: LocalFolderStore;
let runs: string;

beforeEach(async () => {
  root = tempDir('deploy');
  store = new LocalFolderStore(join(root, 'store'));
  runs = join(root, 'runs');
  await mkdir(runs);
});

describe('rollback', () => {
  it('with nothing in production: STORE_NO_PRODUCTION, naming the store', async () => {
    const err = await expectRallyError(rollback(store), 'STORE_NO_PRODUCTION');
    expect(err.message).toBe(`${store.description} has no production model to roll back from.`);
  });

  it('with no previous model: STORE_UNKNOWN_MODEL, and production unchanged', async () => {
    await store.putModel(A.id, A.files);
    const pointer = await store.promote(A.id, T1);
    const err = await expectRallyError(rollback(store, { now: T2 }), 'STORE_UNKNOWN_MODEL');
    expect(err.message).toBe(`Production model ${A.id} in ${store.description} has no previous model to roll back to.`);
    expect(await store.getProduction()).toEqual(pointer);
    expect(await store.history()).toEqual([pointer]);
  });

  it('promotes the previous model at the given time; a second rollback goes forward again', async () => {
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    await store.promote(A.id, T1);
    await store.promote(B.id, T2);
    expect(await rollback(store, { now: T3 })).toEqual({ model_id: A.id, promoted_at: T3.toISOString(), previous_model_id: B.id });
    expect((await rollback(store)).model_id).toBe(B.id);
  });

  it('without a time, promotes now', async () => {
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    await store.promote(A.id, T1);
    await store.promote(B.id, T2);
    const before = Date.now();
    const pointer = await rollback(store);
    expect(Date.parse(pointer.promoted_at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(pointer.promoted_at)).toBeLessThanOrEqual(Date.now());
  });
});

describe('deployRun', () => {
  it('refuses a folder not named by a model id, in one sentence naming the folder', async () => {
    const dir = await writeRunFolder(runs, A, 'latest');
    const err = await expectRallyError(deployRun(store, dir), 'STORE_CHECKSUM_MISMATCH');
    expect(err.message).toBe(`Run folder ${dir} is not named by a model id (expected 64 lowercase hex characters, the sha256 of its model.json).`);
    // Also when no such folder exists: the name alone is wrong.
    await expectRallyError(deployRun(store, join(runs, 'missing-latest')), 'STORE_CHECKSUM_MISMATCH');
  });

  it('an id neither stored nor on disk: STORE_UNKNOWN_MODEL naming both places', async () => {
    const dir = join(runs, A.id);
    const err = await expectRallyError(deployRun(store, dir), 'STORE_UNKNOWN_MODEL');
    expect(err.message).toBe(`No model ${A.id} in ${store.description} and no run folder ${dir} to upload it from.`);
    expect(err.details).toEqual({ model_id: A.id });
  });

  it('a path below a file counts as no run folder (a rollback when the store has the model)', async () => {
    const file = join(runs, 'notes.txt');
    await writeFile(file, 'x');
    await expectRallyError(deployRun(store, join(file, A.id)), 'STORE_UNKNOWN_MODEL');
    await store.putModel(A.id, A.files);
    expect(await deployRun(store, join(file, A.id), { now: T1 })).toMatchObject({ uploaded: false, promoted: true, pointer: { model_id: A.id } });
  });

  it('a file named by the id is not a run folder either', async () => {
    await writeFile(join(runs, A.id), 'not a folder');
    await expectRallyError(deployRun(store, join(runs, A.id)), 'STORE_UNKNOWN_MODEL');
  });

  it('refuses to promote a stored model whose manifest disagrees with its id: the store is corrupted', async () => {
    await store.putModel(A.id, A.files);
    const manifestPath = join(store.root, 'models', A.id, 'checksums.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ModelChecksums;
    manifest.artifacts['model.json'].sha256 = B.id;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const err = await expectRallyError(deployRun(store, await writeRunFolder(runs, A), { now: T1 }), 'STORE_CHECKSUM_MISMATCH');
    expect(err.message).toBe(`Model ${A.id} in ${store.description} has a model.json that does not match its id; the store is corrupted.`);
    expect(await store.getProduction()).toBeNull();
  });

  it('refuses to promote an upload whose stored checksums come back different', async () => {
    /** A store that loses a byte of dataset.csv on the way up (and so records its own checksum). */
    class LossyStore extends LocalFolderStore {
      override async putModel(id: string, files: Record<'model.json' | 'dataset.csv' | 'report.json', Buffer>): Promise<void> {
        return super.putModel(id, { ...files, 'dataset.csv': files['dataset.csv'].subarray(1) });
      }
    }
    const lossy = new LossyStore(store.root);
    const dir = await writeRunFolder(runs, A);
    const err = await expectRallyError(deployRun(lossy, dir, { now: T1 }), 'STORE_CHECKSUM_MISMATCH');
    expect(err.message).toBe(`Model ${A.id} was uploaded to ${store.description} but its stored checksums differ from ${dir}; production is unchanged.`);
    expect(await store.getProduction()).toBeNull();
  });

  it('promotes now when no time is given, and reports an already-serving model as not promoted', async () => {
    const dir = await writeRunFolder(runs, A);
    const before = Date.now();
    const first = await deployRun(store, dir);
    expect(first.uploaded && first.promoted).toBe(true);
    expect(Date.parse(first.pointer.promoted_at)).toBeGreaterThanOrEqual(before);
    const again = await deployRun(store, dir);
    expect(again).toEqual({ pointer: first.pointer, uploaded: false, promoted: false });
    expect(await store.history()).toEqual([first.pointer]);
  });
});
