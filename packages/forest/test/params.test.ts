// @module-tag unit
/**
 * Hyperparameter validation and the number of features drawn per split: what a user sees when a
 * hyperparameter is wrong (which one, what was expected, what was given) and where the valid
 * ranges begin and end.
 */
import { isRallyError, type RallyError } from '@rally/errors';
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier } from '../src/index.ts';
import { DEFAULT_PARAMS, resolveMaxFeatures, validateParams } from '../src/params.ts';

function paramsWith(change: Record<string, unknown>): Record<string, unknown> {
  return { ...DEFAULT_PARAMS, ...change };
}

/** The ESTIMATOR_BAD_PARAMS error validateParams throws (fails the test if it does not). */
function refusal(change: Record<string, unknown>, nFeatures?: number): RallyError {
  try {
    validateParams(paramsWith(change), nFeatures);
  } catch (error) {
    if (isRallyError(error, 'ESTIMATOR_BAD_PARAMS')) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(change)}`);
}

describe('validateParams accepts the edges of every valid range', () => {
  test.each([
    ['the defaults', {}],
    ['nEstimators 1', { nEstimators: 1 }],
    ['nEstimators 100000', { nEstimators: 100_000 }],
    ['maxDepth 1', { maxDepth: 1 }],
    ['maxDepth Infinity', { maxDepth: Infinity }],
    ['minSamplesSplit 2', { minSamplesSplit: 2 }],
    ['minSamplesLeaf 1', { minSamplesLeaf: 1 }],
    ["maxFeatures 'sqrt'", { maxFeatures: 'sqrt' }],
    ["maxFeatures 'log2'", { maxFeatures: 'log2' }],
    ["maxFeatures 'all'", { maxFeatures: 'all' }],
    ['maxFeatures 1', { maxFeatures: 1 }],
    ['maxFeatures a small fraction', { maxFeatures: 0.001 }],
    ['maxFeatures a fraction near 1', { maxFeatures: 0.999 }],
    ['leafPrior 0', { leafPrior: 0 }],
    ['leafPrior 1000', { leafPrior: 1000 }],
    ['bootstrap false', { bootstrap: false }],
    ['a negative seed', { seed: -7 }],
    ['the largest safe seed', { seed: Number.MAX_SAFE_INTEGER }],
  ])('%s', (_name, change) => {
    expect(() => validateParams(paramsWith(change))).not.toThrow();
  });

  test('maxFeatures may equal the number of features; a fraction is never compared with it', () => {
    expect(() => validateParams(paramsWith({ maxFeatures: 4 }), 4)).not.toThrow();
    expect(() => validateParams(paramsWith({ maxFeatures: 0.9 }), 1)).not.toThrow();
    expect(() => validateParams(paramsWith({ maxFeatures: 'all' }), 1)).not.toThrow();
    // Without a number of features, any count is accepted (the constructor's check at fit).
    expect(() => validateParams(paramsWith({ maxFeatures: 500 }))).not.toThrow();
  });
});

describe('validateParams names the hyperparameter, what it must be and what it got', () => {
  test.each([
    ['nEstimators 0', { nEstimators: 0 }, 'nEstimators must be an integer from 1 to 100000, got 0.'],
    ['nEstimators 100001', { nEstimators: 100_001 }, 'nEstimators must be an integer from 1 to 100000, got 100001.'],
    ['nEstimators as text', { nEstimators: '10' }, 'nEstimators must be an integer from 1 to 100000, got "10".'],
    ['maxDepth 0', { maxDepth: 0 }, 'maxDepth must be an integer >= 1 or Infinity, got 0.'],
    ['maxDepth 2.5', { maxDepth: 2.5 }, 'maxDepth must be an integer >= 1 or Infinity, got 2.5.'],
    ['minSamplesSplit 1', { minSamplesSplit: 1 }, 'minSamplesSplit must be an integer >= 2, got 1.'],
    ['minSamplesLeaf 0', { minSamplesLeaf: 0 }, 'minSamplesLeaf must be an integer >= 1, got 0.'],
    ['minSamplesLeaf missing', { minSamplesLeaf: undefined }, 'minSamplesLeaf must be an integer >= 1, got undefined.'],
    ['maxFeatures 0', { maxFeatures: 0 }, "maxFeatures must be 'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1), got 0."],
    ['maxFeatures 1.5', { maxFeatures: 1.5 }, "maxFeatures must be 'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1), got 1.5."],
    ['maxFeatures -0.5', { maxFeatures: -0.5 }, "maxFeatures must be 'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1), got -0.5."],
    ['maxFeatures unknown text', { maxFeatures: 'half' }, "maxFeatures must be 'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1), got \"half\"."],
    ['leafPrior -1', { leafPrior: -1 }, 'leafPrior must be a number from 0 to 1000, got -1.'],
    ['leafPrior 1000.5', { leafPrior: 1000.5 }, 'leafPrior must be a number from 0 to 1000, got 1000.5.'],
    ['leafPrior as text', { leafPrior: '0' }, 'leafPrior must be a number from 0 to 1000, got "0".'],
    ['bootstrap 1', { bootstrap: 1 }, 'bootstrap must be a boolean, got 1.'],
    ['seed 0.5', { seed: 0.5 }, 'seed must be a safe integer, got 0.5.'],
    ['seed beyond the safe integers', { seed: 2 ** 53 }, `seed must be a safe integer, got ${2 ** 53}.`],
    ['seed as text', { seed: '42' }, 'seed must be a safe integer, got "42".'],
  ])('%s', (_name, change, message) => {
    const error = refusal(change);
    expect(error.message).toBe(message);
    const param = Object.keys(change)[0];
    expect(error.details).toEqual({ param, value: (change as Record<string, unknown>)[param] });
  });

  test('settings that are not an object are refused in one sentence, not a TypeError', () => {
    for (const [given, said] of [[null, 'null'], [[3], 'an array'], [5, 'number']] as const) {
      let thrown: unknown;
      try {
        new RandomForestClassifier(given as never);
      } catch (error) {
        thrown = error;
      }
      expect(isRallyError(thrown, 'ESTIMATOR_BAD_PARAMS')).toBe(true);
      expect((thrown as Error).message).toBe(`Hyperparameters must be an object of settings, got ${said}.`);
    }
  });

  test('infinities and NaN are refused where a finite number is needed', () => {
    // (What they are shown as is left open: JSON.stringify writes them as null.)
    // Said as written: JSON would print "null" for each of these.
    expect(refusal({ maxDepth: -Infinity }).message).toBe('maxDepth must be an integer >= 1 or Infinity, got -Infinity.');
    expect(refusal({ maxDepth: NaN }).message).toBe('maxDepth must be an integer >= 1 or Infinity, got NaN.');
    expect(refusal({ nEstimators: Infinity }).message).toBe('nEstimators must be an integer from 1 to 100000, got Infinity.');
    expect(refusal({ leafPrior: Infinity }).message).toBe('leafPrior must be a number from 0 to 1000, got Infinity.');
    expect(refusal({ maxFeatures: Infinity }).message).toMatch(/^maxFeatures must be /);
    expect(refusal({ seed: NaN }).message).toMatch(/^seed must be a safe integer, got /);
  });

  test('maxFeatures above the number of features says how many there are', () => {
    const error = refusal({ maxFeatures: 5 }, 4);
    expect(error.message).toBe('maxFeatures must be at most the number of features (4), got 5.');
    expect(error.details).toEqual({ param: 'maxFeatures', value: 5 });
  });

  test('unknown hyperparameters are all listed, with the known ones', () => {
    const error = refusal({ max_depth: 3, criterion: 'gini' });
    expect(error.message).toBe(
      'Unknown hyperparameter max_depth, criterion (known: nEstimators, maxDepth, minSamplesSplit, minSamplesLeaf, maxFeatures, leafPrior, bootstrap, seed).',
    );
    expect(error.details).toEqual({ unknown: ['max_depth', 'criterion'] });
  });

  test('the first bad hyperparameter in the documented order is the one reported', () => {
    expect(refusal({ nEstimators: 0, seed: 0.5 }).message).toMatch(/^nEstimators/);
    expect(refusal({ maxDepth: 0, minSamplesSplit: 1 }).message).toMatch(/^maxDepth/);
    expect(refusal({ minSamplesLeaf: 0, maxFeatures: 0 }).message).toMatch(/^minSamplesLeaf/);
    expect(refusal({ leafPrior: -1, bootstrap: 'no' }).message).toMatch(/^leafPrior/);
    expect(refusal({ bootstrap: 'no', seed: 0.5 }).message).toMatch(/^bootstrap/);
  });
});

describe('resolveMaxFeatures: features drawn at each split', () => {
  test.each([
    ['all', 10, 10],
    ['all', 1, 1],
    ['sqrt', 10, 3],
    ['sqrt', 16, 4],
    ['sqrt', 1, 1],
    ['sqrt', 3, 1],
    ['log2', 10, 3],
    ['log2', 16, 4],
    ['log2', 2, 1],
    // log2(1) = 0: still one feature.
    ['log2', 1, 1],
    [3, 10, 3],
    [1, 22, 1],
    [0.5, 10, 5],
    [0.75, 22, 16],
    // A fraction too small for one feature still draws one.
    [0.01, 10, 1],
  ] as const)('maxFeatures %s of %i features: %i', (maxFeatures, nFeatures, expected) => {
    expect(resolveMaxFeatures(maxFeatures, nFeatures)).toBe(expected);
  });
});
