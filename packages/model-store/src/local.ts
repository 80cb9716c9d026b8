import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RallyError } from '@rally/errors';
import { TEMP_MARKER, writeFileAtomic } from './atomic.ts';
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

  protected async writeObject(key: string, body: Buffer, _contentType?: string): Promise<void> {
    try {
      await writeFileAtomic(this.pathOf(key), body);
    } catch (error) {
      throw localError(error, 'writing', this.pathOf(key), this.description);
    }
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
