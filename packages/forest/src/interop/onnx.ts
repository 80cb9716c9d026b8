/**
 * A fitted rally forest as an ONNX model: one `ai.onnx.ml` TreeEnsembleClassifier (opset 3), so
 * that any ONNX runtime (onnxruntime, Triton, KServe, onnxruntime-web in a browser) can serve it.
 *
 *   input  X              float64 [N, nFeatures]: the feature columns, in `rally features` order
 *   output label          string  [N]: the most probable class
 *   output probabilities  float32 [N, k]: class probabilities, columns in the model's class order
 *
 * Thresholds and leaf weights are written as double tensors (`*_as_tensor`), so the splits are
 * rally's own (`x < threshold` goes left: BRANCH_LT); each leaf's weights are its smoothed class
 * probabilities (the leaf prior folded in) divided by the number of trees, which the runtime sums.
 * The output is float32 by the operator's definition: probabilities agree with rally's to about 1e-7.
 */
import type { SerializedForest } from '../forest.ts';
import { leafProbabilities, preorderRightChildren } from '../compiled.ts';
import { ONNX_ELEMENT, type OnnxNode, writeOnnxModel } from './onnx-graph.ts';

export const ONNX_OPSETS = { '': 17, 'ai.onnx.ml': 3 } as const;

export interface OnnxExportOptions {
  /** Names of the input columns, written in the model's metadata (`feature_names`). */
  featureNames?: readonly string[];
  /** More metadata, e.g. the model id. */
  metadata?: Record<string, string>;
  producerVersion?: string;
}

type ForestLike = { toJSON(): SerializedForest } | SerializedForest;
const serializedOf = (forest: ForestLike): SerializedForest => ('toJSON' in forest ? forest.toJSON() : forest);

/**
 * The forest as one TreeEnsembleClassifier node reading `input` (float64 [N, nFeatures]) and writing
 * `outputs` (label, probabilities): for a larger graph (see @rally/model's pipeline export).
 */
export function treeEnsembleNode(forest: ForestLike, input: string, outputs: readonly [string, string] = ['label', 'probabilities']): OnnxNode {
  const model = serializedOf(forest);
  const k = model.classes.length;
  const nTrees = model.trees.length;
  const prior = model.params.leafPrior ?? 0;
  const nodeTree: number[] = [];
  const nodeId: number[] = [];
  const nodeFeature: number[] = [];
  const nodeMode: string[] = [];
  const nodeValue: number[] = [];
  const nodeTrue: number[] = [];
  const nodeFalse: number[] = [];
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classId: number[] = [];
  const classWeight: number[] = [];
  const probabilities = new Float64Array(k);
  model.trees.forEach((tree, t) => {
    const n = tree.feature.length;
    const right = preorderRightChildren(tree.feature);
    let split = 0;
    let leaf = 0;
    for (let i = 0; i < n; i++) {
      nodeTree.push(t);
      nodeId.push(i);
      const f = tree.feature[i]!;
      if (f >= 0) {
        nodeFeature.push(f);
        nodeMode.push('BRANCH_LT');
        nodeValue.push(tree.threshold[split++]!);
        nodeTrue.push(i + 1);
        nodeFalse.push(right[i]!);
      } else {
        nodeFeature.push(0);
        nodeMode.push('LEAF');
        nodeValue.push(0);
        nodeTrue.push(0);
        nodeFalse.push(0);
        leafProbabilities(tree.counts, leaf++, k, prior, probabilities);
        for (let c = 0; c < k; c++) {
          classTree.push(t);
          classNode.push(i);
          classId.push(c);
          classWeight.push(probabilities[c]! / nTrees);
        }
      }
    }
  });
  return {
    op: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    inputs: [input],
    outputs,
    attributes: {
      classlabels_strings: { strings: model.classes },
      class_ids: { ints: classId },
      class_nodeids: { ints: classNode },
      class_treeids: { ints: classTree },
      class_weights_as_tensor: { doubles: classWeight },
      nodes_falsenodeids: { ints: nodeFalse },
      nodes_featureids: { ints: nodeFeature },
      nodes_modes: { strings: nodeMode },
      nodes_nodeids: { ints: nodeId },
      nodes_treeids: { ints: nodeTree },
      nodes_truenodeids: { ints: nodeTrue },
      nodes_values_as_tensor: { doubles: nodeValue },
      post_transform: { string: 'NONE' },
    },
  };
}

/** A one-line description of a forest, for the model's doc string. */
export const describeForest = (model: SerializedForest): string =>
  `rally random forest: ${model.trees.length} trees, ${model.nFeatures} features, classes ${model.classes.join(', ')}`;

/** Exports a fitted forest (or its toJSON form) as the bytes of an .onnx file. */
export function toOnnxModel(forest: ForestLike, options: OnnxExportOptions = {}): Uint8Array {
  const model = serializedOf(forest);
  if (options.featureNames && options.featureNames.length !== model.nFeatures) {
    throw new RangeError(`${options.featureNames.length} feature names for a forest of ${model.nFeatures} features.`);
  }
  const metadata: Record<string, string> = {
    classes: JSON.stringify(model.classes),
    ...(options.featureNames ? { feature_names: JSON.stringify(options.featureNames) } : {}),
    ...options.metadata,
  };
  const graph = {
    name: 'rally_forest',
    inputs: [{ name: 'X', element: ONNX_ELEMENT.DOUBLE, dims: ['N', model.nFeatures] }],
    outputs: [
      { name: 'label', element: ONNX_ELEMENT.STRING, dims: ['N'] },
      { name: 'probabilities', element: ONNX_ELEMENT.FLOAT, dims: ['N', model.classes.length] },
    ],
    nodes: [treeEnsembleNode(model, 'X')],
  };
  return writeOnnxModel(graph, { docString: describeForest(model), opsets: ONNX_OPSETS, metadata, ...(options.producerVersion ? { producerVersion: options.producerVersion } : {}) });
}
