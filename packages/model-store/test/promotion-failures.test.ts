// @module-tag integration
/**
 * Promotions that go wrong half way, on a local folder store whose primitives a subclass can make
 * fail (dependency injection, no module mocking): what production, the history and the error say.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { deployRun, LocalFolderStore } from '../src/index.ts';
import { expectRallyError, tempDir } from '@rally/testkit';
import { realModel } from './helpers.ts';

const A = await realModel(1);
const B = await realModel(2);
const T1 = new Date('2025-07-01T00:00:00.000Z');
const T2 = new Date('2025-07-02T00:00:00.000Z');
const entryName = (at: Date, id: string) => `${at.toISOString().replaceAll(':', '-')}-${id}.json`;

interface Faults {
  /** Throws instead of the conditional write of this key. */
  failWriteIf?: (key: string) => boolean;
  /** Runs just before such a failure (another process acting meanwhile). */
  beforeFailure?: () => Promise<void>;
  /** Sets `armed` when a conditional write of this key starts (the write itself proceeds). */
  armOnWriteIf?: (key: string) => boolean;
  /** Throws on reads of this key once `armed` is set. */
  failRead?: (key: string) => boolean;
  /** Extra keys the listing returns (objects that vanished after the listing). */
  phantomKeys?: string[];
}

class FaultyStore extends LocalFolderStore {
  armed = false;
  private readonly faults: Faults;
  constructor(root: string, faults: Faults) {
    super(root);
    this.faults = faults;
  }
  protected override async writeObjectIf(key: string, body: Buffer, contentType: string, expected: string | null): Promise<boolean> {
    if (this.faults.failWriteIf?.(key)) {
      this.armed = true;
      await this.faults.beforeFailure?.();
      throw new Error(`injected failure writing ${key}`);
    }
    if (this.faults.armOnWriteIf?.(key)) this.armed = true;
    return super.writeObjectIf(key, body, contentType, expected);
  }
  protected override async readObject(key: string): Promise<Buffer | null> {
    if (this.armed && this.faults.failRead?.(key)) throw new Error(`injected failure reading ${key}`);
    return super.readObject(key);
  }
  protected override async listKeys(prefix: string): Promise<string[]> {
    const keys = await super.listKeys(prefix);
    return prefix === 'history/' ? [...keys, ...(this.faults.phantomKeys ?? [])] : keys;
  }
}

let root: string;
let store: LocalFolderStore;

beforeEach(async () => {
  root = join(tempDir('failures'), 'store');
  store = new LocalFolderStore(root);
  await store.putModel(A.id, A.files);
  await store.putModel(B.id, B.files);
});

describe('a promotion that fails half way', () => {
  it('a failed history write fails the promotion with that error; nothing changes', async () => {
    const first = await store.promote(A.id, T1);
    const faulty = new FaultyStore(root, { failWriteIf: (key) => key.startsWith('history/') });
    await expect(faulty.promote(B.id, T2)).rejects.toThrow(`injected failure writing history/${entryName(T2, B.id)}`);
    expect(await store.getProduction()).toEqual(first);
    expect(await readdir(join(root, 'history'))).toEqual([entryName(T1, A.id)]);
  });

  it('a history record already there with other content is a lost race: STORE_CONFLICT naming production', async () => {
    const first = await store.promote(A.id, T1);
    await writeFile(join(root, 'history', entryName(T2, B.id)), '{"someone":"else"}\n');
    const err = await expectRallyError(store.promote(B.id, T2), 'STORE_CONFLICT');
    expect(err.message).toBe(
      `Another promotion happened while promoting ${B.id}; production is ${A.id} in ${store.description}, and ${B.id} was not promoted (deploy it again if it should be).`,
    );
    expect(err.details).toEqual({ model_id: B.id, production: A.id });
    expect(await store.getProduction()).toEqual(first);
  });

  it('a history record already there with the same content (a retried promotion) is ours: the promotion completes', async () => {
    const first = await store.promote(A.id, T1);
    const record = { model_id: B.id, promoted_at: T2.toISOString(), previous_model_id: A.id, previous_promoted_at: T1.toISOString() };
    await writeFile(join(root, 'history', entryName(T2, B.id)), `${JSON.stringify(record, null, 2)}\n`);
    const second = await store.promote(B.id, T2);
    expect(second).toEqual({ model_id: B.id, promoted_at: T2.toISOString(), previous_model_id: A.id });
    expect(await store.history()).toEqual([first, second]);
  });

  it('when production cannot be read after a failed pointer write, the history record is kept (production may need it)', async () => {
    const first = await store.promote(A.id, T1);
    const faulty = new FaultyStore(root, { failWriteIf: (key) => key === 'production.json', failRead: (key) => key === 'production.json' });
    await expect(faulty.promote(B.id, T2)).rejects.toThrow('injected failure writing production.json');
    expect(existsSync(join(root, 'history', entryName(T2, B.id)))).toBe(true);
    // The record is unreachable from the pointer, so the history is unaffected.
    expect(await store.getProduction()).toEqual(first);
    expect(await store.history()).toEqual([first]);
  });

  it('when production can be read after a failed pointer write, the orphan history record is removed', async () => {
    await store.promote(A.id, T1);
    const faulty = new FaultyStore(root, { failWriteIf: (key) => key === 'production.json' });
    await expect(faulty.promote(B.id, T2)).rejects.toThrow('injected failure writing production.json');
    expect(existsSync(join(root, 'history', entryName(T2, B.id)))).toBe(false);
  });

  it('a lost race whose winner cannot be read says production is unknown', async () => {
    await store.promote(A.id, T1);
    await writeFile(join(root, 'history', entryName(T2, B.id)), 'taken');
    // Reads of the pointer fail from the history write on, i.e. when the conflict is reported.
    const faulty = new FaultyStore(root, { armOnWriteIf: (key) => key.startsWith('history/'), failRead: (key) => key === 'production.json' });
    const err = await expectRallyError(faulty.promote(B.id, T2), 'STORE_CONFLICT');
    expect(err.message).toBe(
      `Another promotion happened while promoting ${B.id}; production is unknown in ${store.description}, and ${B.id} was not promoted (deploy it again if it should be).`,
    );
    expect(err.details).toEqual({ model_id: B.id, production: null });
  });
});

describe('a failed pointer write is judged by what production holds', () => {
  it.each([
    ['promoted at another time', { model_id: B.id, promoted_at: '2025-07-03T00:00:00.000Z', previous_model_id: A.id }],
    ['with another predecessor', { model_id: B.id, promoted_at: T2.toISOString(), previous_model_id: null }],
  ])('the same model %s by someone else is not this promotion: the error stands', async (_label, other) => {
    await store.promote(A.id, T1);
    const faulty = new FaultyStore(root, {
      failWriteIf: (key) => key === 'production.json',
      beforeFailure: () => writeFile(join(root, 'production.json'), JSON.stringify(other)),
    });
    await expect(faulty.promote(B.id, T2)).rejects.toThrow('injected failure writing production.json');
  });
});

describe('history listings that change under the reader', () => {
  it('a record listed but gone when read (an aborted promotion cleaned up) is skipped', async () => {
    const first = await store.promote(A.id, T1);
    const faulty = new FaultyStore(root, { phantomKeys: [`history/${entryName(T2, B.id)}`] });
    expect(await faulty.history()).toEqual([first]);
  });
});

describe('deployRun and unusual run paths', () => {
  it('a run path that cannot be examined (a symlink loop) is an error, not "no folder"', async () => {
    const runs = tempDir('loop');
    const loop = join(runs, A.id);
    symlinkSync(loop, loop);
    await expect(deployRun(store, loop)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await store.getProduction()).toBeNull();
  });
});

describe('a store path the system refuses', () => {
  it('a folder name too long is STORE_UNREACHABLE, naming the action and the reason', async () => {
    const long = new LocalFolderStore(join(tempDir('long'), 'x'.repeat(300)));
    const read = await expectRallyError(long.getProduction(), 'STORE_UNREACHABLE');
    expect((read.cause as NodeJS.ErrnoException).code).toBe('ENAMETOOLONG');
    expect(read.message).toBe(`Failed reading ${join(long.root, 'production.json')} in ${long.description} (ENAMETOOLONG).`);
    const list = await expectRallyError(long.listModels(), 'STORE_UNREACHABLE');
    expect(list.message).toBe(`Failed listing ${join(long.root, 'models')} in ${long.description} (ENAMETOOLONG).`);
    const write = await expectRallyError(long.putModel(A.id, A.files), 'STORE_UNREACHABLE');
    expect(write.message).toMatch(/^Failed (reading|writing) .+ \(ENAMETOOLONG\)\.$/);
  });

  it('a lock that cannot be created is one sentence too', async () => {
    // history/ is a file: the history record's lock folder cannot be made inside it.
    await writeFile(join(root, 'history'), 'not a folder');
    const err = await expectRallyError(store.promote(A.id, T1), 'STORE_CONFIG');
    expect(err.message).toBe(`The ${store.description} is not a usable folder: locking ${join(root, 'history', `${entryName(T1, A.id)}.lock`)} failed with ENOTDIR.`);
    expect(await store.getProduction()).toBeNull();
  });
});
