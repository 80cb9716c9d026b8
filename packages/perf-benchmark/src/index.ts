/**
 * perf-benchmark: a candidate run of output/ against the production model of the model store,
 * on production's dataset with the training split. The command is `rally compare` (@rally/cli).
 */
export { compareModels } from './compare.ts';
export type { BenchmarkProgress, BenchmarkResult, BenchmarkWarning, CompareOptions, ModelResult } from './compare.ts';
export { checkGate, decide, gateFailure } from './decision.ts';
export type { Decision, GateResult } from './decision.ts';
export { diagnose } from './diagnostics.ts';
export type { CalibrationBin, ClassMetrics, Diagnostics } from './diagnostics.ts';
export { formatDiagnostics, formatMarkdown, formatReport, formatSlices, slicesLine, formatTable, originalTableOf, pythonFixed4, resultToJSON, shortId, TABLE_FRAME, verdictLine } from './format.ts';
export { formatHtml } from './html.ts';
export { DIFFERENCE_BINS, DIFFERENCE_RANGE, differenceHistogram } from './evaluate.ts';
export type { FormatOptions, TableRow } from './format.ts';
export { pairedDifference, scorePredictions, summarizeCv } from './evaluate.ts';
export type { CvSummary, ModelEvaluation, PairedDifference, TestScores } from './evaluate.ts';
export { BOOTSTRAP_DEFAULTS, bootstrapMeanCI } from './bootstrap.ts';
export type { BootstrapOptions, ConfidenceInterval } from './bootstrap.ts';
export { findLeakage } from './leakage.ts';
export type { LeakageCheck } from './leakage.ts';
export { compareSlices, correctionText, MIN_SLICE_ROWS, normalQuantile, NUMERIC_SLICE_QUANTILES, slicesToJSON } from './slices.ts';
export type { RowOutcomes, SliceAnalysis, SliceKey, SliceOptions, SliceResult, SliceScores } from './slices.ts';
