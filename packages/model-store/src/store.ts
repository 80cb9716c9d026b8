import { RallyError } from '@rally/errors';
import {
  ARTIFACTS,
  type ArtifactName,
  assertArtifactName,
  assertModelId,
  checksumsOf,
  differingArtifacts,
  isModelId,
  MODEL_ID_PATTERN,
  type ModelChecksums,
  parseChecksums,
  sameChecksums,
  verifyArtifact,
  assertArtifactSize,
  DEFAULT_MODEL_MAX_BYTES,
} from '@rally/model';

/** `production.json`: which model serves, since when, and what it replaced. */
export interface ProductionPointer {
  model_id: string;
  promoted_at: string;
  previous_model_id: string | null;
}

export interface ModelStore {
  /** Human-readable location, e.g. "local folder /abs/store" or "s3://bucket/prefix at http://127.0.0.1:1234". */
  readonly description: string;
  /** model.json and report.json larger than this (by the manifest) are refused before download (MODEL_TOO_LARGE). */
  maxArtifactBytes?: number;
  /** True once the model's manifest (checksums.json) exists, i.e. the upload completed. */
  hasModel(id: string): Promise<boolean>;
  /** Uploads the artifacts, then the manifest; a no-op when the model is already there with the same bytes. */
  putModel(id: string, files: Record<ArtifactName, Buffer>): Promise<void>;
  /** Downloads an artifact and verifies it against the manifest (STORE_CHECKSUM_MISMATCH otherwise). */
  getArtifact(id: string, name: ArtifactName): Promise<Buffer>;
  /** The manifest of a complete model (STORE_UNKNOWN_MODEL if absent). */
  getChecksums(id: string): Promise<ModelChecksums>;
  /** The manifest of a complete model, or null when the store does not have it. */
  findChecksums(id: string): Promise<ModelChecksums | null>;
  /** Ids of complete models, sorted. */
  listModels(): Promise<string[]>;
  /** The production pointer, or null when nothing was promoted yet. Never cached: read it each time. */
  getProduction(): Promise<ProductionPointer | null>;
  /**
   * Makes `id` the production model, after checking its stored bytes against its manifest: appends to
   * the history, then swaps the pointer if no other promotion did meanwhile (STORE_CONFLICT otherwise).
   */
  promote(id: string, now?: Date): Promise<ProductionPointer>;
  /** Every promotion, oldest first. */
  history(): Promise<ProductionPointer[]>;
}

/** A `history/` object: the pointer written by one promotion, plus the exact key of its predecessor. */
interface HistoryEntry extends ProductionPointer {
  previous_promoted_at: string | null;
}

const PRODUCTION_KEY = 'production.json';
const MANIFEST_NAME = 'checksums.json';
const HISTORY_PREFIX = 'history/';
/** A model id inside a key (MODEL_ID_PATTERN without its anchors). */
const ID = MODEL_ID_PATTERN.source.slice(1, -1);
const HISTORY_KEY_PATTERN = new RegExp(`^history/(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z)-(${ID})\\.json$`);
const MANIFEST_KEY_PATTERN = new RegExp(`^models/(${ID})/checksums\\.json$`);

function artifactKey(id: string, name: ArtifactName | typeof MANIFEST_NAME): string {
  return `models/${id}/${name}`;
}

/** History entry key: `history/<ISO time with ':' → '-'>-<id>.json`, so lexicographic order is chronological. */
function historyKey(pointer: ProductionPointer): string {
  return `${HISTORY_PREFIX}${pointer.promoted_at.replaceAll(':', '-')}-${pointer.model_id}.json`;
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.csv')) return 'text/csv';
  return 'application/octet-stream';
}

function isSamePointer(a: ProductionPointer | null, b: ProductionPointer): boolean {
  return a !== null && a.model_id === b.model_id && a.promoted_at === b.promoted_at && a.previous_model_id === b.previous_model_id;
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) && Number.isFinite(Date.parse(value));
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function asPointer(value: unknown): ProductionPointer | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isModelId(v.model_id) || !isIsoTime(v.promoted_at)) return null;
  if (v.previous_model_id !== null && !isModelId(v.previous_model_id)) return null;
  return { model_id: v.model_id, promoted_at: v.promoted_at, previous_model_id: v.previous_model_id };
}

function asHistoryEntry(value: unknown): HistoryEntry | null {
  const pointer = asPointer(value);
  if (!pointer) return null;
  const previousAt = (value as Record<string, unknown>).previous_promoted_at;
  if (previousAt !== null && !isIsoTime(previousAt)) return null;
  if ((previousAt === null) !== (pointer.previous_model_id === null)) return null;
  return { ...pointer, previous_promoted_at: previousAt };
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/**
 * All store semantics (layout, manifests, verification, promotion, history) on top of four object
 * primitives. Keys are relative to the store root and always built from validated ids.
 * Subclasses implement the primitives for one backend; tests may subclass a backend and override
 * `writeObject` to inject failures.
 */
export abstract class ObjectModelStore implements ModelStore {
  abstract readonly description: string;
  maxArtifactBytes: number = DEFAULT_MODEL_MAX_BYTES;

  /** The object's bytes, or null if it does not exist. */
  protected abstract readObject(key: string): Promise<Buffer | null>;
  /** Replaces the object atomically (readers see the old or the new bytes, never a mix). */
  protected abstract writeObject(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes and a version token (what writeObjectIf compares), or null if it does not exist. */
  protected abstract readObjectVersioned(key: string): Promise<{ bytes: Buffer; version: string } | null>;
  /**
   * Compare-and-swap: writes the object only if its version is still `expected` (null: only if it
   * does not exist), atomically against concurrent writers, also in other processes. False when the
   * object changed (nothing written).
   */
  protected abstract writeObjectIf(key: string, body: Buffer, contentType: string, expected: string | null): Promise<boolean>;
  protected abstract deleteObject(key: string): Promise<void>;
  /** Every key starting with `prefix` (complete objects only), in any order. */
  protected abstract listKeys(prefix: string): Promise<string[]>;

  /** Releases resources (sockets); the store must not be used afterwards. */
  async close(): Promise<void> {}

  async hasModel(id: string): Promise<boolean> {
    return (await this.findChecksums(id)) !== null;
  }

  async findChecksums(id: string): Promise<ModelChecksums | null> {
    assertModelId(id);
    return this.readChecksums(id);
  }

  async putModel(id: string, files: Record<ArtifactName, Buffer>): Promise<void> {
    assertModelId(id);
    for (const name of ARTIFACTS) {
      if (!(files?.[name] instanceof Uint8Array)) {
        throw new RallyError('STORE_CORRUPTED', `Cannot upload model ${id} to ${this.description}: ${name} is missing.`);
      }
    }
    const checksums = checksumsOf(id, files);
    if (checksums.artifacts['model.json'].sha256 !== id) {
      throw new RallyError(
        'STORE_CHECKSUM_MISMATCH',
        `Cannot upload model ${id} to ${this.description}: the sha256 of its model.json is ${checksums.artifacts['model.json'].sha256}, not the model id.`,
      );
    }
    const existing = await this.readChecksums(id);
    if (existing) {
      if (sameChecksums(existing, checksums)) return;
      throw new RallyError(
        'STORE_CHECKSUM_MISMATCH',
        `Model ${id} is already in ${this.description} with a different ${differingArtifacts(existing, checksums).join(' and ')}, and stored models are immutable.`,
      );
    }
    // Artifacts first (any order), the manifest strictly after: a failure before this point leaves
    // an incomplete folder that hasModel/listModels ignore and a retry overwrites.
    await Promise.all(ARTIFACTS.map((name) => this.writeObject(artifactKey(id, name), files[name], contentTypeOf(name))));
    await this.writeObject(artifactKey(id, MANIFEST_NAME), json(checksums), 'application/json');
  }

  async getChecksums(id: string): Promise<ModelChecksums> {
    assertModelId(id);
    const checksums = await this.readChecksums(id);
    if (!checksums) throw await this.unknownModel(id);
    return checksums;
  }

  async getArtifact(id: string, name: ArtifactName): Promise<Buffer> {
    assertModelId(id);
    assertArtifactName(name);
    return this.readVerified(await this.getChecksums(id), name);
  }

  /** An artifact's bytes, checked against the manifest already read. */
  private async readVerified(checksums: ModelChecksums, name: ArtifactName): Promise<Buffer> {
    const id = checksums.model_id;
    // Sized by the manifest before a byte is downloaded: a padded model.json never reaches memory.
    if (name !== 'dataset.csv') assertArtifactSize(name, checksums.artifacts[name]?.size ?? 0, this.maxArtifactBytes, `model ${id} in ${this.description}`);
    const bytes = await this.readObject(artifactKey(id, name));
    if (bytes === null) {
      throw new RallyError('STORE_CORRUPTED', `Model ${id} in ${this.description} has a manifest but its ${name} is missing.`);
    }
    verifyArtifact(checksums, name, bytes, this.description);
    return bytes;
  }

  async listModels(): Promise<string[]> {
    const keys = await this.listKeys('models/');
    const ids = new Set<string>();
    for (const key of keys) {
      const match = MANIFEST_KEY_PATTERN.exec(key);
      if (match) ids.add(match[1]);
    }
    return [...ids].sort();
  }

  async getProduction(): Promise<ProductionPointer | null> {
    const bytes = await this.readObject(PRODUCTION_KEY);
    return bytes === null ? null : this.parsePointer(bytes);
  }

  private parsePointer(bytes: Buffer): ProductionPointer {
    const pointer = asPointer(parseJson(bytes));
    if (!pointer) throw new RallyError('STORE_CORRUPTED', `${PRODUCTION_KEY} in ${this.description} is not a valid production pointer.`);
    return pointer;
  }

  async promote(id: string, now: Date = new Date()): Promise<ProductionPointer> {
    assertModelId(id);
    if (!(now instanceof Date) || !Number.isFinite(now.getTime())) {
      throw new RallyError('STORE_CONFIG', `Cannot promote model ${id}: the promotion time is not a valid date.`);
    }
    // The bytes that will serve, not just the manifest: a damaged model must not reach production.
    const checksums = await this.getChecksums(id);
    await Promise.all(ARTIFACTS.map((name) => this.readVerified(checksums, name)));
    const read = await this.readObjectVersioned(PRODUCTION_KEY);
    const current = read === null ? null : this.parsePointer(read.bytes);
    // promoted_at strictly increases along the history, even if two promotions share a millisecond
    // or the clock stepped back: history keys stay unique and sort in promotion order.
    let at = now.getTime();
    if (current) at = Math.max(at, Date.parse(current.promoted_at) + 1);
    const pointer: ProductionPointer = { model_id: id, promoted_at: new Date(at).toISOString(), previous_model_id: current?.model_id ?? null };
    if (!isIsoTime(pointer.promoted_at)) {
      throw new RallyError('STORE_CONFIG', `Cannot promote model ${id}: ${pointer.promoted_at} is outside the supported years 0000-9999.`);
    }
    const entry: HistoryEntry = { ...pointer, previous_promoted_at: current?.promoted_at ?? null };
    const entryKey = historyKey(pointer);
    // Both writes are conditional: the entry must be new (the same promotion racing itself writes
    // the same key), and the pointer must still be the one this promotion read. The loser of a race
    // changes nothing and says so (STORE_CONFLICT); without that, concurrent promotions were lost.
    // A conditional write can fail although it took effect: its answer was lost and the SDK's retry
    // met its own precondition, or the connection broke after the store applied it. So a failure is
    // judged by what the store holds: the entry is ours if it has our bytes, the promotion done if
    // the pointer is ours.
    const entryBytes = json(entry);
    let entryFailure: unknown;
    const created = await this.writeObjectIf(entryKey, entryBytes, 'application/json', null).catch((error: unknown) => {
      entryFailure = error;
      return false;
    });
    if (!created && !(await this.readObject(entryKey))?.equals(entryBytes)) throw entryFailure ?? (await this.conflict(id));
    let failure: unknown;
    try {
      if (await this.writeObjectIf(PRODUCTION_KEY, json(pointer), 'application/json', read?.version ?? null)) return pointer;
    } catch (error) {
      failure = error;
    }
    const after = await this.getProduction().then(
      (production) => ({ production }),
      () => undefined, // unknown: the entry may be the one production needs, keep it
    );
    if (after && isSamePointer(after.production, pointer)) return pointer;
    // Best effort: an orphan entry is unreachable from the pointer, so history() ignores it anyway.
    if (after) await this.deleteObject(entryKey).catch(() => {});
    throw failure ?? (await this.conflict(id));
  }

  private async conflict(id: string): Promise<RallyError> {
    const now = await this.getProduction().catch(() => null);
    return new RallyError(
      'STORE_CONFLICT',
      `Another promotion happened while promoting ${id}; production is ${now?.model_id ?? 'unknown'} in ${this.description}, and ${id} was not promoted (deploy it again if it should be).`,
      { details: { model_id: id, production: now?.model_id ?? null } },
    );
  }

  /**
   * The promotions that led to the current pointer, oldest first: starting from the pointer's own
   * entry, each entry names its predecessor exactly (previous_model_id + previous_promoted_at), so
   * entries of promotions whose pointer write failed (or lost a race) are never included.
   */
  async history(): Promise<ProductionPointer[]> {
    const production = await this.getProduction();
    if (!production) return [];
    const keys = (await this.listKeys(HISTORY_PREFIX)).filter((key) => HISTORY_KEY_PATTERN.test(key));
    const entries = new Map<string, HistoryEntry>();
    const batch = 16;
    for (let i = 0; i < keys.length; i += batch) {
      const loaded = await Promise.all(keys.slice(i, i + batch).map(async (key) => ({ key, bytes: await this.readObject(key) })));
      for (const { key, bytes } of loaded) {
        if (bytes === null) continue; // deleted between list and read (an aborted promotion)
        const entry = asHistoryEntry(parseJson(bytes));
        if (!entry || historyKey(entry) !== key) {
          throw new RallyError('STORE_CORRUPTED', `History entry ${key} in ${this.description} is not a valid promotion record.`);
        }
        entries.set(key, entry);
      }
    }
    const chain: ProductionPointer[] = [];
    let key: string | null = historyKey(production);
    while (key !== null && chain.length <= entries.size) {
      const entry = entries.get(key);
      if (!entry) break; // history trimmed or written by hand: return what is linked
      chain.push({ model_id: entry.model_id, promoted_at: entry.promoted_at, previous_model_id: entry.previous_model_id });
      key =
        entry.previous_model_id !== null && entry.previous_promoted_at !== null
          ? historyKey({ model_id: entry.previous_model_id, promoted_at: entry.previous_promoted_at, previous_model_id: null })
          : null;
    }
    return chain.reverse();
  }

  protected async readChecksums(id: string): Promise<ModelChecksums | null> {
    const bytes = await this.readObject(artifactKey(id, MANIFEST_NAME));
    if (bytes === null) return null;
    const checksums = parseChecksums(parseJson(bytes), id);
    if (!checksums) throw new RallyError('STORE_CORRUPTED', `The manifest ${MANIFEST_NAME} of model ${id} in ${this.description} cannot be parsed.`);
    return checksums;
  }

  protected async unknownModel(id: string): Promise<RallyError> {
    const known = await this.listModels();
    const hint =
      known.length === 0
        ? 'the store has no models yet'
        : `known ids include ${known.slice(0, 3).join(', ')}${known.length > 3 ? ` (${known.length} in total)` : ''}`;
    return new RallyError('STORE_UNKNOWN_MODEL', `Unknown model id ${id} in ${this.description}; ${hint}.`, { details: { model_id: id, known: known.slice(0, 10) } });
  }
}
