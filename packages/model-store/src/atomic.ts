import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeAbandoned } from '@rally/model';

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

/** writeFileAtomic's temporary file: `<name>.tmp-<pid>-<hex>`. */
const TEMPORARY = /\.tmp-(\d+)-[0-9a-f]+$/;

/**
 * Starts removing, in the background, the temporary files writeFileAtomic left below `dir` when its
 * process was killed before renaming: nothing waits for it (no lock is held longer, no request
 * waits), and a failure only leaves them for next time.
 */
export function sweepAbandonedTemporaries(dir: string): void {
  removeAbandoned(dir, TEMPORARY, { recursive: true }).catch(() => {});
}
