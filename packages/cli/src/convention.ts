/**
 * The one convention every `rally` command follows, written once:
 * - exit codes: 0 done, 1 the job failed (or a gate failed, or the data is invalid), 2 bad usage or
 *   unreadable input (a flag, a file that cannot be read, input that is not JSON, a bad setting);
 * - `--json`: exactly one JSON document on stdout, also when the command fails
 *   (`{"error": {"code", "message"}}`); progress and logs go to stderr;
 * - errors: one sentence on stderr, never a stack trace;
 * - colour only on a terminal, and never when NO_COLOR is set.
 */
import { describeError, type ErrorCode, isRallyError } from '@rally/errors';

/** The streams a command talks to (the process's, or a test's). */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const EXIT = { done: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Errors that mean the command was asked wrongly or its input cannot be read: exit 2. */
const USAGE_CODES: readonly ErrorCode[] = ['CLI_USAGE', 'CLI_INPUT', 'DATA_UNREADABLE', 'STORE_CONFIG', 'SERVER_CONFIG'];

export function exitCodeFor(error: unknown): ExitCode {
  return USAGE_CODES.some((code) => isRallyError(error, code)) ? EXIT.usage : EXIT.failed;
}

/** Whether to colour what goes to `stream`: a terminal, NO_COLOR unset or empty (no-color.org), TERM not dumb. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export type Paint = (text: string) => string;
export interface Palette {
  bold: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  dim: Paint;
}

const sgr = (open: number, close: number): Paint => (text) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain: Paint = (text) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { bold: plain, red: plain, green: plain, yellow: plain, cyan: plain, dim: plain };
  return { bold: sgr(1, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), dim: sgr(2, 22) };
}

/** What a command gets besides its options: the streams, the environment, and the colours of each stream. */
export interface Context {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Colours for stdout and stderr, each decided on its own stream. */
  out: Palette;
  err: Palette;
  /** Writes one line to stdout / stderr. */
  say(text: string): void;
  note(text: string): void;
  /** The one JSON document of --json, on stdout. */
  json(value: unknown): void;
}

export function createContext(io: Io, env: NodeJS.ProcessEnv): Context {
  return {
    io,
    env,
    out: palette(colourEnabled(io.stdout, env)),
    err: palette(colourEnabled(io.stderr, env)),
    say: (text) => io.stdout.write(`${text}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
    json: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** The --json form of a failure. */
export function errorDocument(error: unknown): { error: { code: string; message: string; details?: unknown } } {
  const code = isRallyError(error) ? error.code : 'INTERNAL_ERROR';
  const details = isRallyError(error) ? error.details : undefined;
  return { error: { code, message: describeError(error), ...(details === undefined ? {} : { details }) } };
}

/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The closest of `candidates` to what was typed, or undefined when none is close: a small edit
 * distance (a typo), or a candidate whose words contain the typed word (`--depth` → `--max-depth`).
 */
export function suggest(typed: string, candidates: readonly string[]): string | undefined {
  const bare = (word: string) => word.replace(/^-+/, '').toLowerCase();
  const word = bare(typed);
  if (word === '') return undefined;
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const other = bare(candidate);
    const distance = editDistance(word, other);
    const close = distance <= Math.max(1, Math.floor(Math.max(word.length, other.length) / 3));
    const contains = word.length >= 3 && (other.split(/[-.]/).includes(word) || other.startsWith(word));
    if (!close && !contains) continue;
    const score = close ? distance : 10 + other.length - word.length;
    if (!best || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}
