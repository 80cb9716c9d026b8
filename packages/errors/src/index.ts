/**
 * @rally/errors: the error catalogue (a code, an HTTP-style status and a one-sentence message per
 * error), RallyError, and the command-line usage error with its flag parsing.
 */
export { ERROR_CATALOGUE, RallyError, describeError, isRallyError, type ErrorCode } from './rally-error.ts';
export { UsageError, integerFlag, parseArgsSentence } from './usage.ts';
export { assertKnownKeys } from './known-keys.ts';
