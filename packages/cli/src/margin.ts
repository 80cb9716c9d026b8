import { UsageError } from '@rally/errors';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Whether a word reads as a number at all. */
const isNumber = (word: string) => NUMBER.test(word) && Number.isFinite(Number(word));

/**
 * Whether a word after `--fail-if-worse` / `--require-better` is a margin rather than a model id
 * prefix (`1234`, `abc`): 0, a signed number, or one with a decimal point or an exponent.
 */
export const looksLikeMargin = (word: string) => isNumber(word) && (/^[+-]/.test(word) || /[.e]/i.test(word) || Number(word) === 0);

/**
 * Splits an optional-valued gate flag and the positional id: commander gives the word after the
 * flag as its value, and when no id was given elsewhere a word that is no margin is the id.
 */
export function gateAndId(value: string | boolean | undefined, id: string | undefined): { value: string | boolean | undefined; id: string | undefined } {
  if (typeof value === 'string' && id === undefined && !looksLikeMargin(value)) return { value: true, id: value };
  return { value, id };
}

/**
 * The margin of an option with an optional value (`--fail-if-worse [margin]`): commander gives
 * `true` for the bare flag (margin 0) and the word after it otherwise.
 */
export function marginOf(flag: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 0;
  if (!isNumber(value)) throw new UsageError(`--${flag} takes a number (a log loss margin), got "${value}".`);
  return Number(value);
}
