// @module-tag integration
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '@rally/model';
import { deployRun, LocalFolderStore, type ModelStore, rollback, S3ModelStore } from '../src/index.ts';
import { S3_BUCKET, expectRallyError, type RunningS3, S3RVER_CREDENTIALS, startS3, tempDir } from '@rally/testkit';
import { realModel, writeRunFolder } from './helpers.ts';

/** 'write'/'delete' fail before acting; 'lost' lets a conditional write act, then fails (its answer lost). */
type FailOn = (key: string, op: 'write' | 'delete' | 'lost') => boolean;

/** Test doubles by subclassing (dependency injection, no module mocking): writes/deletes matching `failOn` throw. */
class FlakyLocalStore extends LocalFolderStore {
  private readonly failOn?: FailOn;
  private readonly afterPointerRead?: () => Promise<void>;
  constructor(root: string, failOn?: FailOn, afterPointerRead?: () => Promise<void>) {
    super(root);
    this.failOn = failOn;
    this.afterPointerRead = afterPointerRead;
  }
  protected override async writeObject(key: string, body: Buffer, contentType: string): Promise<void> {
    if (this.failOn?.(key, 'write')) throw new Error(`injected failure writing ${key}`);
    return super.writeObject(key, body, contentType);
  }
  protected override async deleteObject(key: string): Promise<void> {
    if (this.failOn?.(key, 'delete')) throw new Error(`injected failure deleting ${key}`);
    return super.deleteObject(key);
  }
  protected override async readObjectVersioned(key: string): Promise<{ bytes: Buffer; version: string } | null> {
    const read = await super.readObjectVersioned(key);
    if (key === 'production.json') await this.afterPointerRead?.();
    return read;
  }
  protected override async writeObjectIf(key: string, body: Buffer, contentType: string, expected: string | null): Promise<boolean> {
    if (this.failOn?.(key, 'write')) throw new Error(`injected failure writing ${key}`);
    const written = await super.writeObjectIf(key, body, contentType, expected);
    if (this.failOn?.(key, 'lost')) throw new Error(`injected lost answer writing ${key}`);
    return written;
  }
}

class FlakyS3Store extends S3ModelStore {
  private readonly failOn?: FailOn;
  private readonly afterPointerRead?: () => Promise<void>;
  constructor(options: ConstructorParameters<typeof S3ModelStore>[0], failOn?: FailOn, afterPointerRead?: () => Promise<void>) {
    super(options);
    this.failOn = failOn;
    this.afterPointerRead = afterPointerRead;
  }
  protected override async writeObject(key: string, body: Buffer, contentType: string): Promise<void> {
    if (this.failOn?.(key, 'write')) throw new Error(`injected failure writing ${key}`);
    return super.writeObject(key, body, contentType);
  }
  protected override async deleteObject(key: string): Promise<void> {
    if (this.failOn?.(key, 'delete')) throw new Error(`injected failure deleting ${key}`);
    return super.deleteObject(key);
  }
  protected override async readObjectVersioned(key: string): Promise<{ bytes: Buffer; version: string } | null> {
    const read = await super.readObjectVersioned(key);
    if (key === 'production.json') await this.afterPointerRead?.();
    return read;
  }
  protected override async writeObjectIf(key: string, body: Buffer, contentType: string, expected: string | null): Promise<boolean> {
    if (this.failOn?.(key, 'write')) throw new Error(`injected failure writing ${key}`);
    const written = await super.writeObjectIf(key, body, contentType, expected);
    if (this.failOn?.(key, 'lost')) throw new Error(`injected lost answer writing ${key}`);
    return written;
  }
}

/** One backend under test: a fresh, empty store location per `location()` call. */
interface Backend {
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A new empty location. */
  location(): Promise<string>;
  /** A store on `location`, optionally failing on some keys. */
  open(location: string, failOn?: FailOn, afterPointerRead?: () => Promise<void>): ModelStore & { close(): Promise<void> };
  /** Overwrites an object behind the store's back (key relative to the store root). */
  tamper(location: string, key: string, bytes: Buffer): Promise<void>;
}

function localBackend(): Backend {
  let base = '';
  let counter = 0;
  return {
    async setup() {
      base = await tempDir('store');
    },
    async teardown() {
      await rm(base, { recursive: true, force: true });
    },
    async location() {
      return join(base, `store-${++counter}`);
    },
    open: (location, failOn, afterPointerRead) => new FlakyLocalStore(location, failOn, afterPointerRead),
    async tamper(location, key, bytes) {
      await writeFile(join(location, ...key.split('/')), bytes);
    },
  };
}

function s3Backend(): Backend {
  let server: RunningS3;
  let counter = 0;
  let admin: S3ModelStore;
  return {
    async setup() {
      server = await startS3();
      admin = new S3ModelStore({ bucket: S3_BUCKET, endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS });
    },
    async teardown() {
      await admin.close();
      await server.close();
    },
    async location() {
      return `suite/run-${++counter}`;
    },
    open: (prefix, failOn, afterPointerRead) => new FlakyS3Store({ bucket: S3_BUCKET, prefix, endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS }, failOn, afterPointerRead),
    async tamper(prefix, key, bytes) {
      // A plain PutObject overwrite with the SDK, bypassing the store.
      await admin.client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${prefix}/${key}`, Body: bytes }));
    },
  };
}

const A = await realModel(1);
const B = await realModel(2);
const C = await realModel(3);
const T1 = new Date('2025-03-01T10:00:00.000Z');
const T2 = new Date('2025-03-02T10:00:00.000Z');
const T3 = new Date('2025-03-03T10:00:00.000Z');

describe.each([
  ['local folder', localBackend()],
  ['s3 (s3rver)', s3Backend()],
] as const)('model store: %s', (_name, backend) => {
  let location: string;
  let store: ModelStore & { close(): Promise<void> };
  const opened: { close(): Promise<void> }[] = [];
  const open = (failOn?: FailOn, afterPointerRead?: () => Promise<void>) => {
    const s = backend.open(location, failOn, afterPointerRead);
    opened.push(s);
    return s;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    location = await backend.location();
    store = open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('starts empty', async () => {
    expect(await store.listModels()).toEqual([]);
    expect(await store.getProduction()).toBeNull();
    expect(await store.history()).toEqual([]);
    expect(await store.hasModel(A.id)).toBe(false);
    await expectRallyError(store.getArtifact(A.id, 'model.json'), 'STORE_UNKNOWN_MODEL');
  });

  it('puts, lists and gets models byte for byte, idempotently', async () => {
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    await store.putModel(A.id, A.files); // same bytes: no-op
    expect(await store.hasModel(A.id)).toBe(true);
    expect(await store.hasModel(C.id)).toBe(false);
    expect(await store.listModels()).toEqual([A.id, B.id].sort());
    for (const name of ['model.json', 'dataset.csv', 'report.json'] as const) {
      expect((await store.getArtifact(B.id, name)).equals(B.files[name])).toBe(true);
    }
    const checksums = await store.getChecksums(A.id);
    expect(checksums.model_id).toBe(A.id);
    expect(checksums.artifacts['dataset.csv']).toEqual({ sha256: sha256Hex(A.files['dataset.csv']), size: A.files['dataset.csv'].byteLength });
    expect(checksums.artifacts['model.json'].sha256).toBe(A.id);
  });

  it('refuses to overwrite a stored model with different bytes, or an id that is not the sha256 of model.json', async () => {
    await store.putModel(A.id, A.files);
    const err = await expectRallyError(store.putModel(A.id, { ...A.files, 'dataset.csv': Buffer.from('other\n') }), 'STORE_CHECKSUM_MISMATCH');
    expect(err.message).toContain('dataset.csv');
    await expectRallyError(store.putModel(B.id, A.files), 'STORE_CHECKSUM_MISMATCH');
    expect(await store.listModels()).toEqual([A.id]);
    expect((await store.getArtifact(A.id, 'dataset.csv')).equals(A.files['dataset.csv'])).toBe(true);
  });

  it('validates model ids and artifact names everywhere (no path traversal)', async () => {
    for (const bad of ['../../etc/passwd', A.id.toUpperCase(), A.id.slice(1), `${A.id}/../x`, '', `${A.id}0`]) {
      await expectRallyError(store.hasModel(bad), 'STORE_UNKNOWN_MODEL');
      await expectRallyError(store.getArtifact(bad, 'model.json'), 'STORE_UNKNOWN_MODEL');
      await expectRallyError(store.putModel(bad, A.files), 'STORE_UNKNOWN_MODEL');
      await expectRallyError(store.promote(bad), 'STORE_UNKNOWN_MODEL');
    }
    await store.putModel(A.id, A.files);
    await expectRallyError(store.getArtifact(A.id, '../production.json' as 'model.json'), 'STORE_UNKNOWN_MODEL');
  });

  it('promotes and reads the production pointer', async () => {
    await store.putModel(A.id, A.files);
    const pointer = await store.promote(A.id, T1);
    expect(pointer).toEqual({ model_id: A.id, promoted_at: T1.toISOString(), previous_model_id: null });
    expect(await store.getProduction()).toEqual(pointer);
    // A second store instance on the same location sees it (nothing cached in memory).
    expect(await open().getProduction()).toEqual(pointer);
  });

  it('rolls back by promoting an older id again, and keeps the history oldest first', async () => {
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    await store.promote(A.id, T1);
    await store.promote(B.id, T2);
    const back = await store.promote(A.id, T3);
    expect(back).toEqual({ model_id: A.id, promoted_at: T3.toISOString(), previous_model_id: B.id });
    expect(await store.getProduction()).toEqual(back);
    expect(await store.history()).toEqual([
      { model_id: A.id, promoted_at: T1.toISOString(), previous_model_id: null },
      { model_id: B.id, promoted_at: T2.toISOString(), previous_model_id: A.id },
      back,
    ]);
    // rollback() promotes pointer.previous_model_id.
    const again = await rollback(store, { now: new Date('2025-03-04T10:00:00.000Z') });
    expect(again).toMatchObject({ model_id: B.id, previous_model_id: A.id });
    expect((await store.history()).map((p) => p.model_id)).toEqual([A.id, B.id, A.id, B.id]);
  });

  it('keeps history order deterministic when promotions share a timestamp or the clock steps back', async () => {
    for (const m of [A, B, C]) await store.putModel(m.id, m.files);
    const p1 = await store.promote(A.id, T2);
    const p2 = await store.promote(B.id, T2);
    const p3 = await store.promote(C.id, T1); // clock went backwards
    const p4 = await store.promote(A.id, T2);
    expect([p1, p2, p3, p4].map((p) => p.promoted_at)).toEqual([
      '2025-03-02T10:00:00.000Z',
      '2025-03-02T10:00:00.001Z',
      '2025-03-02T10:00:00.002Z',
      '2025-03-02T10:00:00.003Z',
    ]);
    expect(await store.history()).toEqual([p1, p2, p3, p4]);
    expect(p4.previous_model_id).toBe(C.id);
  });

  it('refuses to promote an unknown id, naming known ids, and leaves production alone', async () => {
    await store.putModel(A.id, A.files);
    const pointer = await store.promote(A.id, T1);
    const err = await expectRallyError(store.promote(B.id, T2), 'STORE_UNKNOWN_MODEL');
    expect(err.message).toContain(B.id);
    expect(err.message).toContain(A.id);
    expect(await store.getProduction()).toEqual(pointer);
    expect(await store.history()).toEqual([pointer]);
  });

  it('detects a tampered artifact (STORE_CHECKSUM_MISMATCH), same size or not', async () => {
    await store.putModel(A.id, A.files);
    const original = A.files['dataset.csv'];
    const sameSize = Buffer.from(original);
    sameSize[sameSize.length - 2] ^= 1;
    await backend.tamper(location, `models/${A.id}/dataset.csv`, sameSize);
    const err = await expectRallyError(store.getArtifact(A.id, 'dataset.csv'), 'STORE_CHECKSUM_MISMATCH');
    expect(err.message).toContain('dataset.csv');
    await backend.tamper(location, `models/${A.id}/report.json`, Buffer.from('{"truncat'));
    await expectRallyError(store.getArtifact(A.id, 'report.json'), 'STORE_CHECKSUM_MISMATCH');
    // The untouched artifact still verifies.
    expect((await store.getArtifact(A.id, 'model.json')).equals(A.files['model.json'])).toBe(true);
  });

  it('reports a corrupted production pointer or manifest as STORE_CORRUPTED', async () => {
    await store.putModel(A.id, A.files);
    await backend.tamper(location, 'production.json', Buffer.from('{"model_id": "nope"}'));
    await expectRallyError(store.getProduction(), 'STORE_CORRUPTED');
    await backend.tamper(location, `models/${A.id}/checksums.json`, Buffer.from('not json'));
    await expectRallyError(store.getArtifact(A.id, 'model.json'), 'STORE_CORRUPTED');
  });

  it('a failed upload leaves production untouched and the model incomplete (not listed)', async () => {
    await store.putModel(A.id, A.files);
    const pointer = await store.promote(A.id, T1);
    const flaky = open((key) => key.endsWith('/report.json'));
    await expect(flaky.putModel(B.id, B.files)).rejects.toThrow(/injected failure/);
    const runs = await tempDir('runs');
    try {
      await expect(deployRun(flaky, await writeRunFolder(runs, B), { now: T2 })).rejects.toThrow(/injected failure/);
      expect(await store.hasModel(B.id)).toBe(false);
      expect(await store.listModels()).toEqual([A.id]);
      expect(await store.getProduction()).toEqual(pointer);
      expect(await store.history()).toEqual([pointer]);
      await expectRallyError(store.promote(B.id, T2), 'STORE_UNKNOWN_MODEL');
      // Retrying with a healthy store completes the upload.
      const result = await deployRun(store, join(runs, B.id), { now: T2 });
      expect(result).toMatchObject({ uploaded: true, promoted: true, pointer: { model_id: B.id, previous_model_id: A.id } });
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
  });

  it('a failed pointer write leaves production and history untouched', async () => {
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    const pointer = await store.promote(A.id, T1);
    await expect(open((key) => key === 'production.json').promote(B.id, T2)).rejects.toThrow(/injected failure/);
    expect(await store.getProduction()).toEqual(pointer);
    expect(await store.history()).toEqual([pointer]);
    // Even when the orphan history entry cannot be cleaned up, history() ignores it.
    await expect(open((key, op) => key === 'production.json' || (op === 'delete' && key.startsWith('history/'))).promote(B.id, T2)).rejects.toThrow(/injected failure/);
    expect(await store.getProduction()).toEqual(pointer);
    expect(await store.history()).toEqual([pointer]);
    // The next successful promotion is unaffected by the orphan.
    const next = await store.promote(B.id, T3);
    expect(await store.history()).toEqual([pointer, next]);
  });

  it('promotions racing each other: each is promoted or refused (STORE_CONFLICT); the history holds exactly the promoted ones', async () => {
    for (const m of [A, B, C]) await store.putModel(m.id, m.files);
    const first = await store.promote(A.id, T1);
    const contenders = [B, C, B, C, A];
    // Each contender waits, once it has read the pointer, until all five have: they all hold the
    // same version, so exactly one swap can succeed.
    let arrived = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const allRead = () => {
      if (++arrived === contenders.length) openGate();
      return gate;
    };
    const results = await Promise.allSettled(contenders.map((m, i) => open(undefined, allRead).promote(m.id, new Date(T2.getTime() + i))));
    const promoted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error & { code?: string }] : []));
    expect(promoted).toHaveLength(1);
    expect(refused).toHaveLength(4);
    for (const error of refused) expect(error.code, error.message).toBe('STORE_CONFLICT');
    const history = await store.history();
    expect(history.slice(1).map((p) => p.promoted_at).sort()).toEqual(promoted.map((p) => p.promoted_at).sort());
    expect(history[0]).toEqual(first);
    expect(await store.getProduction()).toEqual(history.at(-1));
  });

  it('a promotion whose answer was lost after the store applied it is done, with its history', async () => {
    for (const m of [A, B]) await store.putModel(m.id, m.files);
    const first = await store.promote(A.id, T1);
    const second = await open((key, op) => op === 'lost' && (key === 'production.json' || key.startsWith('history/'))).promote(B.id, T2);
    expect(await store.getProduction()).toEqual(second);
    expect(await store.history()).toEqual([first, second]);
  });

  it('never promotes a model whose stored bytes no longer match its manifest', async () => {
    for (const m of [A, B]) await store.putModel(m.id, m.files);
    const pointer = await store.promote(A.id, T1);
    const damaged = Buffer.from(B.files['model.json']);
    damaged[0] ^= 1;
    await backend.tamper(location, `models/${B.id}/model.json`, damaged);
    const error = await expectRallyError(store.promote(B.id, T2), 'STORE_CHECKSUM_MISMATCH');
    expect(error.message).toMatch(/^model\.json of model [0-9a-f]{64} in .+ does not match its recorded sha256/);
    expect(await store.getProduction()).toEqual(pointer);
    expect(await store.history()).toEqual([pointer]);
  });

  it('deployRun uploads and promotes a run folder; a second deploy uploads nothing; an older id is a rollback', async () => {
    const runs = await tempDir('runs');
    try {
      const first = await deployRun(store, await writeRunFolder(runs, A), { now: T1 });
      expect(first).toEqual({ uploaded: true, promoted: true, pointer: { model_id: A.id, promoted_at: T1.toISOString(), previous_model_id: null } });
      expect(await store.listModels()).toEqual([A.id]);
      expect((await store.getArtifact(A.id, 'report.json')).equals(A.files['report.json'])).toBe(true);

      const again = await deployRun(store, join(runs, A.id), { now: T2 });
      expect(again).toEqual({ uploaded: false, promoted: false, pointer: first.pointer });

      const second = await deployRun(store, `${await writeRunFolder(runs, B)}/`, { now: T2 });
      expect(second).toMatchObject({ uploaded: true, promoted: true, pointer: { model_id: B.id, previous_model_id: A.id } });

      // Rollback: A is already stored, even with its run folder gone.
      await rm(join(runs, A.id), { recursive: true });
      const back = await deployRun(store, join(runs, A.id), { now: T3 });
      expect(back).toEqual({ uploaded: false, promoted: true, pointer: { model_id: A.id, promoted_at: T3.toISOString(), previous_model_id: B.id } });
      expect((await store.history()).map((p) => p.model_id)).toEqual([A.id, B.id, A.id]);

      await expectRallyError(deployRun(store, join(runs, C.id)), 'STORE_UNKNOWN_MODEL');
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
  });

  it('deployRun refuses a folder whose name is not the sha256 of its model.json', async () => {
    const runs = await tempDir('runs');
    try {
      const wrong = await writeRunFolder(runs, A, B.id);
      const err = await expectRallyError(deployRun(store, wrong), 'STORE_CHECKSUM_MISMATCH');
      expect(err.message).toContain(A.id);
      await expectRallyError(deployRun(store, await writeRunFolder(runs, A, 'latest')), 'STORE_CHECKSUM_MISMATCH');
      expect(await store.listModels()).toEqual([]);
      expect(await store.getProduction()).toBeNull();
      // Same id retrained (a newer report): the stored model stands and is promoted, nothing re-uploaded.
      await store.putModel(A.id, A.files);
      const dir = await writeRunFolder(runs, { id: A.id, files: { ...A.files, 'report.json': Buffer.from(JSON.stringify({ ...JSON.parse(A.files['report.json'].toString()), created_at: '2030-01-01T00:00:00.000Z' })) } });
      const result = await deployRun(store, dir);
      expect(result).toMatchObject({ uploaded: false, promoted: true });
      expect((await store.getArtifact(A.id, 'report.json')).equals(A.files['report.json'])).toBe(true);
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
  });
});

describe('local folder specifics', () => {
  it('writes atomically (no temp files left) and lays out models/, production.json, history/', async () => {
    const root = await tempDir('layout');
    try {
      const store = new LocalFolderStore(join(root, 'nested', 'store'));
      await store.putModel(A.id, A.files);
      await store.promote(A.id, T1);
      const files = (await readdir(store.root, { recursive: true })).map((f) => f.split('\\').join('/')).sort();
      expect(files).toEqual(
        [
          'history',
          `history/2025-03-01T10-00-00.000Z-${A.id}.json`,
          'models',
          `models/${A.id}`,
          `models/${A.id}/checksums.json`,
          `models/${A.id}/dataset.csv`,
          `models/${A.id}/model.json`,
          `models/${A.id}/report.json`,
          'production.json',
        ].sort(),
      );
      expect((await stat(join(store.root, 'production.json'))).isFile()).toBe(true);
      expect(store.description).toBe(`local folder ${store.root}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('ignores leftover temp files from an interrupted write', async () => {
    const root = await tempDir('tmpfiles');
    try {
      const store = new LocalFolderStore(root);
      await store.putModel(A.id, A.files);
      // B's upload was interrupted while its manifest was still a temp file: B is not a model.
      await mkdir(join(root, 'models', B.id));
      await writeFile(join(root, 'models', B.id, 'checksums.json.tmp-99-deadbeef'), '{');
      await writeFile(join(root, 'models', `${B.id}.tmp-1-abc`), 'x');
      expect(await store.listModels()).toEqual([A.id]);
      expect(await store.hasModel(B.id)).toBe(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
