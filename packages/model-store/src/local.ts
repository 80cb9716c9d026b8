import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { RallyError } from '@rally/errors';
import { isProcessAlive, sha256Hex } from '@rally/model';
import { sweepAbandonedTemporaries, TEMP_MARKER, writeFileAtomic } from './atomic.ts';
import { ObjectModelStore } from './store.ts';

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** One sentence for a file-system failure inside the store folder. */
function localError(error: unknown, action: string, path: string, description: string): unknown {
  if (error instanceof RallyError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new RallyError('STORE_ACCESS_DENIED', `Permission denied ${action} ${path} in ${description} (${code}).`, { cause: error });
  }
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
    return new RallyError('STORE_CONFIG', `The ${description} is not a usable folder: ${action} ${path} failed with ${code}.`, { cause: error });
  }
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  return new RallyError('STORE_UNREACHABLE', `Failed ${action} ${path} in ${description} (${reason}).`, { cause: error });
}

/**
 * The store as a folder on disk. Every write is atomic (temp file + fsync + rename), the folder is
 * created on first write, and a missing folder reads as an empty store.
 */
export class LocalFolderStore extends ObjectModelStore {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
    this.description = `local folder ${this.root}`;
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  protected async readObject(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw localError(error, 'reading', this.pathOf(key), this.description);
    }
  }

  /** Temporary files of processes killed mid-write are swept once, in the background, from this store's first write. */
  private cleared = false;

  protected async writeObject(key: string, body: Buffer, _contentType?: string): Promise<void> {
    if (!this.cleared) {
      this.cleared = true;
      sweepAbandonedTemporaries(this.root);
    }
    try {
      await writeFileAtomic(this.pathOf(key), body);
    } catch (error) {
      throw localError(error, 'writing', this.pathOf(key), this.description);
    }
  }

  /** The version is the sha256 of the bytes. */
  protected async readObjectVersioned(key: string): Promise<{ bytes: Buffer; version: string } | null> {
    const bytes = await this.readObject(key);
    return bytes === null ? null : { bytes, version: sha256Hex(bytes) };
  }

  /** Compare-and-swap under a lock folder (`<file>.lock`, mkdir is atomic), so other processes wait their turn. */
  protected async writeObjectIf(key: string, body: Buffer, contentType: string, expected: string | null): Promise<boolean> {
    const path = this.pathOf(key);
    return withLockFolder(`${path}.lock`, this.description, async () => {
      const current = await this.readObjectVersioned(key);
      if ((current?.version ?? null) !== expected) return false;
      await this.writeObject(key, body, contentType);
      return true;
    });
  }

  protected async deleteObject(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
    } catch (error) {
      throw localError(error, 'deleting', this.pathOf(key), this.description);
    }
  }

  protected async listKeys(prefix: string): Promise<string[]> {
    // Prefixes used by the store always end with '/', i.e. name a folder.
    const folder = prefix.replace(/\/+$/, '');
    let entries;
    try {
      entries = await readdir(this.pathOf(folder), { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return [];
      throw localError(error, 'listing', this.pathOf(folder), this.description);
    }
    const base = this.pathOf(folder);
    const keys: string[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.includes(TEMP_MARKER)) continue;
      const relative = join(entry.parentPath, entry.name).slice(base.length + 1).split(/[\\/]/).join('/');
      keys.push(`${folder}/${relative}`);
    }
    return keys;
  }
}

/** A lock older than this is left over from a process that died holding it. */
const LOCK_STALE_MS = 30_000;
/** Longest wait for a lock before giving up. */
const LOCK_WAIT_MS = 15_000;

/**
 * Runs `action` holding the lock folder `lock` (mkdir is atomic; an `owner` file inside names the
 * holder: its pid and a token of this call). A lock whose owner is no longer alive, or older than
 * LOCK_STALE_MS, is broken; see breakStaleLock. On the way out only our own lock is removed.
 */
async function withLockFolder<T>(lock: string, description: string, action: () => Promise<T>): Promise<T> {
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // The lock's folder is missing: make it (a store folder that cannot hold it is one sentence too).
        await mkdir(join(lock, '..'), { recursive: true }).catch((parentError: unknown) => {
          throw localError(parentError, 'locking', lock, description);
        });
        continue;
      }
      if (code !== 'EEXIST') throw localError(error, 'locking', lock, description);
      // A stale lock is broken at once; while another waiter is breaking it, wait like any waiter
      // (and within the same deadline) instead of trying again at once.
      if ((await isStaleLock(lock)) && (await breakStaleLock(lock))) continue;
      if (Date.now() > deadline) {
        throw new RallyError('STORE_CONFLICT', `${lock} in ${description} stayed locked for ${LOCK_WAIT_MS / 1000} s by another promotion; try again.`);
      }
      await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
  }
  try {
    await writeFile(join(lock, 'owner'), token);
    return await action();
  } finally {
    if ((await readOwner(lock)) === token) await rm(lock, { recursive: true, force: true });
  }
}

async function readOwner(lock: string): Promise<string | null> {
  try {
    return await readFile(join(lock, 'owner'), 'utf8');
  } catch {
    return null;
  }
}

/**
 * Removes a stale lock, one breaker at a time (`<lock>.break`, itself a mkdir lock), re-checking
 * it is still stale once the breaker is held: two waiters that both saw the dead owner's lock must
 * not both remove it, the second one removing the lock the first has taken meanwhile.
 */
/** True when this call broke the lock (or cleared a dead breaker's leftover): try again at once; false while another waiter is breaking it. */
async function breakStaleLock(lock: string): Promise<boolean> {
  const breaker = `${lock}.break`;
  try {
    await mkdir(breaker);
  } catch {
    // Another waiter is breaking it (or died doing so: its breaker is then old, remove it).
    if (!(await isOlderThan(breaker, LOCK_STALE_MS))) return false;
    await rm(breaker, { recursive: true, force: true });
    return true;
  }
  try {
    if (await isStaleLock(lock)) await rm(lock, { recursive: true, force: true });
  } finally {
    await rm(breaker, { recursive: true, force: true });
  }
  return true;
}

async function isStaleLock(lock: string): Promise<boolean> {
  const owner = Number((await readOwner(lock))?.split(' ')[0]);
  // Without an owner file yet, the holder is between mkdir and writing it: judge by age.
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !isProcessAlive(owner)) return true;
  return isOlderThan(lock, LOCK_STALE_MS);
}

async function isOlderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false; // gone meanwhile
  }
}
