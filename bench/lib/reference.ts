/**
 * What the benchmarks share with the Python references (bench/reference/*.py): its Debian packages, and
 * rally's split written as JSON so scikit-learn trains and tests on exactly the same rows.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { RandomForestParams } from '@rally/forest';
import { SPLIT, stratifiedKFold, stratifiedSplit } from '@rally/train';

/** Installs Debian packages when `check` (a command) fails: the reference needs them, CI does not. */
export function ensureDebianPackages(check: string[], packages: string[]): void {
  try {
    execFileSync(check[0], check.slice(1), { stdio: 'ignore' });
  } catch {
    console.error(`Installing ${packages.join(', ')} from Debian...`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'ignore' });
  }
}

/**
 * rally's hyperparameters as scikit-learn RandomForestClassifier keyword arguments. scikit-learn
 * has no leaf prior: a setting with one is fitted without it there (say so where it is printed).
 */
export function sklearnSettings(params: Required<RandomForestParams>): Record<string, unknown> {
  return {
    n_estimators: params.nEstimators,
    max_depth: params.maxDepth === Infinity ? null : params.maxDepth,
    max_features: params.maxFeatures === 'all' ? null : params.maxFeatures,
    min_samples_split: params.minSamplesSplit,
    min_samples_leaf: params.minSamplesLeaf,
    bootstrap: params.bootstrap,
  };
}

/** Writes rally's train/test split and CV folds (fold indices are positions in the training part). */
export function writeReferenceSplit(labels: readonly string[], path: string): { train: Int32Array; test: Int32Array } {
  const { train, test } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
  const folds = stratifiedKFold(Array.from(train, (i) => labels[i]), SPLIT.folds, SPLIT.seed);
  const plain = (indices: Int32Array) => Array.from(indices);
  writeFileSync(path, JSON.stringify({ train: plain(train), test: plain(test), folds: folds.map((fold) => ({ train: plain(fold.train), test: plain(fold.test) })) }));
  return { train, test };
}
