/** Temporary files left by a process killed between writing and renaming are cleared, never those of a live one. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFolderStore, ModelCache } from '../src/index.ts';
import { fakeModel, tempDir } from './helpers.ts';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
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
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('the cache clears them before its first write', async () => {
    const dir = await tempDir('cache');
    const { stale, live } = leftovers(dir, await deadPid());
    const model = fakeModel('cached');
    const store = new LocalFolderStore(await tempDir('store'));
    await store.putModel(model.id, model.files);
    await new ModelCache({ dir }).fetch(store, model.id, 'model.json');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
