// @module-tag unit
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, RallyError, describeError, isRallyError } from '../src/index.ts';

describe('error catalogue', () => {
  it.each(Object.entries(ERROR_CATALOGUE))('%s has an HTTP status and a description', (code, entry) => {
    expect(code).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
    expect(entry.statusCode).toBeGreaterThanOrEqual(400);
    expect(entry.statusCode).toBeLessThan(600);
    expect(entry.description.length).toBeGreaterThan(10);
  });

  it('builds errors carrying code, status and cause', () => {
    const cause = new Error('low level');
    const error = new RallyError('STORE_UNKNOWN_MODEL', 'No model abc.', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.statusCode).toBe(404);
    expect(error.cause).toBe(cause);
    expect(isRallyError(error, 'STORE_UNKNOWN_MODEL')).toBe(true);
    expect(isRallyError(error, 'DATA_INVALID')).toBe(false);
    expect(describeError(error)).toBe('No model abc.');
    expect(describeError(new TypeError('boom'))).toBe('Unexpected error: boom');
  });
});
