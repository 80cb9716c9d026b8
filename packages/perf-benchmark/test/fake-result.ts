import { type BenchmarkResult, decide, diagnose } from '../src/index.ts';
import { rowLogLosses } from '@rally/train';
import type { TrainReport } from '@rally/model';

export const CANDIDATE_ID = '72d8370124' + 'ab'.repeat(27);
export const PRODUCTION_ID = '3f00' + '0'.repeat(60);

const report = (id: string, testLogLoss: number): TrainReport =>
  ({ model_id: id, created_at: '2026-11-27T10:31:05.123Z', test_log_loss: testLogLoss, accuracy: 0.6, cv_mean_log_loss: 0.5, cv_std_log_loss: 0.05 }) as TrainReport;

const config = { params: { nEstimators: 10, maxDepth: 5, seed: 42 }, featureNames: ['speed', 'depth'] } as unknown as BenchmarkResult['candidate']['config'];

const TRAINED_ON = { file: 'australian_open.csv', sha256: 'a'.repeat(64), rows: 5000 };

/** Five test rows, one of them given probability 0 for its true class (the worked example of diagnostics.test.ts). */
export const EXAMPLE_LABELS = ['FE', 'FE', 'UE', 'UE', 'W'];
export const EXAMPLE_PROBA = Float64Array.from([0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.8, 0.1, 0.05, 0.9, 0.05, 0.5, 0.5, 0]);
const CLASSES = ['FE', 'UE', 'W'];
const diagnostics = diagnose(EXAMPLE_LABELS, EXAMPLE_PROBA, CLASSES, rowLogLosses(EXAMPLE_LABELS, EXAMPLE_PROBA, CLASSES));

const model = (role: 'candidate' | 'production', modelId: string, logLoss: number, accuracy: number, cv: BenchmarkResult['candidate']['cv']) => ({
  role,
  modelId,
  logLoss,
  accuracy,
  rowLosses: new Float64Array(),
  correct: new Uint8Array(),
  cv,
  config,
  trainedOn: { ...TRAINED_ON },
  report: report(modelId, logLoss),
  diagnostics,
});

/** Three slices as compareSlices gives them: one worse with confidence, one judged and not worse, one too small to judge. */
export const FAKE_SLICES: BenchmarkResult['slices'] = {
  correction: { method: 'bonferroni', slices: 2, confidence: 0.975, familyConfidence: 0.95, interval: 'bootstrap normal (mean ± z · bootstrap standard error)', resamples: 2000, seed: 42, minRows: 50 },
  slices: [
    { slice: { column: 'serve', value: 2 }, label: 'serve = 2', rows: 310, candidate: { logLoss: 1.1, accuracy: 0.52 }, production: { logLoss: 0.41, accuracy: 0.81 }, difference: { mean: 0.69, ci: [0.55, 0.83] }, judged: true, worse: true, better: false },
    { slice: { column: 'speed', range: [5.34, 28.1] }, label: 'speed in [5.34, 28.1]', rows: 250, candidate: { logLoss: 0.4, accuracy: 0.8 }, production: { logLoss: 0.39, accuracy: 0.81 }, difference: { mean: 0.01, ci: [-0.04, 0.06] }, judged: true, worse: false, better: false },
    { slice: { column: 'hitpoint', value: 'U' }, label: 'hitpoint = U', rows: 12, candidate: { logLoss: 0.3, accuracy: 0.9 }, production: { logLoss: 0.31, accuracy: 0.9 }, difference: null, judged: false, worse: false, better: false },
  ],
};

/** A hand-made result with the figures of the original's example. */
export function fakeResult(overrides: Partial<BenchmarkResult> = {}): BenchmarkResult {
  const result: Omit<BenchmarkResult, 'decision'> = {
    candidate: { ...model('candidate', CANDIDATE_ID, 0.77541, 0.614, { losses: [0.9, 1.0, 0.8, 0.9, 0.91], mean: 0.90274, std: 0.14409 }), dir: `/runs/${CANDIDATE_ID}` },
    production: { ...model('production', PRODUCTION_ID, 0.37689, 0.656, { losses: [0.46, 0.47, 0.46, 0.46, 0.464], mean: 0.46283, std: 0.05108 }), promotedAt: '2026-11-27T11:00:00.000Z' },
    store: 'local folder /srv/store',
    evaluation: {
      dataset: { ...TRAINED_ON },
      split: { seed: 42, testSize: 0.2, folds: 5, trainRows: 4000, testRows: 1000 },
    },
    difference: { estimate: 0.39852, low: 0.35123, high: 0.44704, confidence: 0.95, resamples: 2000, seed: 42, rows: 1000, verdict: 'worse' },
    slices: FAKE_SLICES,
    leakage: { testRows: 1000, leakedRows: 0, byId: 0, byContent: 0, sampleIds: [] },
    sameDataset: true,
    warnings: [],
    ...overrides,
  };
  return { ...result, decision: overrides.decision ?? decide(result) };
}
