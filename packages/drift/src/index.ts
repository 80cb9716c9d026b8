export { DRIFT_DEFAULTS, DRIFT_RULE, detectDrift, effectThreshold } from './detect.ts';
export type { BinShare, ColumnDrift, DriftOptions, DriftReport } from './detect.ts';
export { binOf, driftKindOf, MAX_INTEGER_CATEGORIES, NUMERIC_BIN_QUANTILES, ProfileBuilder, profileDataset } from './profile.ts';
export type { ColumnProfile, DatasetProfile, DriftKind, DriftTest } from './profile.ts';
export { chiSquareHomogeneity, chiSquareSurvival, countOnGrid, distinctAscending, holmAdjust, kolmogorovSurvival, ksStatistic, ksStatisticOnGrid, ksTest, ksTestOnGrid, psi, PSI_FLOOR } from './statistics.ts';
export { columnsInReportOrder, driftToJSON, driftVerdict, formatDriftHtml, formatDriftReport, sharesSvg } from './format.ts';
export type { DriftSources } from './format.ts';
