import { createHash } from 'node:crypto';
import { RallyError } from '@rally/errors';

/** The three immutable artifacts of a trained model, in upload order: a run folder holds exactly these. */
export const ARTIFACTS = ['model.json', 'dataset.csv', 'report.json'] as const;
export type ArtifactName = (typeof ARTIFACTS)[number];
export type ArtifactSet = Record<ArtifactName, Buffer>;

/** A model id is the hex sha256 of model.json's bytes: exactly 64 lowercase hex characters. */
export const MODEL_ID_PATTERN = /^[0-9a-f]{64}$/;
/** What may name a run: a model id or a prefix of one (a path or `..` cannot). */
export const MODEL_ID_PREFIX = /^[0-9a-f]{1,64}$/;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The id of a model: the sha256 of its model.json bytes. */
export const modelIdOf = (modelJson: Uint8Array | string): string => sha256Hex(modelJson);

export function isModelId(value: unknown): value is string {
  return typeof value === 'string' && MODEL_ID_PATTERN.test(value);
}

/** Throws STORE_UNKNOWN_MODEL for anything that is not a well-formed id (also blocks path traversal). */
export function assertModelId(value: unknown): asserts value is string {
  if (!isModelId(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
    throw new RallyError('STORE_UNKNOWN_MODEL', `${shown} is not a valid model id (expected 64 lowercase hex characters, the sha256 of model.json).`);
  }
}

export function isArtifactName(value: unknown): value is ArtifactName {
  return typeof value === 'string' && (ARTIFACTS as readonly string[]).includes(value);
}

export function assertArtifactName(value: unknown): asserts value is ArtifactName {
  if (!isArtifactName(value)) {
    throw new RallyError('STORE_UNKNOWN_MODEL', `${JSON.stringify(String(value))} is not a model artifact (expected one of ${ARTIFACTS.join(', ')}).`);
  }
}

export interface ArtifactChecksum {
  sha256: string;
  size: number;
}

/** `checksums.json`, the manifest of a stored model: its presence marks a complete upload. */
export interface ModelChecksums {
  model_id: string;
  artifacts: Record<ArtifactName, ArtifactChecksum>;
}

export function checksumsOf(id: string, files: Record<ArtifactName, Uint8Array>): ModelChecksums {
  const artifacts = {} as Record<ArtifactName, ArtifactChecksum>;
  for (const name of ARTIFACTS) artifacts[name] = { sha256: sha256Hex(files[name]), size: files[name].byteLength };
  return { model_id: id, artifacts };
}

/** The names of the artifacts whose checksums differ. */
export function differingArtifacts(a: ModelChecksums, b: ModelChecksums): ArtifactName[] {
  return ARTIFACTS.filter((name) => a.artifacts[name].sha256 !== b.artifacts[name].sha256 || a.artifacts[name].size !== b.artifacts[name].size);
}

export function sameChecksums(a: ModelChecksums, b: ModelChecksums): boolean {
  return a.model_id === b.model_id && differingArtifacts(a, b).length === 0;
}

/** Parses a manifest for model `id`; null unless it is one (ids and sizes well-formed, every artifact listed). */
export function parseChecksums(value: unknown, id: string): ModelChecksums | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { model_id?: unknown; artifacts?: Record<string, unknown> };
  if (v.model_id !== id || typeof v.artifacts !== 'object' || v.artifacts === null) return null;
  const artifacts = {} as Record<ArtifactName, ArtifactChecksum>;
  for (const name of ARTIFACTS) {
    const entry = v.artifacts[name] as { sha256?: unknown; size?: unknown } | undefined;
    if (!entry || typeof entry.sha256 !== 'string' || !MODEL_ID_PATTERN.test(entry.sha256)) return null;
    if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) return null;
    artifacts[name] = { sha256: entry.sha256, size: entry.size };
  }
  return { model_id: id, artifacts };
}

/**
 * Checks artifact bytes against a manifest: STORE_CHECKSUM_MISMATCH naming the first artifact whose
 * sha256 or size differs (and model.json must hash to the id).
 */
export function verifyArtifact(checksums: ModelChecksums, name: ArtifactName, bytes: Uint8Array, where: string): void {
  const expected = checksums.artifacts[name];
  const actual = sha256Hex(bytes);
  if (actual !== expected.sha256 || bytes.byteLength !== expected.size || (name === 'model.json' && actual !== checksums.model_id)) {
    throw new RallyError(
      'STORE_CHECKSUM_MISMATCH',
      `${name} of model ${checksums.model_id} in ${where} does not match its recorded sha256 (expected ${expected.sha256} and ${expected.size} bytes, got ${actual} and ${bytes.byteLength} bytes).`,
      { details: { model_id: checksums.model_id, artifact: name, expected, actual: { sha256: actual, size: bytes.byteLength } } },
    );
  }
}
