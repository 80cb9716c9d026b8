// @module-tag integration
/**
 * The store's records as files in a local folder store: what a damaged pointer, manifest or history
 * entry leads to, the sentences of refused uploads and promotions, and the folder itself being unusable.
 */
import { mkdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../src/index.ts';
import { deadPid, expectRallyError, tempDir } from '@rally/testkit';
import { fakeModel } from './helpers.ts';

const A = fakeModel('records-a');
const B = fakeModel('records-b');
const C = fakeModel('records-c');
const D = fakeModel('records-d');
const T1 = new Date('2025-05-01T00:00:00.000Z');
const T2 = new Date('2025-05-02T00:00:00.000Z');
const T3 = new Date('2025-05-03T00:00:00.000Z');

let root: string;
let store: LocalFolderStore;

beforeEach(() => {
  root = join(tempDir('records'), 'store');
  store = new LocalFolderStore(root);
});

const historyFile = (at: Date | string, id: string) => join(root, 'history', `${(typeof at === 'string' ? at : at.toISOString()).replaceAll(':', '-')}-${id}.json`);

describe('the production pointer', () => {
  it.each([
    ['not JSON', '{"model_id":'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['a time without milliseconds', JSON.stringify({ model_id: A.id, promoted_at: '2025-05-01T00:00:00Z', previous_model_id: null })],
    ['an impossible date', JSON.stringify({ model_id: A.id, promoted_at: '2025-13-45T00:00:00.000Z', previous_model_id: null })],
    ['a previous model that is not an id', JSON.stringify({ model_id: A.id, promoted_at: '2025-05-01T00:00:00.000Z', previous_model_id: 'older' })],
    ['no previous model field', JSON.stringify({ model_id: A.id, promoted_at: '2025-05-01T00:00:00.000Z' })],
    ['a time that is a number', JSON.stringify({ model_id: A.id, promoted_at: 1, previous_model_id: null })],
  ])('%s is STORE_CORRUPTED, and nothing can be promoted over it', async (_label, text) => {
    await store.putModel(A.id, A.files);
    await writeFile(join(root, 'production.json'), text);
    const err = await expectRallyError(store.getProduction(), 'STORE_CORRUPTED');
    expect(err.message).toBe(`production.json in ${store.description} is not a valid production pointer.`);
    await expectRallyError(store.promote(A.id, T1), 'STORE_CORRUPTED');
    await expectRallyError(store.history(), 'STORE_CORRUPTED');
  });

  it('a pointer with a previous model reads back as written', async () => {
    const pointer = { model_id: A.id, promoted_at: '2025-05-01T00:00:00.000Z', previous_model_id: B.id };
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'production.json'), JSON.stringify({ ...pointer, extra: 'ignored' }));
    expect(await store.getProduction()).toEqual(pointer);
  });
});

describe('promote', () => {
  it.each([
    ['an invalid date', new Date('not a date')],
    ['not a date at all', '2025-05-01' as unknown as Date],
  ])('refuses %s as the promotion time', async (_label, when) => {
    await store.putModel(A.id, A.files);
    const err = await expectRallyError(store.promote(A.id, when), 'STORE_CONFIG');
    expect(err.message).toBe(`Cannot promote model ${A.id}: the promotion time is not a valid date.`);
    expect(await store.getProduction()).toBeNull();
  });

  it('refuses a time outside the years 0000-9999, also when it follows the current one', async () => {
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    const far = new Date('+010000-01-01T00:00:00.000Z');
    const err = await expectRallyError(store.promote(A.id, far), 'STORE_CONFIG');
    expect(err.message).toBe(`Cannot promote model ${A.id}: +010000-01-01T00:00:00.000Z is outside the supported years 0000-9999.`);
    const last = await store.promote(A.id, new Date('9999-12-31T23:59:59.999Z'));
    // The next promotion must come strictly later: past the last millisecond of year 9999.
    await expectRallyError(store.promote(B.id, T1), 'STORE_CONFIG');
    expect(await store.getProduction()).toEqual(last);
    expect(await store.history()).toEqual([last]);
  });

  it('refuses a model with a manifest whose artifact is missing, in one sentence', async () => {
    await store.putModel(A.id, A.files);
    await unlink(join(root, 'models', A.id, 'report.json'));
    const err = await expectRallyError(store.promote(A.id, T1), 'STORE_CORRUPTED');
    expect(err.message).toBe(`Model ${A.id} in ${store.description} has a manifest but its report.json is missing.`);
    await expectRallyError(store.getArtifact(A.id, 'report.json'), 'STORE_CORRUPTED');
    expect(await store.getProduction()).toBeNull();
  });
});

describe('unknown models', () => {
  it('an empty store says it has no models yet', async () => {
    const err = await expectRallyError(store.getChecksums(A.id), 'STORE_UNKNOWN_MODEL');
    expect(err.message).toBe(`Unknown model id ${A.id} in ${store.description}; the store has no models yet.`);
    expect(err.details).toEqual({ model_id: A.id, known: [] });
  });

  it('names up to three known ids, and how many there are beyond that', async () => {
    const known = [B, C, D].map((m) => m.id).sort();
    for (const m of [B, C]) await store.putModel(m.id, m.files);
    const two = await expectRallyError(store.promote(A.id), 'STORE_UNKNOWN_MODEL');
    expect(two.message).toBe(`Unknown model id ${A.id} in ${store.description}; known ids include ${[B.id, C.id].sort().join(', ')}.`);
    await store.putModel(D.id, D.files);
    const three = await expectRallyError(store.getArtifact(A.id, 'model.json'), 'STORE_UNKNOWN_MODEL');
    expect(three.message).toBe(`Unknown model id ${A.id} in ${store.description}; known ids include ${known.join(', ')}.`);
    const E = fakeModel('records-e');
    await store.putModel(E.id, E.files);
    const four = await expectRallyError(store.getChecksums(A.id), 'STORE_UNKNOWN_MODEL');
    const all = [...known, E.id].sort();
    expect(four.message).toBe(`Unknown model id ${A.id} in ${store.description}; known ids include ${all.slice(0, 3).join(', ')} (4 in total).`);
    expect(four.details).toEqual({ model_id: A.id, known: all });
  });

  it('lists at most ten known ids in the details', async () => {
    const many = Array.from({ length: 11 }, (_, i) => fakeModel(`many-${i}`));
    for (const m of many) await store.putModel(m.id, m.files);
    const err = await expectRallyError(store.getChecksums(A.id), 'STORE_UNKNOWN_MODEL');
    expect(err.details).toEqual({ model_id: A.id, known: many.map((m) => m.id).sort().slice(0, 10) });
    expect(err.message).toContain('(11 in total)');
  });

  it('lists only folders with a manifest named by an id', async () => {
    await store.putModel(A.id, A.files);
    await mkdir(join(root, 'models', 'not-an-id'), { recursive: true });
    await writeFile(join(root, 'models', 'not-an-id', 'checksums.json'), '{}');
    await mkdir(join(root, 'models', B.id));
    await writeFile(join(root, 'models', B.id, 'model.json'), B.files['model.json']);
    await writeFile(join(root, 'models', B.id, 'checksums.json.bak'), '{}');
    await writeFile(join(root, 'models', `${C.id}-checksums.json`), '{}');
    expect(await store.listModels()).toEqual([A.id]);
  });
});

describe('uploads', () => {
  it('refuses a model with an artifact missing, naming it', async () => {
    const { 'report.json': _report, ...partial } = A.files;
    const err = await expectRallyError(store.putModel(A.id, partial as typeof A.files), 'STORE_CORRUPTED');
    expect(err.message).toBe(`Cannot upload model ${A.id} to ${store.description}: report.json is missing.`);
    const asText = { ...A.files, 'dataset.csv': 'a,b\n' as unknown as Buffer };
    await expectRallyError(store.putModel(A.id, asText), 'STORE_CORRUPTED');
    await expectRallyError(store.putModel(A.id, undefined as unknown as typeof A.files), 'STORE_CORRUPTED');
    expect(await store.listModels()).toEqual([]);
  });

  it('says which id the model.json really has', async () => {
    const err = await expectRallyError(store.putModel(B.id, A.files), 'STORE_CHECKSUM_MISMATCH');
    expect(err.message).toBe(`Cannot upload model ${B.id} to ${store.description}: the sha256 of its model.json is ${A.id}, not the model id.`);
  });

  it('names every artifact that differs from the stored model', async () => {
    await store.putModel(A.id, A.files);
    const err = await expectRallyError(
      store.putModel(A.id, { ...A.files, 'dataset.csv': Buffer.from('x\n'), 'report.json': Buffer.from('{}') }),
      'STORE_CHECKSUM_MISMATCH',
    );
    expect(err.message).toBe(`Model ${A.id} is already in ${store.description} with a different dataset.csv and report.json, and stored models are immutable.`);
  });

  it('an unparsable manifest is STORE_CORRUPTED, for reads and uploads alike', async () => {
    await store.putModel(A.id, A.files);
    await writeFile(join(root, 'models', A.id, 'checksums.json'), JSON.stringify({ model_id: B.id, artifacts: {} }));
    const err = await expectRallyError(store.hasModel(A.id), 'STORE_CORRUPTED');
    expect(err.message).toBe(`The manifest checksums.json of model ${A.id} in ${store.description} cannot be parsed.`);
    await expectRallyError(store.putModel(A.id, A.files), 'STORE_CORRUPTED');
  });
});

describe('history', () => {
  async function threePromotions() {
    for (const m of [A, B, C]) await store.putModel(m.id, m.files);
    return [await store.promote(A.id, T1), await store.promote(B.id, T2), await store.promote(C.id, T3)];
  }

  it('a trimmed history returns the promotions still linked to production', async () => {
    const [, second, third] = await threePromotions();
    await unlink(historyFile(T1, A.id));
    expect(await store.history()).toEqual([second, third]);
    await unlink(historyFile(T3, C.id));
    expect(await store.history()).toEqual([]);
  });

  it('ignores files in history/ that are not promotion records by name', async () => {
    const all = await threePromotions();
    await writeFile(join(root, 'history', 'README.txt'), 'notes');
    await writeFile(join(root, 'history', `2025-05-01T00-00-00.000Z-${A.id}.json.bak`), 'x');
    await writeFile(join(root, 'history', `2025-05-01T00-00-00Z-${A.id}.json`), 'x');
    expect(await store.history()).toEqual(all);
  });

  it.each([
    ['not JSON', () => 'garbage'],
    ['a record of another promotion', () => JSON.stringify({ model_id: B.id, promoted_at: T2.toISOString(), previous_model_id: A.id, previous_promoted_at: T1.toISOString() })],
    ['a record without the time of its predecessor', () => JSON.stringify({ model_id: A.id, promoted_at: T1.toISOString(), previous_model_id: C.id, previous_promoted_at: null })],
    ['a record with a predecessor time but no predecessor', () => JSON.stringify({ model_id: A.id, promoted_at: T1.toISOString(), previous_model_id: null, previous_promoted_at: T3.toISOString() })],
    ['a record whose predecessor time is malformed', () => JSON.stringify({ model_id: A.id, promoted_at: T1.toISOString(), previous_model_id: C.id, previous_promoted_at: 'yesterday' })],
    ['a record that is not a pointer', () => JSON.stringify(['a', 'b'])],
  ])('an entry that is %s is STORE_CORRUPTED, naming it', async (_label, text) => {
    await threePromotions();
    await writeFile(historyFile(T1, A.id), text());
    const err = await expectRallyError(store.history(), 'STORE_CORRUPTED');
    expect(err.message).toBe(`History entry history/${T1.toISOString().replaceAll(':', '-')}-${A.id}.json in ${store.description} is not a valid promotion record.`);
  });

  it('follows a long history (more entries than are read at once) in promotion order', async () => {
    for (const m of [A, B]) await store.putModel(m.id, m.files);
    const promoted = [];
    for (let i = 0; i < 35; i++) promoted.push(await store.promote(i % 2 === 0 ? A.id : B.id, new Date(T1.getTime() + i * 60_000)));
    expect(await store.history()).toEqual(promoted);
  });

  it('a history entry that links back in a loop does not hang', async () => {
    const [first] = await threePromotions();
    // A's first record edited by hand to name C's promotion as its predecessor: a cycle.
    await writeFile(historyFile(T1, A.id), JSON.stringify({ ...first, previous_model_id: C.id, previous_promoted_at: T3.toISOString() }));
    const chain = await store.history();
    expect(chain.length).toBeLessThanOrEqual(4);
    expect(chain.at(-1)?.model_id).toBe(C.id);
  });
});

describe('an unusable store folder', () => {
  it('a file where the store folder should be reads as an empty store and refuses writes with STORE_CONFIG', async () => {
    await mkdir(join(root, '..'), { recursive: true });
    await writeFile(root, 'not a folder');
    expect(await store.getProduction()).toBeNull();
    expect(await store.listModels()).toEqual([]);
    expect(await store.history()).toEqual([]);
    const err = await expectRallyError(store.putModel(A.id, A.files), 'STORE_CONFIG');
    expect(err.message).toMatch(new RegExp(`^The ${store.description.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a usable folder: writing .+ failed with (ENOTDIR|EEXIST)\\.$`));
  });

  it('a folder where production.json should be is STORE_CONFIG when read', async () => {
    await mkdir(join(root, 'production.json'), { recursive: true });
    const err = await expectRallyError(store.getProduction(), 'STORE_CONFIG');
    expect(err.message).toBe(`The ${store.description} is not a usable folder: reading ${join(root, 'production.json')} failed with EISDIR.`);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('a file where a model folder should be is STORE_CONFIG (EEXIST) when written', async () => {
    await mkdir(join(root, 'models'), { recursive: true });
    await writeFile(join(root, 'models', A.id), 'a file');
    const err = await expectRallyError(store.putModel(A.id, A.files), 'STORE_CONFIG');
    expect(err.message).toMatch(/ is not a usable folder: writing .+ failed with EEXIST\.$/);
  });

  it('a folder where a model file should be is STORE_CONFIG when written', async () => {
    await mkdir(join(root, 'models', A.id, 'dataset.csv', 'inside'), { recursive: true });
    await expectRallyError(store.putModel(A.id, A.files), 'STORE_CONFIG');
    expect(await store.hasModel(A.id)).toBe(false);
  });
});

describe('a store folder the system refuses to change', () => {
  /** `chattr +i`: even root cannot create entries in the folder (EPERM). False where chattr is unavailable. */
  function makeImmutable(path: string, on: boolean): boolean {
    try {
      execFileSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  it('an upload into a folder that refuses writes is STORE_ACCESS_DENIED, naming the file', async ({ skip }) => {
    await store.putModel(A.id, A.files);
    const models = join(root, 'models');
    if (!makeImmutable(models, true)) skip('chattr is not available here');
    try {
      const err = await expectRallyError(store.putModel(B.id, B.files), 'STORE_ACCESS_DENIED');
      expect(err.message).toMatch(new RegExp(`^Permission denied writing ${join(models, B.id).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/[a-z.]+ in local folder .+ \\(EPERM\\)\\.$`));
      expect((err.cause as NodeJS.ErrnoException).code).toBe('EPERM');
      expect(await store.listModels()).toEqual([A.id]);
    } finally {
      makeImmutable(models, false);
    }
  });
});

describe('a store root the system refuses to change', () => {
  it('a promotion whose history folder cannot be made is one STORE_ACCESS_DENIED sentence, not a bare EPERM', async ({ skip }) => {
    await store.putModel(A.id, A.files);
    let immutable = false;
    try {
      execFileSync('chattr', ['+i', root], { stdio: 'ignore' });
      immutable = true;
    } catch {
      skip('chattr is not available here');
    }
    try {
      const err = await expectRallyError(store.promote(A.id, T1), 'STORE_ACCESS_DENIED');
      expect(err.message).toMatch(/^Permission denied locking .+ \(EPERM\)\.$/);
      expect(await store.getProduction()).toBeNull();
    } finally {
      if (immutable) execFileSync('chattr', ['-i', root], { stdio: 'ignore' });
    }
  });
});

describe('the promotion lock', () => {
  it('breaks a lock with no owner once it is old (its holder died before naming itself), and leaves no lock', async () => {
    await store.putModel(A.id, A.files);
    const lock = join(root, 'production.json.lock');
    await mkdir(lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const started = Date.now();
    expect((await store.promote(A.id, T1)).model_id).toBe(A.id);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(readFile(join(lock, 'owner'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('breaks an old lock even when it names this very process (a leftover of an earlier run with the same pid)', async () => {
    await store.putModel(A.id, A.files);
    const lock = join(root, 'production.json.lock');
    await mkdir(lock);
    await writeFile(join(lock, 'owner'), `${process.pid} 0123456789abcdef`);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect((await store.promote(A.id, T1)).model_id).toBe(A.id);
  });

  it.each([
    ['a live promotion as its owner', `${process.pid} 00000000deadbeef`],
    ['an owner that is not a pid (judged by age only)', 'nobody'],
    ['pid 0 (judged by age only)', '0 abc'],
    ['a fractional pid (judged by age only)', '1.5 abc'],
  ])('waits for a fresh lock with %s, then proceeds once it is gone', async (_label, owner) => {
    await store.putModel(A.id, A.files);
    const lock = join(root, 'production.json.lock');
    await mkdir(lock);
    await writeFile(join(lock, 'owner'), owner);
    let done = false;
    const promotion = store.promote(A.id, T1).finally(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(done).toBe(false);
    await rm(lock, { recursive: true });
    expect((await promotion).model_id).toBe(A.id);
  });

  it("waits while another waiter is breaking a dead promotion's lock, then proceeds", async () => {
    await store.putModel(A.id, A.files);
    const lock = join(root, 'production.json.lock');
    await mkdir(lock);
    await writeFile(join(lock, 'owner'), `${await deadPid()} 0123456789abcdef`);
    // A fresh breaker: someone else is removing the dead lock right now.
    await mkdir(`${lock}.break`);
    let done = false;
    const promotion = store.promote(A.id, T1).finally(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(done).toBe(false);
    expect(existsSync(`${lock}.break`)).toBe(true);
    await rm(`${lock}.break`, { recursive: true });
    expect((await promotion).model_id).toBe(A.id);
    expect(existsSync(lock)).toBe(false);
  });
});
