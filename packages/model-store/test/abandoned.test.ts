// @module-tag integration
/** What a process killed mid-write leaves (temporary files, a lock) is cleared, never what a live one holds. */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFolderStore, ModelCache } from '../src/index.ts';
import { deadPid, tempDir } from '@rally/testkit';
import { fakeModel } from './helpers.ts';

/** The sweep runs in the background: whether `path` is gone within 2 s. */
async function gone(path: string): Promise<boolean> {
  for (let i = 0; i < 40 && existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !existsSync(path);
}

function leftovers(dir: string, dead: number) {
  mkdirSync(join(dir, 'some'), { recursive: true });
  const stale = join(dir, 'some', `model.json.tmp-${dead}-a1b2c3`);
  const live = join(dir, 'some', `model.json.tmp-${process.pid}-d4e5f6`);
  writeFileSync(stale, 'half');
  writeFileSync(live, 'being written');
  return { stale, live };
}

describe('abandoned temporary files', () => {
  it('a local store clears them before its first write', async () => {
    const root = await tempDir('store');
    const { stale, live } = leftovers(root, await deadPid());
    const model = fakeModel('abandoned');
    await new LocalFolderStore(root).putModel(model.id, model.files);
    expect(await gone(stale)).toBe(true);
    expect(existsSync(live)).toBe(true);
  });

  it('the cache clears them before its first write', async () => {
    const dir = await tempDir('cache');
    const { stale, live } = leftovers(dir, await deadPid());
    const model = fakeModel('cached');
    const store = new LocalFolderStore(await tempDir('store'));
    await store.putModel(model.id, model.files);
    await new ModelCache({ dir }).fetch(store, model.id, 'model.json');
    expect(await gone(stale)).toBe(true);
    expect(existsSync(live)).toBe(true);
  });

  it('a promotion breaks the lock a dead promotion left (and a breaker it left, once old)', async () => {
    const root = await tempDir('store');
    const store = new LocalFolderStore(root);
    const model = fakeModel('locked');
    await store.putModel(model.id, model.files);
    const lock = join(root, 'production.json.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${await deadPid()} 0123456789abcdef`);
    mkdirSync(`${lock}.break`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${lock}.break`, old, old);
    const started = Date.now();
    expect((await store.promote(model.id)).model_id).toBe(model.id);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(`${lock}.break`)).toBe(false);
  });
});
