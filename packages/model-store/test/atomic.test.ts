// @module-tag integration
/** writeFileAtomic and the sweep of what it leaves when its process dies: files in temporary folders. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepAbandonedTemporaries, writeFileAtomic } from '../src/atomic.ts';
import { deadPid, tempDir } from '@rally/testkit';

describe('writeFileAtomic', () => {
  it('creates missing folders and writes the exact bytes, then replaces them whole', async () => {
    const dir = tempDir('atomic');
    const path = join(dir, 'a', 'b', 'file.bin');
    await writeFileAtomic(path, Buffer.from('first version'));
    expect(await readFile(path, 'utf8')).toBe('first version');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    // Nothing but the file itself is left next to it.
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('leaves nothing half-written when the final rename fails: the target as it was, no temporary file', async () => {
    const dir = tempDir('atomic');
    // A non-empty folder where the file should go: the rename over it fails.
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'kept');
    await expect(writeFileAtomic(path, Buffer.from('new bytes'))).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST|EPERM)$/) });
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('kept');
  });

  it('concurrent writers of one file each leave a whole version, never a mix', async () => {
    const dir = tempDir('atomic');
    const path = join(dir, 'shared.txt');
    const versions = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(256 * 1024));
    await Promise.all(versions.map((v) => writeFileAtomic(path, Buffer.from(v))));
    expect(versions).toContain(await readFile(path, 'utf8'));
    expect(await readdir(dir)).toEqual(['shared.txt']);
  });
});

/** The sweep runs in the background: waits until `path` is gone (at most 2 s). */
async function gone(path: string): Promise<boolean> {
  for (let i = 0; i < 40 && existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !existsSync(path);
}

describe('sweepAbandonedTemporaries', () => {
  it("removes a dead writer's temporary files at any depth, and nothing that only looks like one", async () => {
    const dir = tempDir('sweep');
    const dead = await deadPid();
    await mkdir(join(dir, 'models', 'deep'), { recursive: true });
    const abandoned = [join(dir, `top.json.tmp-${dead}-0a1b`), join(dir, 'models', 'deep', `model.json.tmp-${dead}-ff00`)];
    const kept = [
      join(dir, `live.json.tmp-${process.pid}-abcd`), // its writer is alive
      join(dir, `upper.json.tmp-${dead}-ABCD`), // not writeFileAtomic's lowercase hex
      join(dir, `word.json.tmp-${dead}-zz`), // not hex
      join(dir, `suffix.json.tmp-${dead}-abcd.bak`), // something after the hex
      join(dir, `nodot.jsontmp-${dead}-abcd`), // no '.' before 'tmp-'
      join(dir, `nopid.json.tmp--abcd`), // no pid
      join(dir, `nohex.json.tmp-${dead}-`), // no hex
    ];
    for (const path of [...abandoned, ...kept]) await writeFile(path, 'partial');
    sweepAbandonedTemporaries(dir);
    for (const path of abandoned) expect(await gone(path), path).toBe(true);
    // Give the sweep time to reach the others too.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const path of kept) expect(existsSync(path), path).toBe(true);
  });

  it('a folder that does not exist is nothing to sweep, and nothing is thrown', async () => {
    expect(() => sweepAbandonedTemporaries(join(tempDir('sweep'), 'missing'))).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
