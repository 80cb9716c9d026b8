export { LoadedModel, ProductionPredictor, assertValidPoints } from './predictor.ts';
export type { ModelInfo, Prediction, Predictor, ProbabilityPrediction, ProductionPredictorOptions } from './predictor.ts';
