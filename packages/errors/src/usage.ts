import { RallyError } from './rally-error.ts';

/** A mistake on a command line (CLI_USAGE): commands print its one sentence and exit 2. */
export class UsageError extends RallyError {
  constructor(message: string) {
    super('CLI_USAGE', message);
    this.name = 'UsageError';
  }
}

/** The value of an integer flag: undefined when absent; a UsageError unless a safe integer >= min. */
export function integerFlag(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || !Number.isSafeInteger(value)) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}".`);
  return value;
}

/** node:util parseArgs's error as one sentence (without its multi-line hints). */
export function parseArgsSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0].split('. To specify a positional argument')[0].trim();
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
