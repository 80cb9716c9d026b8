/** Probability clipping of scikit-learn 1.2's log_loss (eps=1e-15), so losses compare with it. */
export const LOG_LOSS_EPS = 1e-15;

/**
 * Per-row log loss: -log p(true class), with probabilities clipped to [eps, 1-eps] and rows
 * renormalised, as scikit-learn does. `proba` is row-major rows x k in `classes` order.
 */
export function rowLogLosses(trueLabels: readonly string[], proba: Float64Array, classes: readonly string[]): Float64Array {
  const k = classes.length;
  const index = new Map(classes.map((label, i) => [label, i]));
  const losses = new Float64Array(trueLabels.length);
  for (let r = 0; r < trueLabels.length; r += 1) {
    const c = index.get(trueLabels[r]);
    if (c === undefined) throw new RangeError(`Label ${JSON.stringify(trueLabels[r])} is not one of the model's classes (${classes.join(', ')}).`);
    let sum = 0;
    for (let j = 0; j < k; j += 1) sum += clip(proba[r * k + j]);
    losses[r] = -Math.log(clip(proba[r * k + c]) / sum);
  }
  return losses;
}

const clip = (p: number) => Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);

export function logLoss(trueLabels: readonly string[], proba: Float64Array, classes: readonly string[]): number {
  return mean(rowLogLosses(trueLabels, proba, classes));
}

export function accuracy(trueLabels: readonly string[], predicted: readonly string[]): number {
  let hits = 0;
  for (let i = 0; i < trueLabels.length; i += 1) if (trueLabels[i] === predicted[i]) hits += 1;
  return hits / trueLabels.length;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i];
  return sum / values.length;
}

/** Population standard deviation (numpy's default, ddof=0), used for every CV std in rally. */
export function populationStd(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += (values[i] - m) ** 2;
  return Math.sqrt(sum / values.length);
}
