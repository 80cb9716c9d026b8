/**
 * What the benchmarks share with the Python references (bench/reference/*.py): its Debian packages, and
 * rally's split written as JSON so scikit-learn trains and tests on exactly the same rows.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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

/** Writes rally's train/test split and CV folds (fold indices are positions in the training part). */
export function writeReferenceSplit(labels: readonly string[], path: string): { train: Int32Array; test: Int32Array } {
  const { train, test } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
  const folds = stratifiedKFold(Array.from(train, (i) => labels[i]), SPLIT.folds, SPLIT.seed);
  const plain = (indices: Int32Array) => Array.from(indices);
  writeFileSync(path, JSON.stringify({ train: plain(train), test: plain(test), folds: folds.map((fold) => ({ train: plain(fold.train), test: plain(fold.test) })) }));
  return { train, test };
}
