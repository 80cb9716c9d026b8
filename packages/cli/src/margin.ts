import { UsageError } from '@rally/errors';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Whether a word reads as a number (a log loss margin rather than a model id). */
export const isNumber = (word: string) => NUMBER.test(word) && Number.isFinite(Number(word));

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
