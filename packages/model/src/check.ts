/**
 * The check every model passes before it is used (deploy, rollback, hot reload, `rally predict
 * --model`, `rally compare`, `rally export`): a model.json whose checksums are consistent can still
 * be unable to answer (a training bug, or someone with write access to the bucket). Refused in one
 * sentence, MODEL_CHECK_FAILED; a model that fails never becomes production.
 */
import { RallyError } from '@rally/errors';
import { examplePoint, generateDataPoints, inputColumns, pointsToBatch, targetColumn } from '@rally/features';
import type { Pipeline } from './pipeline.ts';

/**
 * The largest model.json or report.json read (64 MiB): the largest model `--tune` makes on the
 * ground truth (200 trees, depth 20, sqrt features, leaves of 1) is 2.4 MB, and trees grow with the
 * rows, so this leaves room for twenty times the data. MODEL_MAX_BYTES sets another.
 */
export const DEFAULT_MODEL_MAX_BYTES = 64 * 1024 * 1024;

/** Rows every model predicts before it is used: the ground truth's first row and synthetic rows valid under the contract. */
const TRIAL_POINTS = [examplePoint(), ...generateDataPoints(7, 1)];

export function checkPipeline(pipeline: Pipeline, where: string): void {
  const refuse = (why: string, cause?: unknown) =>
    new RallyError('MODEL_CHECK_FAILED', `The model of ${where} cannot answer: ${why}; it was not loaded.`, cause === undefined ? {} : { cause });
  const width = pipeline.featureNames().length;
  const read = pipeline.estimator.nFeatures;
  if (read !== width) throw refuse(`its forest reads ${read} features but its feature union makes ${width} columns`);
  const domain = targetColumn().categories ?? [];
  const classes = [...pipeline.classes];
  if (classes.length !== domain.length || classes.some((c, i) => c !== domain[i])) {
    throw refuse(`its classes are ${classes.join(', ')}, not the target's ${domain.join(', ')}`);
  }
  let proba: Float64Array;
  try {
    proba = pipeline.predictProba(pointsToBatch(TRIAL_POINTS, inputColumns().map((column) => column.name)));
  } catch (error) {
    throw refuse(`a trial prediction failed (${(error as Error).message})`, error);
  }
  const k = classes.length;
  for (let r = 0; r < TRIAL_POINTS.length; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const p = proba[r * k + c]!;
      if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw refuse(`a trial prediction gave the probability ${p}`);
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-9) throw refuse(`a trial prediction's probabilities sum to ${sum}, not 1`);
  }
}

/** An artifact larger than the limit is refused before it is read (or, when its size is only known after, before it is parsed). */
export function assertArtifactSize(name: string, bytes: number, limit: number, where: string): void {
  if (bytes > limit) {
    throw new RallyError('MODEL_TOO_LARGE', `The ${name} of ${where} is ${bytes} bytes, over the limit of ${limit} (MODEL_MAX_BYTES); it was not read.`);
  }
}
