import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RallyError } from '@rally/errors';
import { sweepAbandonedTemporaries, writeFileAtomic } from './atomic.ts';
import { type ArtifactName, assertArtifactName, assertModelId, sha256Hex, WORKSPACE_ROOT } from '@rally/model';
import type { ModelStore } from './store.ts';
import { settingsReader } from '@rally/settings';

export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export interface ModelCacheOptions {
  /** Cache folder (resolved against the current directory). Default 'cache'. */
  dir?: string;
  /** How long an entry is served without downloading again. Default 24 h. */
  ttlMs?: number;
  /** Always download, never read or write the folder. */
  disabled?: boolean;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

/** Sidecar `<name>.meta.json` next to each cached artifact. */
export interface CacheEntryMeta {
  model_id: string;
  name: ArtifactName;
  sha256: string;
  size: number;
  fetched_at: string;
}

/**
 * Local download cache for model artifacts: `<dir>/<id>/<name>` plus `<dir>/<id>/<name>.meta.json`.
 * An entry is served while younger than `ttlMs` and only if its bytes still match the sidecar's
 * sha256 and size (and, for model.json, the model id); anything else is discarded and downloaded
 * again through `store.getArtifact` (which verifies against the store's manifest). Files are written
 * atomically (temp + rename), the artifact before its sidecar. The production pointer is
 * deliberately not cached: read it with `store.getProduction()` each time.
 */
export class ModelCache {
  readonly dir: string;
  readonly ttlMs: number;
  readonly disabled: boolean;
  private readonly now: () => number;
  /** Concurrent fetches of one artifact in this process share a single download. */
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  /** Temporary files of processes killed mid-write are swept once, in the background, from the first write. */
  private cleared = false;

  constructor({ dir = 'cache', ttlMs = DEFAULT_CACHE_TTL_MS, disabled = false, now = () => Date.now() }: ModelCacheOptions = {}) {
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RallyError('STORE_CONFIG', `The cache TTL must be a non-negative number of milliseconds, got ${ttlMs}.`);
    this.dir = resolve(dir);
    this.ttlMs = ttlMs;
    this.disabled = disabled;
    this.now = now;
  }

  /** Path of the cached artifact (whether or not it exists). */
  pathOf(id: string, name: ArtifactName): string {
    assertModelId(id);
    assertArtifactName(name);
    return join(this.dir, id, name);
  }

  async fetch(store: ModelStore, id: string, name: ArtifactName): Promise<Buffer> {
    assertModelId(id);
    assertArtifactName(name);
    if (this.disabled) return store.getArtifact(id, name);
    const key = `${id}/${name}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const promise = (async () => {
      const cached = await this.readFresh(id, name);
      if (cached) return cached;
      const bytes = await store.getArtifact(id, name);
      await this.write(id, name, bytes);
      return bytes;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /** Removes one model's entries, or the whole cache. */
  async clear(id?: string): Promise<void> {
    if (id !== undefined) assertModelId(id);
    await rm(id === undefined ? this.dir : join(this.dir, id), { recursive: true, force: true });
  }

  private async readFresh(id: string, name: ArtifactName): Promise<Buffer | null> {
    const path = this.pathOf(id, name);
    let meta: CacheEntryMeta;
    let bytes: Buffer;
    try {
      meta = JSON.parse(await readFile(`${path}.meta.json`, 'utf8')) as CacheEntryMeta;
      bytes = await readFile(path);
    } catch {
      return null; // absent, or unreadable: download again and overwrite
    }
    const fetchedAt = typeof meta?.fetched_at === 'string' ? Date.parse(meta.fetched_at) : Number.NaN;
    const age = this.now() - fetchedAt;
    if (!(age >= 0 && age < this.ttlMs)) return null; // expired (or clock went backwards): refresh
    const sha = sha256Hex(bytes);
    const intact =
      meta.model_id === id && meta.name === name && meta.sha256 === sha && meta.size === bytes.byteLength && (name !== 'model.json' || sha === id);
    if (!intact) {
      await this.discard(path);
      return null;
    }
    return bytes;
  }

  private async discard(path: string): Promise<void> {
    await rm(`${path}.meta.json`, { force: true }).catch(() => {});
    await rm(path, { force: true }).catch(() => {});
  }

  private async write(id: string, name: ArtifactName, bytes: Buffer): Promise<void> {
    const path = this.pathOf(id, name);
    const meta: CacheEntryMeta = { model_id: id, name, sha256: sha256Hex(bytes), size: bytes.byteLength, fetched_at: new Date(this.now()).toISOString() };
    if (!this.cleared) {
      this.cleared = true;
      sweepAbandonedTemporaries(this.dir);
    }
    try {
      await writeFileAtomic(path, bytes);
      await writeFileAtomic(`${path}.meta.json`, Buffer.from(`${JSON.stringify(meta, null, 2)}\n`));
    } catch {
      // A cache that cannot be written (read-only disk, full disk) must not fail the download.
    }
  }
}

/**
 * The cache configured by CACHE_DIR (default 'cache', relative to the workspace root like
 * MODEL_STORE), CACHE_TTL_SECONDS (default 86400) and CACHE_DISABLED=1.
 */
/** A year: a cached model is looked at again at least that often. */
const MAX_CACHE_TTL_SECONDS = 365 * 24 * 3600;

export function cacheFromEnv(env: NodeJS.ProcessEnv = process.env, base: string = WORKSPACE_ROOT): ModelCache {
  const settings = settingsReader(env, 'STORE_CONFIG');
  const ttlMs = settings.secondsAsMs('CACHE_TTL_SECONDS', DEFAULT_CACHE_TTL_MS / 1000, 0, MAX_CACHE_TTL_SECONDS);
  const disabled = settings.flag('CACHE_DISABLED', false);
  return new ModelCache({ dir: resolve(base, settings.text('CACHE_DIR') ?? 'cache'), ttlMs, disabled });
}
