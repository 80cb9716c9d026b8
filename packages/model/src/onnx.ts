/**
 * A trained model for other runtimes: the pipeline's forest as an ONNX model (an `ai.onnx.ml`
 * TreeEnsembleClassifier, see @rally/forest's toOnnxModel). Its input `X` is the feature matrix
 * (float64 [N, 14], the columns in `rally features` order, named in the metadata); its outputs are
 * `label` and `probabilities` [N, 3] in the model's class order. The 25 raw columns become those
 * 14 columns in rally (Pipeline.transform, `rally features`), not in the ONNX graph.
 */
import { toOnnxModel } from '@rally/forest';
import type { Pipeline } from './pipeline.ts';

export const EXPORT_FORMATS = ['onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The .onnx bytes of a fitted pipeline's forest; the model id and feature names go in its metadata. */
export function exportOnnx(pipeline: Pipeline, modelId: string, producerVersion?: string): Uint8Array {
  return toOnnxModel(pipeline.estimator, {
    featureNames: pipeline.featureNames(),
    metadata: { model_id: modelId, input: 'X: the feature matrix, float64 [N, features], columns as in feature_names (rally features)' },
    ...(producerVersion ? { producerVersion } : {}),
  });
}
