import { RallyError } from '@rally/errors';
import { cellAt } from '../coded-column.ts';
import { booleanAt, column, type FeatureTransformer, numberAt, type RowBatch, StatelessFeature } from './transformer.ts';

/** Copies one numeric raw column. */
export class ColumnExtractor extends StatelessFeature {
  readonly columnName: string;
  readonly inputColumns: readonly string[];
  constructor(columnName: string) {
    super();
    this.columnName = columnName;
    this.inputColumns = [columnName];
  }
  outputNames(): string[] {
    return [this.columnName];
  }
  transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void {
    const values = column(batch, this.columnName);
    for (let r = 0; r < batch.rows; r += 1) out[r * stride + offset] = numberAt(values, r, this.columnName);
  }
}

/**
 * One-hot encoding of a category column with the first category (sorted) dropped, as
 * scikit-learn's OneHotEncoder(drop='first', handle_unknown='ignore'): categories are learned at
 * fit; one never seen then (valid under the data contract, which is checked before, but absent from
 * the training rows) encodes as all zeros, like the dropped first category. A model must answer
 * every point the contract allows.
 */
export class OneHotDropFirst implements FeatureTransformer {
  readonly columnName: string;
  readonly inputColumns: readonly string[];
  private categories: string[] | null = null;

  constructor(columnName: string) {
    this.columnName = columnName;
    this.inputColumns = [columnName];
  }

  get fitted(): boolean {
    return this.categories !== null;
  }

  fit(batch: RowBatch): void {
    const values = column(batch, this.columnName);
    const seen = new Set<string>();
    for (let r = 0; r < batch.rows; r += 1) seen.add(String(cellAt(values, r)));
    if (seen.size === 0) throw new RallyError('FEATURE_BAD_INPUT', `Cannot fit the "${this.columnName}" encoding on zero rows.`);
    this.categories = [...seen].sort();
  }

  private learned(): string[] {
    if (this.categories === null) {
      throw new RallyError('FEATURE_NOT_FITTED', `The "${this.columnName}" one-hot encoding is not fitted; call fit first.`);
    }
    return this.categories;
  }

  outputNames(): string[] {
    return this.learned().slice(1).map((category) => `${this.columnName}=${category}`);
  }

  transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void {
    const categories = this.learned();
    const values = column(batch, this.columnName);
    for (let r = 0; r < batch.rows; r += 1) {
      // -1 for an unseen category: no column gets a 1.
      const index = categories.indexOf(cellAt(values, r) as string);
      for (let j = 1; j < categories.length; j += 1) out[r * stride + offset + j - 1] = j === index ? 1 : 0;
    }
  }

  getState(): { categories: string[] } {
    return { categories: [...this.learned()] };
  }

  setState(state: unknown): void {
    const categories = (state as { categories?: unknown })?.categories;
    if (!Array.isArray(categories) || categories.length === 0 || !categories.every((c) => typeof c === 'string')) {
      throw new RallyError('MODEL_FORMAT', `The saved "${this.columnName}" encoding has no valid category list.`);
    }
    this.categories = [...categories];
  }
}

/** 1 when the ball landed out: outside the sideline or beyond the baseline. */
export class Out extends StatelessFeature {
  readonly inputColumns = ['outside.sideline', 'outside.baseline'] as const;
  outputNames(): string[] {
    return ['out'];
  }
  transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void {
    const sideline = column(batch, 'outside.sideline');
    const baseline = column(batch, 'outside.baseline');
    for (let r = 0; r < batch.rows; r += 1) {
      const isOut = booleanAt(sideline, r, 'outside.sideline') || booleanAt(baseline, r, 'outside.baseline');
      out[r * stride + offset] = isOut ? 1 : 0;
    }
  }
}

/**
 * 1 for the suspicious net clearance around -0.947 that the extraction writes for many points
 * (a tracking artefact the original app singled out); bounds are exclusive.
 */
export class WeirdNetClearance extends StatelessFeature {
  static readonly LOWER = -0.948;
  static readonly UPPER = -0.946;
  readonly inputColumns = ['net.clearance'] as const;
  outputNames(): string[] {
    return ['weird.net.clearance'];
  }
  transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void {
    const values = column(batch, 'net.clearance');
    for (let r = 0; r < batch.rows; r += 1) {
      const x = numberAt(values, r, 'net.clearance');
      out[r * stride + offset] = x > WeirdNetClearance.LOWER && x < WeirdNetClearance.UPPER ? 1 : 0;
    }
  }
}

/**
 * Distance the player ran divided by the straight-line distance between where they stood and
 * where they hit: 1 for a straight run. 1 when they did not move at all (as the original). When
 * they moved but ended where they started the ratio is unbounded: it is capped at MAX so the
 * matrix stays finite (the original produced inf, which scikit-learn refuses).
 */
export class DistanceTravelledRatio extends StatelessFeature {
  static readonly MAX = 1e6;
  readonly inputColumns = [
    'player.distance.travelled',
    'player.distance.from.center',
    'player.depth',
    'player.impact.distance.from.center',
    'player.impact.depth',
  ] as const;
  outputNames(): string[] {
    return ['distance.travelled.ratio'];
  }
  transformInto(batch: RowBatch, out: Float64Array, stride: number, offset: number): void {
    const [travelledName, x1Name, y1Name, x2Name, y2Name] = this.inputColumns;
    const travelled = column(batch, travelledName);
    const x1 = column(batch, x1Name);
    const y1 = column(batch, y1Name);
    const x2 = column(batch, x2Name);
    const y2 = column(batch, y2Name);
    for (let r = 0; r < batch.rows; r += 1) {
      const distance = numberAt(travelled, r, travelledName);
      const straight = Math.hypot(numberAt(x1, r, x1Name) - numberAt(x2, r, x2Name), numberAt(y1, r, y1Name) - numberAt(y2, r, y2Name));
      out[r * stride + offset] = distance === 0 ? 1 : Math.min(distance / straight, DistanceTravelledRatio.MAX);
    }
  }
}
