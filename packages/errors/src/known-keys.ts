import { RallyError } from './rally-error.ts';

/**
 * A saved object holds only the keys its format defines: anything else (a 200 MB string padded into
 * a model.json) is refused, MODEL_FORMAT, naming the first unknown key. Non-objects pass: the
 * format's own checks say what they should be.
 */
export function assertKnownKeys(value: unknown, known: readonly string[], what: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const shown = unknown[0]!.length > 40 ? `${unknown[0]!.slice(0, 40)}…` : unknown[0]!;
  throw new RallyError('MODEL_FORMAT', `${what} has ${unknown.length === 1 ? 'an unknown key' : `${unknown.length} unknown keys, the first`} ${JSON.stringify(shown)} (it holds ${known.join(', ')}).`);
}
