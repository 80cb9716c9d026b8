/**
 * @rally/model: what a trained model is, below everything that trains, stores, serves or compares it.
 * - Pipeline: the feature union + the forest, and its JSON (model.json); exportOnnx for other runtimes.
 * - The run/artifact layout: ARTIFACTS (model.json, dataset.csv, report.json), the model id (sha256
 *   of model.json), the checksums manifest, the report.json type, run folders in output/.
 * - One reader: readRunFolder (a run folder, verified) and loadModel (any model.json + report.json,
 *   from a folder or a store, verified against the id).
 */
export { Pipeline, type SerializedPipeline } from './pipeline.ts';
export { EXPORT_FORMATS, exportOnnx, pipelineOnnxInputs, type ExportFormat, type OnnxExport, type OnnxInput, type OnnxInputType } from './onnx.ts';
export {
  ARTIFACTS,
  MODEL_ID_PATTERN,
  MODEL_ID_PREFIX,
  assertArtifactName,
  assertModelId,
  checksumsOf,
  differingArtifacts,
  isModelId,
  modelIdOf,
  parseChecksums,
  sameChecksums,
  sha256Hex,
  verifyArtifact,
  type ArtifactChecksum,
  type ArtifactName,
  type ArtifactSet,
  type ModelChecksums,
} from './artifacts.ts';
export { parseReport, type TrainReport, type TuneReport } from './report.ts';
export { loadModel, readRunFolder, type LoadedModel } from './reader.ts';
export { assertArtifactSize, checkPipeline, DEFAULT_MODEL_MAX_BYTES } from './check.ts';
export { isProcessAlive, removeAbandoned } from './abandoned.ts';
export { OUTPUT_DIR, WORKSPACE_ROOT, listRuns, removeAbandonedRuns, resolveRun, writeRun, type RunSummary, type RunToWrite } from './runs.ts';
