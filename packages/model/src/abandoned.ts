import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Whether a process with this pid exists (on this machine). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what writers killed mid-write left in `dir` (with `recursive`, below it too): entries whose
 * name matches `pattern`, the writer's pid in its first group, when that process is no longer alive.
 * A live writer's entries are left alone. Best effort: a missing folder is nothing to clean. Returns
 * the paths removed.
 */
export async function removeAbandoned(dir: string, pattern: RegExp, options: { recursive?: boolean } = {}): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: options.recursive ?? false, withFileTypes: true });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = pattern.exec(entry.name);
    if (!match || isProcessAlive(Number(match[1]))) continue;
    const path = join(entry.parentPath, entry.name);
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
