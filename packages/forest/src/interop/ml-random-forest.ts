/**
 * A fitted rally forest as an ml-random-forest 2.1.0 model: the JSON that the stock
 * `RandomForestClassifier.load` reads. Each tree becomes an ml-cart DTClassifier over all the
 * columns (rally draws features at each split, not once per tree, so every tree's column
 * selection is the identity), with rally's leaf probabilities.
 *
 * What the stock library then computes, by its own design and defects (see the interop tests):
 * - predict: the majority vote of the trees' most probable classes (ties: the first class to reach
 *   the top count, in tree order), where rally averages the trees' probabilities (soft voting, as
 *   scikit-learn does); they agree on all but the rows where the two votes differ;
 * - predictProbability(X, c): the share of votes for c, ignoring the first tree (its reduce starts
 *   from that tree's label), not rally's mean of leaf distributions.
 * Labels are class indices into `forest.classes` (the stock library needs 0..k-1).
 */
import type { SerializedForest } from '../forest.ts';
import { cartNodeOf, type CartNode } from './ml-cart.ts';

/** ml-random-forest 2.1.0's JSON form of a RandomForestClassifier (what its load reads). */
export interface MlRandomForestJSON {
  name: 'RFClassifier';
  baseModel: {
    indexes: number[][];
    n: number;
    replacement: boolean;
    maxFeatures: number;
    nEstimators: number;
    treeOptions: Record<string, unknown>;
    isClassifier: true;
    seed: number;
    useSampleBagging: boolean;
    estimators: { name: 'DTClassifier'; options: Record<string, unknown>; root: CartNode }[];
  };
}

/** Exports a fitted forest (or its toJSON form) for the stock ml-random-forest 2.1.0. */
export function toMlRandomForestJSON(forest: { toJSON(): SerializedForest } | SerializedForest): MlRandomForestJSON {
  const model = 'toJSON' in forest ? forest.toJSON() : forest;
  const k = model.classes.length;
  const columns = Array.from({ length: model.nFeatures }, (_, j) => j);
  // ml-cart's options for the rules rally grows by (see build-trees.ts); stock load keeps them.
  const treeOptions = {
    gainFunction: 'gini',
    splitFunction: 'mean',
    minNumSamples: model.params.minSamplesSplit - 1,
    maxDepth: model.params.maxDepth ?? Infinity,
    gainThreshold: 0,
  };
  return {
    name: 'RFClassifier',
    baseModel: {
      indexes: model.trees.map(() => columns),
      n: model.nFeatures,
      replacement: false,
      maxFeatures: model.nFeatures,
      nEstimators: model.trees.length,
      treeOptions,
      isClassifier: true,
      seed: model.params.seed,
      useSampleBagging: model.params.bootstrap,
      estimators: model.trees.map((tree) => ({ name: 'DTClassifier', options: { ...treeOptions, kind: 'classifier' }, root: cartNodeOf(tree, k, model.params.leafPrior ?? 0) })),
    },
  };
}
