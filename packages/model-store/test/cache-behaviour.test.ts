// @module-tag integration
/**
 * The download cache as a serving process sees it: which fetches reach the store, what a damaged or
 * foreign entry leads to, and that a cache that cannot be written never fails a download.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ArtifactName, WORKSPACE_ROOT } from '@rally/model';
import { cacheFromEnv, DEFAULT_CACHE_TTL_MS, LocalFolderStore, ModelCache, type ModelStore } from '../src/index.ts';
import { expectRallyError, tempDir } from '@rally/testkit';
import { fakeModel } from './helpers.ts';

const A = fakeModel('behaviour-a');
const B = fakeModel('behaviour-b');

/** A real store whose downloads are counted, and which can be told to fail the next ones. */
function observed(inner: ModelStore) {
  const calls: string[] = [];
  let failures = 0;
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'getArtifact') {
        return async (id: string, name: ArtifactName) => {
          calls.push(`${id === A.id ? 'A' : 'B'}/${name}`);
          if (failures > 0) {
            failures--;
            throw new Error('injected download failure');
          }
          return target.getArtifact(id, name);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ModelStore;
  return { store, calls, failNext: (n = 1) => (failures = n) };
}

let root: string;
let backing: LocalFolderStore;
let clock: number;

beforeEach(async () => {
  root = tempDir('cache-behaviour');
  backing = new LocalFolderStore(join(root, 'store'));
  await backing.putModel(A.id, A.files);
  await backing.putModel(B.id, B.files);
  clock = Date.parse('2025-06-01T12:00:00.000Z');
});

function cache(options: { ttlMs?: number; disabled?: boolean } = {}) {
  return new ModelCache({ dir: join(root, 'cache'), now: () => clock, ...options });
}

async function rewriteSidecar(c: ModelCache, id: string, name: ArtifactName, change: Record<string, unknown>) {
  const path = `${c.pathOf(id, name)}.meta.json`;
  await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), ...change }));
}

describe('ModelCache: hits and misses', () => {
  it('a miss downloads once and keeps the bytes; the next fetch is a hit', async () => {
    const { store, calls } = observed(backing);
    const c = cache();
    expect((await c.fetch(store, B.id, 'report.json')).equals(B.files['report.json'])).toBe(true);
    expect((await c.fetch(store, B.id, 'report.json')).equals(B.files['report.json'])).toBe(true);
    expect(calls).toEqual(['B/report.json']);
    expect((await readFile(c.pathOf(B.id, 'report.json'))).equals(B.files['report.json'])).toBe(true);
  });

  it('entries of different models never stand in for each other', async () => {
    const { store, calls } = observed(backing);
    const c = cache();
    expect((await c.fetch(store, A.id, 'dataset.csv')).equals(A.files['dataset.csv'])).toBe(true);
    expect((await c.fetch(store, B.id, 'dataset.csv')).equals(B.files['dataset.csv'])).toBe(true);
    expect(calls).toEqual(['A/dataset.csv', 'B/dataset.csv']);
  });

  it('a TTL of 0 means every fetch downloads again', async () => {
    const { store, calls } = observed(backing);
    const c = cache({ ttlMs: 0 });
    await c.fetch(store, A.id, 'model.json');
    await c.fetch(store, A.id, 'model.json');
    expect(calls).toHaveLength(2);
  });

  it('with the default TTL and clock, a fresh entry is served for a day', async () => {
    const { store, calls } = observed(backing);
    const c = new ModelCache({ dir: join(root, 'real-clock') });
    expect(c.ttlMs).toBe(DEFAULT_CACHE_TTL_MS);
    expect(c.disabled).toBe(false);
    await c.fetch(store, A.id, 'report.json');
    await c.fetch(store, A.id, 'report.json');
    expect(calls).toHaveLength(1);
    const meta = JSON.parse(await readFile(`${c.pathOf(A.id, 'report.json')}.meta.json`, 'utf8'));
    expect(Math.abs(Date.parse(meta.fetched_at) - Date.now())).toBeLessThan(60_000);
  });

  it("is a folder named 'cache' in the current directory by default", () => {
    expect(new ModelCache().dir).toBe(resolve('cache'));
    expect(new ModelCache().pathOf(A.id, 'model.json')).toBe(join(resolve('cache'), A.id, 'model.json'));
  });
});

describe('ModelCache: entries that must not be served', () => {
  it.each([
    ['of another model', { model_id: B.id }],
    ['of another artifact', { name: 'report.json' }],
    ['with another size', { size: 1 }],
    ['with another sha256', { sha256: '0'.repeat(64) }],
    ['with no fetch time', { fetched_at: 12345 }],
    ['with an unreadable fetch time', { fetched_at: 'yesterday' }],
    ['fetched in the future', { fetched_at: '2025-06-01T13:00:00.000Z' }],
  ])('an entry whose sidecar says it is %s is downloaded again', async (_label, change) => {
    const { store, calls } = observed(backing);
    const c = cache();
    await c.fetch(store, A.id, 'dataset.csv');
    await rewriteSidecar(c, A.id, 'dataset.csv', change);
    expect((await c.fetch(store, A.id, 'dataset.csv')).equals(A.files['dataset.csv'])).toBe(true);
    expect(calls).toHaveLength(2);
    // Repaired: served again without a download.
    await c.fetch(store, A.id, 'dataset.csv');
    expect(calls).toHaveLength(2);
  });

  it('a sidecar that is not an object is downloaded again', async () => {
    const { store, calls } = observed(backing);
    const c = cache();
    await c.fetch(store, A.id, 'report.json');
    await writeFile(`${c.pathOf(A.id, 'report.json')}.meta.json`, 'null');
    expect((await c.fetch(store, A.id, 'report.json')).equals(A.files['report.json'])).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('a damaged entry is removed even when the download that should replace it fails', async () => {
    const { store, failNext } = observed(backing);
    const c = cache();
    await c.fetch(store, A.id, 'dataset.csv');
    const path = c.pathOf(A.id, 'dataset.csv');
    await writeFile(path, 'garbage of another length');
    failNext();
    await expect(c.fetch(store, A.id, 'dataset.csv')).rejects.toThrow('injected download failure');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.meta.json`)).toBe(false);
  });

  it('an expired entry is refreshed, not dropped: a failed refresh leaves it on disk, the next fetch downloads again', async () => {
    const { store, calls, failNext } = observed(backing);
    const c = cache({ ttlMs: 1000 });
    await c.fetch(store, A.id, 'dataset.csv');
    clock += 1000;
    failNext();
    await expect(c.fetch(store, A.id, 'dataset.csv')).rejects.toThrow('injected download failure');
    expect(existsSync(c.pathOf(A.id, 'dataset.csv'))).toBe(true);
    expect((await c.fetch(store, A.id, 'dataset.csv')).equals(A.files['dataset.csv'])).toBe(true);
    expect(calls).toHaveLength(3);
  });
});

describe('ModelCache: concurrency and failures', () => {
  it('concurrent fetches share one download per artifact, and only per artifact', async () => {
    const { store, calls } = observed(backing);
    const c = cache();
    const [a1, a2, b1, aReport] = await Promise.all([
      c.fetch(store, A.id, 'dataset.csv'),
      c.fetch(store, A.id, 'dataset.csv'),
      c.fetch(store, B.id, 'dataset.csv'),
      c.fetch(store, A.id, 'report.json'),
    ]);
    expect(a1.equals(A.files['dataset.csv']) && a2.equals(A.files['dataset.csv'])).toBe(true);
    expect(b1.equals(B.files['dataset.csv'])).toBe(true);
    expect(aReport.equals(A.files['report.json'])).toBe(true);
    expect(calls.sort()).toEqual(['A/dataset.csv', 'A/report.json', 'B/dataset.csv']);
  });

  it('a failed download is shared by the fetches waiting on it, and the next fetch tries again', async () => {
    const { store, calls, failNext } = observed(backing);
    const c = cache();
    failNext();
    const results = await Promise.allSettled([c.fetch(store, A.id, 'model.json'), c.fetch(store, A.id, 'model.json')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toHaveLength(1);
    expect((await c.fetch(store, A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('a disabled cache downloads on every fetch, concurrent ones too, and writes nothing', async () => {
    const { store, calls } = observed(backing);
    const c = cache({ disabled: true });
    await Promise.all([c.fetch(store, A.id, 'model.json'), c.fetch(store, A.id, 'model.json')]);
    expect(calls).toHaveLength(2);
    expect(existsSync(join(root, 'cache'))).toBe(false);
  });

  it('a disabled cache still refuses bad ids and names', async () => {
    const { store, calls } = observed(backing);
    const c = cache({ disabled: true });
    await expectRallyError(c.fetch(store, 'not-an-id', 'model.json'), 'STORE_UNKNOWN_MODEL');
    await expectRallyError(c.fetch(store, A.id, 'notes.txt' as ArtifactName), 'STORE_UNKNOWN_MODEL');
    expect(calls).toHaveLength(0);
  });

  it('a cache folder that cannot be written does not fail the download', async () => {
    const { store, calls } = observed(backing);
    // A file where the cache folder should be.
    const blocked = join(root, 'blocked');
    await writeFile(blocked, 'not a folder');
    const c = new ModelCache({ dir: blocked, now: () => clock });
    expect((await c.fetch(store, A.id, 'report.json')).equals(A.files['report.json'])).toBe(true);
    expect((await c.fetch(store, A.id, 'report.json')).equals(A.files['report.json'])).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('clear(id) drops that model only; it refuses what is not an id', async () => {
    const { store, calls } = observed(backing);
    const c = cache();
    await c.fetch(store, A.id, 'model.json');
    await c.fetch(store, B.id, 'model.json');
    await c.clear(A.id);
    await c.fetch(store, A.id, 'model.json');
    await c.fetch(store, B.id, 'model.json');
    expect(calls).toEqual(['A/model.json', 'B/model.json', 'A/model.json']);
    await expectRallyError(c.clear('..'), 'STORE_UNKNOWN_MODEL');
    expect(existsSync(c.pathOf(B.id, 'model.json'))).toBe(true);
  });

  it('clearing what was never cached is not an error', async () => {
    const c = cache();
    await c.clear(A.id);
    await c.clear();
    expect(existsSync(join(root, 'cache'))).toBe(false);
  });

  it('pathOf refuses what is not an id or an artifact', async () => {
    const c = cache();
    await expectRallyError(() => c.pathOf('../x', 'model.json'), 'STORE_UNKNOWN_MODEL');
    await expectRallyError(() => c.pathOf(A.id, 'checksums.json' as ArtifactName), 'STORE_UNKNOWN_MODEL');
  });
});

describe('ModelCache: settings', () => {
  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('refuses a TTL of %s ms in one sentence', async (ttlMs) => {
    const err = await expectRallyError(() => new ModelCache({ ttlMs }), 'STORE_CONFIG');
    expect(err.message).toBe(`The cache TTL must be a non-negative number of milliseconds, got ${ttlMs}.`);
  });

  it('cacheFromEnv reads the usual spellings of yes and no, and fractional seconds', () => {
    for (const yes of ['1', 'true', 'TRUE', ' yes ', 'Yes']) expect(cacheFromEnv({ CACHE_DISABLED: yes }, '/srv').disabled, yes).toBe(true);
    for (const no of ['', '0', 'false', 'no', ' NO ', '  ']) expect(cacheFromEnv({ CACHE_DISABLED: no }, '/srv').disabled, no).toBe(false);
    expect(cacheFromEnv({ CACHE_TTL_SECONDS: ' 1.5 ' }, '/srv').ttlMs).toBe(1500);
    expect(cacheFromEnv({ CACHE_TTL_SECONDS: '0.25' }, '/srv').ttlMs).toBe(250);
    expect(cacheFromEnv({ CACHE_TTL_SECONDS: '  ' }, '/srv').ttlMs).toBe(DEFAULT_CACHE_TTL_MS);
    expect(cacheFromEnv({ CACHE_DIR: '  ' }, '/srv').dir).toBe(join('/srv', 'cache'));
    expect(cacheFromEnv({ CACHE_DIR: ' /abs/cache ' }, '/srv').dir).toBe('/abs/cache');
    expect(cacheFromEnv({}).dir).toBe(join(WORKSPACE_ROOT, 'cache'));
  });

  it('cacheFromEnv says which setting is wrong and what it accepts', async () => {
    // The value quoted as every setting's refusal quotes it (@rally/settings): cut at 60 characters.
    const shown = (raw: string) => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
    for (const raw of ['soon', '-5', '1e3', '1..5', '9'.repeat(400)]) {
      const err = await expectRallyError(() => cacheFromEnv({ CACHE_TTL_SECONDS: raw }), 'STORE_CONFIG');
      expect(err.message).toBe(`CACHE_TTL_SECONDS must be a number of seconds from 0 to 31536000, got ${shown(raw)}.`);
    }
    // A fraction is seconds too, as for every other setting in seconds.
    expect(cacheFromEnv({ CACHE_TTL_SECONDS: '.5' }).ttlMs).toBe(500);
    const err = await expectRallyError(() => cacheFromEnv({ CACHE_DISABLED: 'Maybe' }), 'STORE_CONFIG');
    expect(err.message).toBe('CACHE_DISABLED must be 1 or 0 (or true/false, yes/no), got "Maybe".');
  });
});
