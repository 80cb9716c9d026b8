export { LoadedModel, ProductionPredictor, assertValidPoints } from './predictor.ts';
export type { ModelInfo, Prediction, Predictor, PredictOptions, ProbabilityPrediction, ProductionPredictorOptions, ReloadCounts } from './predictor.ts';
