import { DEFAULT_PARAMS, type RandomForestParams } from '@rally/forest';

/**
 * What `pnpm train` fits with no flags: the winner of `pnpm train --tune` (seed 42, 20 settings
 * plus the original's) on the ground truth's training part; the README shows the table that chose
 * it. The forest's own defaults (DEFAULT_PARAMS) stay scikit-learn's, the original app's settings.
 */
export const TRAIN_DEFAULTS: Readonly<Required<RandomForestParams>> = Object.freeze({
  ...DEFAULT_PARAMS,
  nEstimators: 100,
  maxDepth: 12,
  maxFeatures: 0.75,
  minSamplesLeaf: 8,
  leafPrior: 0.05,
});
