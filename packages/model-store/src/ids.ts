import { createHash } from 'node:crypto';
import { RallyError } from '@rally/errors';

/** The three immutable artifacts of a trained model, in upload order. */
export const ARTIFACTS = ['model.json', 'dataset.csv', 'report.json'] as const;
export type ArtifactName = (typeof ARTIFACTS)[number];

/** A model id is the hex sha256 of model.json's bytes: exactly 64 lowercase hex characters. */
const MODEL_ID_PATTERN = /^[0-9a-f]{64}$/;

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

function isArtifactName(value: unknown): value is ArtifactName {
  return typeof value === 'string' && (ARTIFACTS as readonly string[]).includes(value);
}

export function assertArtifactName(value: unknown): asserts value is ArtifactName {
  if (!isArtifactName(value)) {
    throw new RallyError('STORE_UNKNOWN_MODEL', `${JSON.stringify(String(value))} is not a model artifact (expected one of ${ARTIFACTS.join(', ')}).`);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.csv')) return 'text/csv';
  return 'application/octet-stream';
}
