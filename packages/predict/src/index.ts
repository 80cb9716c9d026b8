export { LoadedModel, ProductionPredictor, assertValidPoints, loadProductionModel } from './predictor.ts';
export type { ModelInfo, Prediction, Predictor, PredictOptions, ProbabilityPrediction, ProductionPredictorOptions, ReloadCounts } from './predictor.ts';
