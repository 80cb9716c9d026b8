import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isProcessAlive } from '@rally/model';

/** Marker in temporary file names; listings skip files containing it. */
export const TEMP_MARKER = '.tmp-';

/**
 * Writes `data` to `path` atomically: a uniquely named temp file in the same directory is written,
 * fsynced and renamed over the target, so readers see the old bytes or the new ones, never a prefix.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Removes the temporary files writeFileAtomic left below `dir` when its process was killed between
 * writing and renaming (`<name>.tmp-<pid>-<hex>` whose pid is no longer alive). Best effort: the
 * folder may not exist or change meanwhile.
 */
export async function removeAbandonedTemporaries(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of entries) {
    const match = /\.tmp-(\d+)-[0-9a-f]+$/.exec(entry.name);
    if (!entry.isFile() || !match || isProcessAlive(Number(match[1]))) continue;
    await rm(join(entry.parentPath, entry.name), { force: true }).catch(() => {});
    removed++;
  }
  return removed;
}
