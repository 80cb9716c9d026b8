import { isRallyError, RallyError } from '@rally/errors';
import { type ArtifactName, type ArtifactSet, loadModel, type Pipeline, readRunFolder, sha256Hex, type TrainReport } from '@rally/model';
import type { ModelCache, ModelStore } from '@rally/model-store';
import { SPLIT } from '@rally/train';
import type { BootstrapOptions } from './bootstrap.ts';
import { type BenchmarkDataset, datasetFromBytes, splitDataset } from './data.ts';
import { evaluateModel, type ModelEvaluation, type PairedDifference, pairedDifference } from './evaluate.ts';
import { findLeakage, type LeakageCheck } from './leakage.ts';
import { type Decision, decide } from './decision.ts';
import { compareSlices, type SliceAnalysis } from './slices.ts';

export type Role = 'candidate' | 'production';

export interface ModelResult extends ModelEvaluation {
  role: Role;
  modelId: string;
  /** The dataset the model was trained on (from its report; sha256 of the actual bytes). */
  trainedOn: { file: string; sha256: string; rows: number };
  /** Its own report.json, as written at training time. */
  report: TrainReport;
}

export interface BenchmarkWarning {
  code: 'leakage' | 'different_dataset' | 'report_mismatch' | 'same_model';
  message: string;
}

export interface BenchmarkResult {
  candidate: ModelResult & { dir: string };
  production: ModelResult & { promotedAt: string };
  /** The store production came from (its description). */
  store: string;
  /** Both models are evaluated on production's dataset, split as in training. */
  evaluation: {
    dataset: { file: string; sha256: string; rows: number };
    split: { seed: number; testSize: number; folds: number; trainRows: number; testRows: number };
  };
  /** Per-row test log loss, candidate minus production (positive: candidate worse). */
  difference: PairedDifference;
  /** The verdict from the paired difference and the CV means together. */
  decision: Decision;
  /** The same comparison slice by slice (contract categories, numeric quartiles), weakest first. */
  slices: SliceAnalysis;
  /** Rows of production's test part among the candidate's training rows. */
  leakage: LeakageCheck;
  sameDataset: boolean;
  warnings: BenchmarkWarning[];
}

export type BenchmarkProgress =
  | { phase: 'candidate'; modelId: string; dir: string }
  | { phase: 'production'; modelId: string; promotedAt: string; store: string }
  | { phase: 'fetched'; downloaded: number; fromCache: number }
  | { phase: 'evaluating'; role: Role }
  | { phase: 'fold'; role: Role; fold: number; folds: number; logLoss: number };

export interface CompareOptions {
  /** The candidate's run folder (output/<model-id>/), e.g. `resolveRun(id).dir`. */
  candidateDir: string;
  store: ModelStore;
  cache: ModelCache;
  /** Worker threads for refitting forests, 0 for none (results do not depend on it); default: the forest decides. */
  workers?: number;
  bootstrap?: BootstrapOptions;
  onProgress?: (event: BenchmarkProgress) => void;
}

/** Records the artifact downloads that reach the store (the cache serves the others). */
export class CountingStore implements ModelStore {
  readonly downloads: ArtifactName[] = [];
  private readonly inner: ModelStore;
  constructor(inner: ModelStore) {
    this.inner = inner;
  }
  get description() {
    return this.inner.description;
  }
  hasModel(id: string) {
    return this.inner.hasModel(id);
  }
  putModel(id: string, files: Record<ArtifactName, Buffer>) {
    return this.inner.putModel(id, files);
  }
  getArtifact(id: string, name: ArtifactName) {
    this.downloads.push(name);
    return this.inner.getArtifact(id, name);
  }
  getChecksums(id: string) {
    return this.inner.getChecksums(id);
  }
  findChecksums(id: string) {
    return this.inner.findChecksums(id);
  }
  listModels() {
    return this.inner.listModels();
  }
  getProduction() {
    return this.inner.getProduction();
  }
  promote(id: string, now?: Date) {
    return this.inner.promote(id, now);
  }
  history() {
    return this.inner.history();
  }
}

interface LoadedModel {
  modelId: string;
  pipeline: Pipeline;
  report: TrainReport;
  dataset: BenchmarkDataset;
}

/**
 * Loads the three artifacts of a model: model.json and report.json through model's verified reader,
 * dataset.csv as training loads it (unreadable or invalid data is STORE_CORRUPTED naming the model).
 * `known`: a dataset already parsed, reused when dataset.csv has the same bytes (candidate and
 * production usually do).
 */
function parseArtifacts(where: string, modelId: string, files: ArtifactSet, known?: BenchmarkDataset): LoadedModel {
  const { pipeline, report } = loadModel(modelId, files, where);
  let dataset: BenchmarkDataset;
  try {
    dataset = known?.sha256 === sha256Hex(files['dataset.csv']) ? known : datasetFromBytes(files['dataset.csv'], `the dataset.csv of ${where}`);
  } catch (error) {
    if (isRallyError(error)) throw new RallyError('STORE_CORRUPTED', error.message, { cause: error });
    throw new RallyError('STORE_CORRUPTED', `The dataset.csv of ${where} cannot be loaded (${(error as Error).message.replace(/\.$/, '')}).`, { cause: error });
  }
  return { modelId, pipeline, report, dataset };
}

async function loadCandidate(dir: string): Promise<LoadedModel> {
  const { modelId, files } = await readRunFolder(dir);
  return parseArtifacts(`run ${modelId.slice(0, 12)} (${dir})`, modelId, files);
}

async function loadProduction(store: CountingStore, cache: ModelCache, candidateDataset: BenchmarkDataset, onProgress?: CompareOptions['onProgress']) {
  const pointer = await store.getProduction();
  if (!pointer) {
    throw new RallyError('STORE_NO_PRODUCTION', `The model store (${store.description}) has no production model to compare with; deploy one with rally deploy <model-id>.`);
  }
  onProgress?.({ phase: 'production', modelId: pointer.model_id, promotedAt: pointer.promoted_at, store: store.description });
  const names = ['report.json', 'model.json', 'dataset.csv'] as const;
  const bytes = await Promise.all(names.map((name) => cache.fetch(store, pointer.model_id, name)));
  onProgress?.({ phase: 'fetched', downloaded: store.downloads.length, fromCache: names.length - store.downloads.length });
  const files = Object.fromEntries(names.map((name, i) => [name, bytes[i]])) as ArtifactSet;
  return { pointer, model: parseArtifacts(`production model ${pointer.model_id.slice(0, 12)} in ${store.description}`, pointer.model_id, files, candidateDataset) };
}

function splitOf(report: TrainReport): { testSize: number; seed: number } {
  const testSize = report.split?.test_size;
  const seed = report.split?.seed;
  return {
    testSize: typeof testSize === 'number' && testSize > 0 && testSize < 1 ? testSize : SPLIT.testSize,
    seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : SPLIT.seed,
  };
}

const short = (sha: string) => sha.slice(0, 12);

/** Production's own test log loss must come out as in its report: same model, same rows, same split. */
const REPORT_TOLERANCE = 1e-9;

/**
 * The benchmark: the candidate (a local run) against the production model of the store, both on
 * production's dataset with the training split (stratified 80/20, seed 42). Each fitted model is
 * scored on the test part; each configuration is refitted on 5 stratified folds of the training
 * part; the per-row test log losses are compared pairwise with a bootstrap interval; and the
 * candidate's training rows are checked against production's test part.
 */
export async function compareModels(options: CompareOptions): Promise<BenchmarkResult> {
  const { onProgress } = options;
  const candidate = await loadCandidate(options.candidateDir);
  onProgress?.({ phase: 'candidate', modelId: candidate.modelId, dir: options.candidateDir });
  const store = new CountingStore(options.store);
  const { pointer, model: production } = await loadProduction(store, options.cache, candidate.dataset, onProgress);

  const data = production.dataset;
  const split = splitDataset(data, SPLIT.testSize, SPLIT.seed);
  const evaluate = async (model: LoadedModel, role: Role): Promise<ModelResult> => {
    onProgress?.({ phase: 'evaluating', role });
    let evaluation: ModelEvaluation;
    try {
      evaluation = await evaluateModel(model.pipeline, split, {
        workers: options.workers,
        onFold: (fold, folds, logLoss) => onProgress?.({ phase: 'fold', role, fold, folds, logLoss }),
      });
    } catch (error) {
      if (isRallyError(error)) throw error;
      // e.g. a model that never saw one of the classes of production's test part
      const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
      throw new RallyError('ESTIMATOR_BAD_INPUT', `The ${role} model ${model.modelId.slice(0, 12)} cannot be evaluated on production's dataset (${reason}).`, { cause: error });
    }
    const trainedOn = { file: model.report.dataset?.file ?? 'dataset.csv', sha256: model.dataset.sha256, rows: model.dataset.batch.rows };
    return { ...evaluation, role, modelId: model.modelId, trainedOn, report: model.report };
  };
  const productionResult = await evaluate(production, 'production');
  const candidateResult = await evaluate(candidate, 'candidate');

  // The candidate saw its own training part: recompute it from its dataset and its recorded split.
  const sameDataset = candidate.dataset.sha256 === data.sha256;
  const candidateSplit = splitOf(candidate.report);
  const sameSplit = sameDataset && candidateSplit.testSize === SPLIT.testSize && candidateSplit.seed === SPLIT.seed;
  const candidateTrain = sameSplit ? split.trainBatch : splitDataset(candidate.dataset, candidateSplit.testSize, candidateSplit.seed).trainBatch;
  const leakage = findLeakage(candidateTrain, split.testBatch);

  const warnings: BenchmarkWarning[] = [];
  if (candidate.modelId === production.modelId) {
    warnings.push({ code: 'same_model', message: 'The candidate is the production model itself.' });
  }
  if (leakage.leakedRows > 0) {
    const example = leakage.sampleIds.length ? `, e.g. id ${leakage.sampleIds.slice(0, 3).join(', ')}` : '';
    warnings.push({
      code: 'leakage',
      message: `The candidate was trained on ${leakage.leakedRows} of the ${leakage.testRows} rows of production's test part (${leakage.byId} matched by id, ${leakage.byContent} by content${example}), so its test log loss and accuracy are optimistic.`,
    });
  }
  if (!sameDataset) {
    warnings.push({
      code: 'different_dataset',
      message: `The candidate was trained on a different dataset (${candidateResult.trainedOn.file}, ${candidateResult.trainedOn.rows} rows, sha256 ${short(candidate.dataset.sha256)}) than production (${productionResult.trainedOn.file}, ${data.batch.rows} rows, sha256 ${short(data.sha256)}); both are evaluated on production's.`,
    });
  }
  const reported = production.report.test_log_loss;
  if (!(Math.abs(productionResult.logLoss - reported) <= REPORT_TOLERANCE)) {
    warnings.push({
      code: 'report_mismatch',
      message: `Production's test log loss here (${productionResult.logLoss.toFixed(6)}) differs from its report.json (${Number(reported).toFixed(6)}): its model, dataset or report is not what it claims.`,
    });
  }

  const difference = pairedDifference(candidateResult.rowLosses, productionResult.rowLosses, options.bootstrap);
  const slices = compareSlices(split.testBatch, data.batch, candidateResult, productionResult, { resamples: options.bootstrap?.resamples, seed: options.bootstrap?.seed });
  return {
    candidate: { ...candidateResult, dir: options.candidateDir },
    production: { ...productionResult, promotedAt: pointer.promoted_at },
    store: options.store.description,
    evaluation: {
      dataset: { file: productionResult.trainedOn.file, sha256: data.sha256, rows: data.batch.rows },
      split: { seed: SPLIT.seed, testSize: SPLIT.testSize, folds: SPLIT.folds, trainRows: split.train.length, testRows: split.test.length },
    },
    difference,
    decision: decide({ difference, candidate: candidateResult, production: productionResult }),
    slices,
    leakage,
    sameDataset,
    warnings,
  };
}
