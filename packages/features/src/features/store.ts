import { ColumnExtractor, DistanceTravelledRatio, OneHotDropFirst, Out, WeirdNetClearance } from './definitions.ts';
import type { FeatureTransformer } from './transformer.ts';

/**
 * The feature store: every named feature rally knows, each a factory of a fresh transformer.
 * A saved feature union records names only, and is rebuilt from here on load.
 */
export const FEATURE_STORE: ReadonlyMap<string, () => FeatureTransformer> = new Map<string, () => FeatureTransformer>([
  ['speed', () => new ColumnExtractor('speed')],
  ['net.clearance', () => new ColumnExtractor('net.clearance')],
  ['distance.from.sideline', () => new ColumnExtractor('distance.from.sideline')],
  ['depth', () => new ColumnExtractor('depth')],
  ['player.distance.travelled', () => new ColumnExtractor('player.distance.travelled')],
  ['player.impact.depth', () => new ColumnExtractor('player.impact.depth')],
  ['previous.distance.from.sideline', () => new ColumnExtractor('previous.distance.from.sideline')],
  ['previous.time.to.net', () => new ColumnExtractor('previous.time.to.net')],
  ['hitpoint', () => new OneHotDropFirst('hitpoint')],
  ['out', () => new Out()],
  ['weird.net.clearance', () => new WeirdNetClearance()],
  ['distance.travelled.ratio', () => new DistanceTravelledRatio()],
]);

/** The original app's 12 features (14 output columns), in its order. */
export const DEFAULT_FEATURES: readonly string[] = [...FEATURE_STORE.keys()];
