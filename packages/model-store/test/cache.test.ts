// @module-tag integration
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_TTL_MS } from '../src/cache.ts';
import { sha256Hex } from '@rally/model';
import { cacheFromEnv, LocalFolderStore, ModelCache, type ModelStore } from '../src/index.ts';
import { expectRallyError, tempDir } from '@rally/testkit';
import { fakeModel } from './helpers.ts';

const A = fakeModel('cache-a');
const HOUR = 60 * 60 * 1000;

/** Delegates to a real store and records every getArtifact call (no module mocking). */
function counting(inner: ModelStore): ModelStore & { downloads: string[] } {
  const downloads: string[] = [];
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'downloads') return downloads;
      if (prop === 'getArtifact') {
        return (id: string, name: Parameters<ModelStore['getArtifact']>[1]) => {
          downloads.push(`${id.slice(0, 8)}/${name}`);
          return target.getArtifact(id, name);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ModelStore & { downloads: string[] };
}

let root: string;
let store: ModelStore & { downloads: string[] };
let backing: LocalFolderStore;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  root = await tempDir('cache');
  backing = new LocalFolderStore(join(root, 'store'));
  await backing.putModel(A.id, A.files);
  store = counting(backing);
  clock = Date.parse('2025-05-01T00:00:00.000Z');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function cache(options: { ttlMs?: number; disabled?: boolean } = {}) {
  return new ModelCache({ dir: join(root, 'cache'), now, ...options });
}

describe('ModelCache', () => {
  it('downloads on a miss, then serves from disk without calling the store', async () => {
    const c = cache();
    expect((await c.fetch(store, A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
    expect((await c.fetch(store, A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
    expect(store.downloads).toEqual([`${A.id.slice(0, 8)}/model.json`]);
    // A new instance on the same folder (another process) also hits.
    expect((await cache().fetch(store, A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
    expect(store.downloads).toHaveLength(1);
    const meta = JSON.parse(await readFile(join(root, 'cache', A.id, 'model.json.meta.json'), 'utf8'));
    expect(meta).toEqual({ model_id: A.id, name: 'model.json', sha256: A.id, size: A.files['model.json'].byteLength, fetched_at: '2025-05-01T00:00:00.000Z' });
  });

  it('keeps artifacts apart', async () => {
    const c = cache();
    for (const name of ['model.json', 'dataset.csv', 'report.json'] as const) {
      expect((await c.fetch(store, A.id, name)).equals(A.files[name])).toBe(true);
      expect((await c.fetch(store, A.id, name)).equals(A.files[name])).toBe(true);
    }
    expect(store.downloads).toHaveLength(3);
  });

  it('downloads again once the TTL has expired', async () => {
    const c = cache({ ttlMs: HOUR });
    await c.fetch(store, A.id, 'dataset.csv');
    clock += HOUR - 1;
    await c.fetch(store, A.id, 'dataset.csv');
    expect(store.downloads).toHaveLength(1);
    clock += 1;
    expect((await c.fetch(store, A.id, 'dataset.csv')).equals(A.files['dataset.csv'])).toBe(true);
    expect(store.downloads).toHaveLength(2);
    // The refreshed entry is fresh again.
    await c.fetch(store, A.id, 'dataset.csv');
    expect(store.downloads).toHaveLength(2);
    // A clock that went backwards does not make an entry fresh forever.
    clock -= 2 * HOUR;
    await c.fetch(store, A.id, 'dataset.csv');
    expect(store.downloads).toHaveLength(3);
  });

  it.each([
    ['truncated', async (path: string) => truncate(path, 5)],
    ['altered, same size', async (path: string) => {
      const bytes = await readFile(path);
      bytes[0] ^= 0xff;
      await writeFile(path, bytes);
    }],
    ['emptied', async (path: string) => writeFile(path, '')],
    ['sidecar unparsable', async (path: string) => writeFile(`${path}.meta.json`, '{"sha256": ')],
    ['sidecar missing', async (path: string) => rm(`${path}.meta.json`)],
    ['artifact missing', async (path: string) => rm(path)],
  ])('discards a %s entry and downloads a correct copy', async (_label, damage) => {
    const c = cache();
    await c.fetch(store, A.id, 'dataset.csv');
    await damage(c.pathOf(A.id, 'dataset.csv'));
    const bytes = await c.fetch(store, A.id, 'dataset.csv');
    expect(bytes.equals(A.files['dataset.csv'])).toBe(true);
    expect(store.downloads).toHaveLength(2);
    // ...and the repaired entry is served again.
    expect((await readFile(c.pathOf(A.id, 'dataset.csv'))).equals(A.files['dataset.csv'])).toBe(true);
    await c.fetch(store, A.id, 'dataset.csv');
    expect(store.downloads).toHaveLength(2);
  });

  it('never serves a model.json that is not the model id, even with a matching sidecar', async () => {
    const c = cache();
    await c.fetch(store, A.id, 'model.json');
    const path = c.pathOf(A.id, 'model.json');
    const forged = Buffer.from('{"forged":true}');
    await writeFile(path, forged);
    const meta = JSON.parse(await readFile(`${path}.meta.json`, 'utf8'));
    await writeFile(`${path}.meta.json`, JSON.stringify({ ...meta, sha256: sha256Hex(forged), size: forged.length }));
    expect((await c.fetch(store, A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
    expect(store.downloads).toHaveLength(2);
  });

  it('always downloads when disabled and writes nothing', async () => {
    const c = cache({ disabled: true });
    await c.fetch(store, A.id, 'report.json');
    await c.fetch(store, A.id, 'report.json');
    expect(store.downloads).toHaveLength(2);
    await expect(stat(join(root, 'cache'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes atomically: only complete files, no temp files left, concurrent fetches share one download', async () => {
    const c = cache();
    const results = await Promise.all(Array.from({ length: 5 }, () => c.fetch(store, A.id, 'dataset.csv')));
    for (const bytes of results) expect(bytes.equals(A.files['dataset.csv'])).toBe(true);
    expect(store.downloads).toHaveLength(1);
    // Two independent caches (two processes) racing on the same folder both succeed.
    const [x, y] = await Promise.all([cache().fetch(store, A.id, 'report.json'), cache().fetch(store, A.id, 'report.json')]);
    expect(x.equals(A.files['report.json']) && y.equals(A.files['report.json'])).toBe(true);
    expect((await readdir(join(root, 'cache', A.id))).sort()).toEqual(['dataset.csv', 'dataset.csv.meta.json', 'report.json', 'report.json.meta.json']);
    // A leftover temp file from a crashed writer is never read as the entry.
    await writeFile(`${c.pathOf(A.id, 'model.json')}.tmp-123-abc`, 'partial');
    expect((await c.fetch(store, A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
  });

  it('caches nothing when the store download fails verification', async () => {
    await writeFile(join(backing.root, 'models', A.id, 'report.json'), 'tampered');
    const c = cache();
    await expectRallyError(c.fetch(store, A.id, 'report.json'), 'STORE_CHECKSUM_MISMATCH');
    await expect(stat(c.pathOf(A.id, 'report.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates ids and names before touching the disk', async () => {
    const c = cache();
    await expectRallyError(c.fetch(store, '../../etc', 'model.json'), 'STORE_UNKNOWN_MODEL');
    await expectRallyError(c.fetch(store, A.id, '../x' as 'model.json'), 'STORE_UNKNOWN_MODEL');
    expect(store.downloads).toHaveLength(0);
  });

  it('clear() drops entries', async () => {
    const c = cache();
    await c.fetch(store, A.id, 'model.json');
    await c.clear(A.id);
    await c.fetch(store, A.id, 'model.json');
    await c.clear();
    await c.fetch(store, A.id, 'model.json');
    expect(store.downloads).toHaveLength(3);
  });
});

describe('cacheFromEnv', () => {
  it('defaults to ./cache, 24 h, enabled', () => {
    const c = cacheFromEnv({}, '/srv/rally');
    expect(c.dir).toBe(join('/srv/rally', 'cache'));
    expect(c.ttlMs).toBe(DEFAULT_CACHE_TTL_MS);
    expect(c.ttlMs).toBe(86_400_000);
    expect(c.disabled).toBe(false);
  });

  it('reads CACHE_DIR, CACHE_TTL_SECONDS and CACHE_DISABLED', () => {
    const c = cacheFromEnv({ CACHE_DIR: 'tmp/models', CACHE_TTL_SECONDS: '60', CACHE_DISABLED: '1' }, '/srv/rally');
    expect(c.dir).toBe(join('/srv/rally', 'tmp', 'models'));
    expect(c.ttlMs).toBe(60_000);
    expect(c.disabled).toBe(true);
    expect(cacheFromEnv({ CACHE_DISABLED: '0' }).disabled).toBe(false);
    expect(cacheFromEnv({ CACHE_TTL_SECONDS: '0' }).ttlMs).toBe(0);
  });

  it.each([[{ CACHE_TTL_SECONDS: 'soon' }], [{ CACHE_TTL_SECONDS: '-5' }], [{ CACHE_DISABLED: 'maybe' }]])('rejects %o with STORE_CONFIG', async (env) => {
    await expectRallyError(() => cacheFromEnv(env), 'STORE_CONFIG');
  });
});
