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
import { leafProbabilities } from '../compiled.ts';
import { ProtoWriter } from './protobuf.ts';

/** ONNX's enums, as far as they are used here. */
const ATTRIBUTE = { INT: 2, STRING: 3, TENSOR: 4, INTS: 7, STRINGS: 8 } as const;
const ELEMENT = { FLOAT: 1, INT64: 7, STRING: 8, DOUBLE: 11 } as const;
/** IR version 8 (ONNX 1.10+), read by every runtime of the last years. */
const IR_VERSION = 8;
export const ONNX_OPSETS = { '': 17, 'ai.onnx.ml': 3 } as const;

export interface OnnxExportOptions {
  /** Names of the input columns, written in the model's metadata (`feature_names`). */
  featureNames?: readonly string[];
  /** More metadata, e.g. the model id. */
  metadata?: Record<string, string>;
  producerVersion?: string;
}

interface AttributeValue {
  ints?: ArrayLike<number>;
  strings?: readonly string[];
  string?: string;
  int?: number;
  doubles?: ArrayLike<number>;
}

function attribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.message(5, (a) => {
    a.string(1, name);
    if (value.int !== undefined) a.int(3, value.int).int(20, ATTRIBUTE.INT);
    else if (value.string !== undefined) a.string(4, value.string).int(20, ATTRIBUTE.STRING);
    else if (value.ints) a.packedInts(8, value.ints).int(20, ATTRIBUTE.INTS);
    else if (value.strings) {
      for (const s of value.strings) a.string(9, s);
      a.int(20, ATTRIBUTE.STRINGS);
    } else if (value.doubles) {
      const doubles = value.doubles;
      a.message(5, (t) => t.packedInts(1, [doubles.length]).int(2, ELEMENT.DOUBLE).packedDoubles(10, doubles)).int(20, ATTRIBUTE.TENSOR);
    }
  });
}

/** A tensor's type and shape; a string dimension is symbolic (the batch size). */
function valueInfo(w: ProtoWriter, field: number, name: string, element: number, dims: (number | string)[]): void {
  w.message(field, (v) => {
    v.string(1, name);
    v.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, element);
        tensor.message(2, (shape) => {
          for (const dim of dims) shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        });
      }),
    );
  });
}

/** Exports a fitted forest (or its toJSON form) as the bytes of an .onnx file. */
export function toOnnxModel(forest: { toJSON(): SerializedForest } | SerializedForest, options: OnnxExportOptions = {}): Uint8Array {
  const model = 'toJSON' in forest ? forest.toJSON() : forest;
  const k = model.classes.length;
  const nTrees = model.trees.length;
  const prior = model.params.leafPrior ?? 0;
  if (options.featureNames && options.featureNames.length !== model.nFeatures) {
    throw new RangeError(`${options.featureNames.length} feature names for a forest of ${model.nFeatures} features.`);
  }
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
    // Preorder: a split's left child follows it; its right child follows its left subtree.
    const right = new Int32Array(n).fill(-1);
    const pending: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0 && tree.feature[i - 1]! < 0) right[pending.pop()!] = i;
      if (tree.feature[i]! >= 0) pending.push(i);
    }
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

  const metadata: Record<string, string> = {
    classes: JSON.stringify(model.classes),
    ...(options.featureNames ? { feature_names: JSON.stringify(options.featureNames) } : {}),
    ...options.metadata,
  };
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, 'rally');
  if (options.producerVersion) w.string(3, options.producerVersion);
  w.string(6, `rally random forest: ${nTrees} trees, ${model.nFeatures} features, classes ${model.classes.join(', ')}`);
  w.message(7, (graph) => {
    graph.message(1, (node) => {
      node.string(1, 'X').string(2, 'label').string(2, 'probabilities').string(3, 'forest').string(4, 'TreeEnsembleClassifier').string(7, 'ai.onnx.ml');
      attribute(node, 'classlabels_strings', { strings: model.classes });
      attribute(node, 'class_ids', { ints: classId });
      attribute(node, 'class_nodeids', { ints: classNode });
      attribute(node, 'class_treeids', { ints: classTree });
      attribute(node, 'class_weights_as_tensor', { doubles: classWeight });
      attribute(node, 'nodes_falsenodeids', { ints: nodeFalse });
      attribute(node, 'nodes_featureids', { ints: nodeFeature });
      attribute(node, 'nodes_modes', { strings: nodeMode });
      attribute(node, 'nodes_nodeids', { ints: nodeId });
      attribute(node, 'nodes_treeids', { ints: nodeTree });
      attribute(node, 'nodes_truenodeids', { ints: nodeTrue });
      attribute(node, 'nodes_values_as_tensor', { doubles: nodeValue });
      attribute(node, 'post_transform', { string: 'NONE' });
    });
    graph.string(2, 'rally_forest');
    valueInfo(graph, 11, 'X', ELEMENT.DOUBLE, ['N', model.nFeatures]);
    valueInfo(graph, 12, 'label', ELEMENT.STRING, ['N']);
    valueInfo(graph, 12, 'probabilities', ELEMENT.FLOAT, ['N', k]);
  });
  for (const [domain, version] of Object.entries(ONNX_OPSETS)) w.message(8, (opset) => opset.string(1, domain).int(2, version));
  for (const [key, value] of Object.entries(metadata)) w.message(14, (entry) => entry.string(1, key).string(2, value));
  return w.finish();
}
