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
  /** Whether these paints colour at all. */
  enabled: boolean;
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
  if (!enabled) return { enabled, bold: plain, red: plain, green: plain, yellow: plain, cyan: plain, dim: plain };
  return { enabled, bold: sgr(1, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), dim: sgr(2, 22) };
}

/** What a command gets besides its options: the streams, the environment, and the colours of each stream. */
export interface Context {
  io: Io;
  /** The environment the command reads (with `.env` loaded, and CACHE_DISABLED=1 for --no-cache). */
  env: NodeJS.ProcessEnv;
  /** Colours for what say() and note() write, each decided on the stream it goes to. */
  readonly out: Palette;
  readonly err: Palette;
  /** A line for the user: on stdout, or on stderr once stdout is kept for --json's document. */
  say(text: string): void;
  /** A line on stderr: progress, notes, errors. */
  note(text: string): void;
  /** The one JSON document of --json, on stdout. */
  json(value: unknown): void;
  /** Whether json() has printed (main then prints no second document). */
  readonly printedJson: boolean;
  /** --json: from now on stdout holds the document alone, and say() writes to stderr. */
  keepStdoutForJson(): void;
}

export function createContext(io: Io, env: NodeJS.ProcessEnv): Context {
  let printedJson = false;
  let sayTo = io.stdout;
  const err = palette(colourEnabled(io.stderr, env));
  let out = palette(colourEnabled(io.stdout, env));
  return {
    io,
    env,
    get out() {
      return out;
    },
    err,
    say: (text) => sayTo.write(`${text}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
    json: (value) => {
      printedJson = true;
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    get printedJson() {
      return printedJson;
    },
    keepStdoutForJson: () => {
      sayTo = io.stderr;
      out = err;
    },
  };
}

/**
 * The --json form of a failure. A list of problems (a bad point's) is `errors`, as in the HTTP
 * API's answer and its message; anything else a failure carries (a validation report) is `details`.
 */
export function errorDocument(error: unknown, message = describeError(error)): { error: { code: string; message: string; errors?: unknown[]; details?: unknown } } {
  const code = isRallyError(error) ? error.code : 'INTERNAL_ERROR';
  const details = isRallyError(error) ? error.details : undefined;
  const extra = details === undefined ? {} : Array.isArray(details) ? { errors: details } : { details };
  return { error: { code, message, ...extra } };
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
 * scikit-learn's names (the original app's words) for rally's flags: a user of the original types
 * those, and no spelling distance leads from one to the other.
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  'n-estimators': '--trees',
  'min-samples-split': '--min-samples',
  'max-leaf-nodes': '--max-depth',
  'random-state': '--seed',
  'n-jobs': '--workers',
  probability: '--proba',
  probabilities: '--proba',
};

/**
 * The closest of `candidates` (flags, or command names) to what was typed, or undefined when none
 * is close: the same word in another case (`-v` → `-V`), a typo (a small edit distance), one word
 * the prefix of the other (`--probability` → `--proba`), a word of the candidate (`--depth` →
 * `--max-depth`), or scikit-learn's name for it. Never `--no-x` for `--x`: that is the opposite.
 */
export function suggest(typed: string, candidates: readonly string[]): string | undefined {
  const bare = (word: string) => word.replace(/^-+/, '').toLowerCase().replaceAll('_', '-');
  const word = bare(typed);
  if (word === '') return undefined;
  const synonym = SYNONYMS[word];
  if (synonym && candidates.includes(synonym)) return synonym;
  const short = !typed.startsWith('--') && typed.startsWith('-');
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const other = bare(candidate);
    if (other === `no-${word}`) continue;
    const distance = editDistance(word, other);
    const close = distance <= Math.max(1, Math.floor(Math.max(word.length, other.length) / 4));
    const prefix = Math.min(word.length, other.length) >= 3 && (other.startsWith(word) || word.startsWith(other));
    const contains = word.length >= 3 && other.split(/[-.]/).includes(word);
    if (!close && !prefix && !contains) continue;
    // The same dash style first (a short flag for a short flag), then the closest.
    const style = (!candidate.startsWith('--') && candidate.startsWith('-')) === short ? 0 : 0.5;
    const score = (close ? distance : 10 + Math.abs(other.length - word.length)) + style;
    if (!best || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}
