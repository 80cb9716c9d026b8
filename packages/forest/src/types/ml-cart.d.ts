/**
 * Types for the parts of the stock ml-cart 2.1.1 that rally's tests and interop use (the package
 * ships none). Only the published API: rally's grower is its own code (src/grower).
 */
declare module 'ml-cart' {
  export interface DecisionTreeClassifierOptions {
    gainFunction?: 'gini';
    splitFunction?: 'mean';
    /** A node with this many rows or fewer becomes a leaf (default 3). */
    minNumSamples?: number;
    maxDepth?: number;
    /** A node is split only if the best gain is above this (default 0.01). */
    gainThreshold?: number;
  }

  export class DecisionTreeClassifier {
    constructor(options?: DecisionTreeClassifierOptions);
    options: DecisionTreeClassifierOptions & { kind: 'classifier' };
    /** Labels must be integers 0..k-1. */
    train(trainingSet: number[][], trainingLabels: number[]): void;
    predict(toPredict: number[][]): number[];
    toJSON(): { options: object; root: unknown; name: 'DTClassifier' };
    static load(model: unknown): DecisionTreeClassifier;
  }
}
