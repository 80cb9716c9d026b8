/**
 * Why a model scores as it does, from its test probabilities: scikit-learn's classification_report
 * (per-class precision, recall, F1, support) and confusion_matrix, the multiclass Brier score,
 * calibration (expected calibration error over 10 bins, and each class's reliability curve), and
 * the rows given p(true class) < 1e-6 that dominate log loss. Pure: probabilities and labels in.
 */
import { mostProbableClass } from '@rally/forest';
import { nearZeroRows } from '@rally/train';

export interface ClassMetrics {
  label: string;
  /** 0 when the class is never predicted (scikit-learn's zero_division=0). */
  precision: number;
  recall: number;
  f1: number;
  /** True rows of the class. */
  support: number;
}

/** One of 10 equal-width probability bins: its rows, their mean predicted probability, and how often they were right. */
export interface CalibrationBin {
  low: number;
  high: number;
  rows: number;
  /** Mean predicted probability of the rows (NaN for an empty bin). */
  confidence: number;
  /** Share of the rows whose event happened (NaN for an empty bin). */
  observed: number;
}

export interface Diagnostics {
  classes: string[];
  perClass: ClassMetrics[];
  macroF1: number;
  /** confusion[t][p]: test rows of true class t predicted as p, in `classes` order. */
  confusion: number[][];
  /** Mean over rows of the squared distance between the probabilities and the one-hot truth (0 best, 2 worst). */
  brier: number;
  /** Top-label calibration: bins of the highest probability, the event being "the predicted class is right". */
  calibration: CalibrationBin[];
  /** Expected calibration error: sum over bins of (rows / n) x |observed - confidence|. */
  ece: number;
  /** Per class: bins of p(class), the event being "the row is of that class" (reliability diagrams). */
  reliability: CalibrationBin[][];
  /** Test rows given p(true class) < threshold, and their share of the summed log loss. */
  nearZero: { threshold: number; rows: number; log_loss_share: number };
}

export const CALIBRATION_BINS = 10;

function binsOf(probabilities: ArrayLike<number>, events: ArrayLike<number>): CalibrationBin[] {
  const rows = new Array<number>(CALIBRATION_BINS).fill(0);
  const sumP = new Array<number>(CALIBRATION_BINS).fill(0);
  const hits = new Array<number>(CALIBRATION_BINS).fill(0);
  for (let i = 0; i < probabilities.length; i += 1) {
    // [0, 0.1), ..., [0.9, 1]: a probability of exactly 1 belongs to the last bin.
    const bin = Math.min(CALIBRATION_BINS - 1, Math.floor(probabilities[i] * CALIBRATION_BINS));
    rows[bin] += 1;
    sumP[bin] += probabilities[i];
    hits[bin] += events[i];
  }
  return rows.map((count, b) => ({
    low: b / CALIBRATION_BINS,
    high: (b + 1) / CALIBRATION_BINS,
    rows: count,
    // An empty bin gives 0 / 0: NaN, as documented.
    confidence: sumP[b] / count,
    observed: hits[b] / count,
  }));
}

/**
 * Diagnostics of test probabilities. `proba` is row-major rows x classes.length in `classes` order;
 * `rowLosses` the per-row log losses of the same rows (train's rowLogLosses).
 */
export function diagnose(trueLabels: readonly string[], proba: Float64Array, classes: readonly string[], rowLosses: Float64Array): Diagnostics {
  const k = classes.length;
  const n = trueLabels.length;
  if (proba.length !== n * k) throw new RangeError(`Expected ${n} x ${k} probabilities, got ${proba.length}.`);
  const index = new Map(classes.map((label, c) => [label, c]));
  const truth = Int32Array.from(trueLabels, (label) => {
    const c = index.get(label);
    if (c === undefined) throw new RangeError(`Label ${JSON.stringify(label)} is not one of the model's classes (${classes.join(', ')}).`);
    return c;
  });
  const predicted = mostProbableClass(proba, classes).map((label) => index.get(label)!);

  const confusion = classes.map(() => new Array<number>(k).fill(0));
  for (let r = 0; r < n; r += 1) confusion[truth[r]][predicted[r]] += 1;
  const perClass = classes.map((label, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, row) => sum + row[c], 0);
    const precision = predictedCount > 0 ? tp / predictedCount : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });

  let brier = 0;
  for (let r = 0; r < n; r += 1) for (let c = 0; c < k; c += 1) brier += (proba[r * k + c] - (truth[r] === c ? 1 : 0)) ** 2;

  const top = new Float64Array(n);
  const right = new Uint8Array(n);
  for (let r = 0; r < n; r += 1) {
    top[r] = proba[r * k + predicted[r]];
    right[r] = predicted[r] === truth[r] ? 1 : 0;
  }
  const calibration = binsOf(top, right);
  const ece = calibration.reduce((sum, bin) => (bin.rows > 0 ? sum + (bin.rows / n) * Math.abs(bin.observed - bin.confidence) : sum), 0);
  const reliability = classes.map((_, c) =>
    binsOf(
      Float64Array.from({ length: n }, (_, r) => proba[r * k + c]),
      Uint8Array.from(truth, (t) => (t === c ? 1 : 0)),
    ),
  );

  return {
    classes: [...classes],
    perClass,
    macroF1: perClass.reduce((sum, m) => sum + m.f1, 0) / k,
    confusion,
    brier: brier / n,
    calibration,
    ece,
    reliability,
    nearZero: nearZeroRows(rowLosses),
  };
}
