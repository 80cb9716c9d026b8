import { RallyError } from '@rally/errors';
import { Random, shuffledIndices } from '@rally/features';

/** The split every run and every comparison uses, so test figures are comparable across models. */
export const SPLIT = { seed: 42, testSize: 0.2, folds: 5 } as const;

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * DATA_INSUFFICIENT, in one sentence naming the smallest class, unless every class has at least
 * `min` rows: what `purpose` needs of the data it is given.
 */
function assertRowsPerClass(groups: readonly Int32Array[], classes: readonly string[], min: number, purpose: string): void {
  const smallest = groups.reduce((best, group, i) => (group.length < groups[best].length ? i : best), 0);
  if (groups.length === 0 || groups[smallest].length >= min) return;
  const count = groups[smallest].length;
  const perClass = classes.map((label, i) => `${label} ${groups[i].length}`).join(', ');
  throw new RallyError('DATA_INSUFFICIENT', `Class ${classes[smallest]} has ${count} row${count === 1 ? '' : 's'}; ${purpose} needs at least ${min} rows of every class (per class: ${perClass}).`, {
    details: { classes: Object.fromEntries(classes.map((label, i) => [label, groups[i].length])), min },
  });
}

/** Row indices grouped by label, each group in seeded random order; and the sorted labels. */
function shuffledByClass(labels: readonly string[], seed: number): { groups: Int32Array[]; classes: string[] } {
  const random = new Random(seed);
  const groups = new Map<string, number[]>();
  for (const [i, label] of labels.entries()) {
    const group = groups.get(label) ?? [];
    group.push(i);
    groups.set(label, group);
  }
  // Sorted labels so the result does not depend on which class happens to come first.
  const classes = [...groups.keys()].sort();
  return {
    classes,
    groups: classes.map((label) => {
      const rows = groups.get(label)!;
      return Int32Array.from(shuffledIndices(rows.length, random), (j) => rows[j]);
    }),
  };
}

const sorted = (indices: number[]) => Int32Array.from(indices).sort();

/**
 * Stratified train/test split (scikit-learn's `train_test_split(stratify=y)`): the test part
 * has ceil(testSize * n) rows, spread over classes by largest remainder so each class keeps
 * its share. Deterministic for a seed.
 */
export function stratifiedSplit(labels: readonly string[], testSize = 0.2, seed = 42): Split {
  if (!(testSize > 0 && testSize < 1)) throw new RangeError(`testSize must be in (0, 1), got ${testSize}.`);
  const { groups, classes } = shuffledByClass(labels, seed);
  // One row of a class on each side at least: a class only in the test part was never learned.
  assertRowsPerClass(groups, classes, 2, 'a stratified train/test split');
  const nTest = Math.ceil(testSize * labels.length);
  const exact = groups.map((group) => (group.length * nTest) / labels.length);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((value, i) => [value - counts[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = nTest - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k += 1) counts[byRemainder[k][1]] += 1;
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((group, g) => {
    group.forEach((row, i) => (i < counts[g] ? test : train).push(row));
  });
  return { train: sorted(train), test: sorted(test) };
}

/**
 * Stratified k-fold (scikit-learn's StratifiedKFold(shuffle=True)): each class is dealt round
 * robin over the folds, so every fold keeps the class balance. Returns positions into `labels`.
 */
export function stratifiedKFold(labels: readonly string[], folds = 5, seed = 42): Split[] {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer >= 2, got ${folds}.`);
  const { groups, classes } = shuffledByClass(labels, seed);
  // Every fold must hold every class, or a fold's model never sees one its test part has.
  assertRowsPerClass(groups, classes, folds, `${folds}-fold stratified cross-validation`);
  const assignment = new Int32Array(labels.length);
  let dealt = 0;
  for (const group of groups) for (const row of group) assignment[row] = dealt++ % folds;
  return Array.from({ length: folds }, (_, fold) => {
    const train: number[] = [];
    const test: number[] = [];
    assignment.forEach((f, row) => (f === fold ? test : train).push(row));
    return { train: sorted(train), test: sorted(test) };
  });
}
