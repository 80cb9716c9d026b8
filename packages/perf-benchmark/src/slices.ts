/**
 * Where a candidate fails: the comparison slice by slice (TensorFlow Model Analysis' metrics per
 * slice, Deepchecks' weak segments). Slices come from the data contract: every value of each
 * category and boolean column (and of small integer columns, `serve` 1 or 2), and each numeric
 * column in quartile buckets of the reference (the evaluation dataset, all rows). Per slice and
 * model: rows, log loss, accuracy; the paired per-row difference (candidate − production) with a
 * bootstrap interval, corrected for the number of slices judged (Bonferroni); `worse` or `better`
 * only when that interval excludes 0. Slices under MIN_SLICE_ROWS test rows are listed, not judged.
 *
 * The roll-ups (rows, mean losses, accuracies per slice) are arquero group-bys; the bootstrap is ours.
 */
import * as aq from 'arquero';
import { binOf, driftKindOf } from '@rally/drift';
import { cellAt, CONTRACT, type DataContract, Random, type RowBatch } from '@rally/features';

/** Fewer test rows than this and a slice is listed as too small to judge. */
export const MIN_SLICE_ROWS = 50;
/** Numeric columns are cut at the reference's quartiles. */
export const NUMERIC_SLICE_QUANTILES = [0.25, 0.5, 0.75];

export type SliceKey = { column: string; value: string | boolean | number } | { column: string; range: [number, number] };

export interface SliceScores {
  logLoss: number;
  accuracy: number;
}

export interface SliceResult {
  slice: SliceKey;
  /** `serve = 2`, `speed in (28.1, 33.9]`. */
  label: string;
  rows: number;
  candidate: SliceScores;
  production: SliceScores;
  /** The mean per-row log loss difference (candidate − production) and its corrected interval; null when not judged. */
  difference: { mean: number; ci: [number, number] } | null;
  judged: boolean;
  worse: boolean;
  better: boolean;
}

export interface SliceAnalysis {
  correction: {
    method: 'bonferroni';
    /** Slices judged (the family the correction is over). */
    slices: number;
    /** Each interval's confidence: 1 − (1 − family confidence) / slices. */
    confidence: number;
    familyConfidence: number;
    interval: 'bootstrap normal (mean ± z · bootstrap standard error)';
    resamples: number;
    seed: number;
    minRows: number;
  };
  /** Weakest first: judged slices by difference (largest first), then those too small to judge. */
  slices: SliceResult[];
}

export interface RowOutcomes {
  /** −log p(true class), a test row each. */
  rowLosses: ArrayLike<number>;
  /** 1 where the model's label is the true one. */
  correct: ArrayLike<number>;
}

export interface SliceOptions {
  resamples?: number;
  seed?: number;
  /** Confidence of the whole family of slice intervals (default 0.95). */
  confidence?: number;
  minRows?: number;
  contract?: DataContract;
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`A normal quantile needs p in (0, 1), got ${p}.`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

const short = (x: number) => String(Number(x.toPrecision(4)));

interface SliceColumn {
  column: string;
  keys: SliceKey[];
  labels: string[];
  /** The slice index of each test row. */
  of: Int32Array;
}

/** The slices of one column: its values, or its reference quartile buckets. */
function sliceColumns(test: RowBatch, reference: RowBatch, contract: DataContract): SliceColumn[] {
  const columns: SliceColumn[] = [];
  for (const spec of contract.columns) {
    const kind = driftKindOf(spec);
    if (kind === null || kind.kind === 'target' || test.columns[spec.name] === undefined) continue;
    const values = test.columns[spec.name]!;
    const of = new Int32Array(test.rows);
    if (kind.kind === 'number') {
      const sorted = Float64Array.from(reference.columns[spec.name] as ArrayLike<number>).sort();
      const quartiles = Object.fromEntries(NUMERIC_SLICE_QUANTILES.map((p, i) => [`q${i}`, aq.op.quantile('x', p)]));
      const row = aq.table({ x: sorted }).rollup(quartiles).objects()[0] as Record<string, number>;
      const edges = [...new Set(NUMERIC_SLICE_QUANTILES.map((_, i) => row[`q${i}`]!))].sort((x, y) => x - y);
      const bounds = [sorted[0]!, ...edges, sorted[sorted.length - 1]!];
      const ranges = Array.from({ length: edges.length + 1 }, (_, i): [number, number] => [bounds[i]!, bounds[i + 1]!]);
      const keys: SliceKey[] = ranges.map((range) => ({ column: spec.name, range }));
      const labels = ranges.map(([low, high], i) => `${spec.name} in ${i === 0 ? '[' : '('}${short(low)}, ${short(high)}]`);
      for (let r = 0; r < test.rows; r += 1) of[r] = binOf(edges, (values as ArrayLike<number>)[r]!);
      columns.push({ column: spec.name, keys, labels, of });
    } else {
      const domain = kind.values!;
      for (let r = 0; r < test.rows; r += 1) of[r] = domain.indexOf(cellAt(values, r) as string | boolean | number);
      columns.push({ column: spec.name, keys: domain.map((value) => ({ column: spec.name, value })), labels: domain.map((value) => `${spec.name} = ${String(value)}`), of });
    }
  }
  return columns;
}

/** Rows, mean losses and accuracies of each slice of a column: one arquero group-by. */
function rollUp(column: SliceColumn, candidate: RowOutcomes, production: RowOutcomes) {
  const rows = aq
    .table({ slice: column.of, cl: candidate.rowLosses, pl: production.rowLosses, cc: candidate.correct, pc: production.correct })
    .groupby('slice')
    .rollup({ rows: aq.op.count(), cl: aq.op.mean('cl'), pl: aq.op.mean('pl'), cc: aq.op.mean('cc'), pc: aq.op.mean('pc') })
    .objects() as { slice: number; rows: number; cl: number; pl: number; cc: number; pc: number }[];
  return new Map(rows.map((row) => [row.slice, row]));
}

/** The bootstrap standard error of the mean of `values` (resampled with replacement). */
function bootstrapStandardError(values: Float64Array, resamples: number, random: Random): number {
  const n = values.length;
  let sum = 0;
  let sumSquares = 0;
  for (let b = 0; b < resamples; b += 1) {
    let total = 0;
    for (let i = 0; i < n; i += 1) total += values[random.below(n)]!;
    const mean = total / n;
    sum += mean;
    sumSquares += mean * mean;
  }
  const mean = sum / resamples;
  return Math.sqrt(Math.max(0, sumSquares / resamples - mean * mean) * (resamples / Math.max(1, resamples - 1)));
}

/** The comparison slice by slice, on the test part (`test`), with numeric buckets from `reference`. */
export function compareSlices(test: RowBatch, reference: RowBatch, candidate: RowOutcomes, production: RowOutcomes, options: SliceOptions = {}): SliceAnalysis {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 42;
  const familyConfidence = options.confidence ?? 0.95;
  const minRows = options.minRows ?? MIN_SLICE_ROWS;
  if (!(familyConfidence > 0 && familyConfidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${familyConfidence}.`);
  if (candidate.rowLosses.length !== test.rows || production.rowLosses.length !== test.rows) throw new RangeError(`Expected ${test.rows} row losses of each model.`);
  const columns = sliceColumns(test, reference, options.contract ?? CONTRACT);
  const counted = columns.map((column) => rollUp(column, candidate, production));
  const judged = counted.reduce((total, groups) => total + [...groups.values()].filter((group) => group.rows >= minRows).length, 0);
  const confidence = 1 - (1 - familyConfidence) / Math.max(1, judged);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const results: SliceResult[] = [];
  let stream = 0;
  columns.forEach((column, c) => {
    column.keys.forEach((slice, s) => {
      stream += 1;
      const group = counted[c]!.get(s);
      const rows = group?.rows ?? 0;
      const scores = (loss: number | undefined, right: number | undefined): SliceScores => ({ logLoss: rows > 0 ? loss! : NaN, accuracy: rows > 0 ? right! : NaN });
      const base = { slice, label: column.labels[s]!, rows, candidate: scores(group?.cl, group?.cc), production: scores(group?.pl, group?.pc) };
      if (rows < minRows) {
        results.push({ ...base, difference: null, judged: false, worse: false, better: false });
        return;
      }
      const differences = new Float64Array(rows);
      let k = 0;
      for (let r = 0; r < test.rows; r += 1) if (column.of[r] === s) differences[k++] = candidate.rowLosses[r]! - production.rowLosses[r]!;
      const mean = group!.cl - group!.pl;
      const se = bootstrapStandardError(differences, resamples, new Random(seed, stream));
      const ci: [number, number] = [mean - z * se, mean + z * se];
      results.push({ ...base, difference: { mean, ci }, judged: true, worse: ci[0] > 0, better: ci[1] < 0 });
    });
  });
  results.sort((a, b) => Number(b.judged) - Number(a.judged) || (b.difference?.mean ?? 0) - (a.difference?.mean ?? 0) || b.rows - a.rows);
  return {
    correction: { method: 'bonferroni', slices: judged, confidence, familyConfidence, interval: 'bootstrap normal (mean ± z · bootstrap standard error)', resamples, seed, minRows },
    slices: results,
  };
}

/** The correction in words, for every format alike. */
export function correctionText(analysis: SliceAnalysis): string {
  const c = analysis.correction;
  return `Bonferroni over ${c.slices} judged slices: each interval at ${(100 * c.confidence).toFixed(3)}% (${Math.round(100 * c.familyConfidence)}% for the family), the bootstrap normal interval from ${c.resamples} resamples (seed ${c.seed}); slices under ${c.minRows} test rows are not judged`;
}

/** The slice results in snake_case (NaN scores of empty slices as null). */
export function slicesToJSON(analysis: SliceAnalysis) {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    correction: { method: analysis.correction.method, slices: analysis.correction.slices, confidence: analysis.correction.confidence, family_confidence: analysis.correction.familyConfidence, interval: analysis.correction.interval, resamples: analysis.correction.resamples, seed: analysis.correction.seed, min_rows: analysis.correction.minRows },
    slices: analysis.slices.map((slice) => ({
      slice: slice.slice,
      label: slice.label,
      rows: slice.rows,
      candidate: { log_loss: num(slice.candidate.logLoss), accuracy: num(slice.candidate.accuracy) },
      production: { log_loss: num(slice.production.logLoss), accuracy: num(slice.production.accuracy) },
      difference: slice.difference,
      judged: slice.judged,
      worse: slice.worse,
      better: slice.better,
    })),
  };
}
