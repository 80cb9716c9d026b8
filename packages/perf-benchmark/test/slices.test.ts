// @module-tag unit
/**
 * The comparison slice by slice (slices.ts), on the ground truth's real test part with per-row
 * losses made by hand: which slices exist, their roll-ups against a direct computation, the
 * Bonferroni-corrected intervals, and the order (weakest first).
 */
import { describe, expect, it } from 'vitest';
import { cellAt, GROUND_TRUTH_PATH, selectRows } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { SPLIT, stratifiedSplit } from '@rally/train';
import { compareSlices, MIN_SLICE_ROWS, normalQuantile, type RowOutcomes, slicesToJSON } from '../src/index.ts';

const { batch } = loadDataset(GROUND_TRUTH_PATH);
const labels = Array.from(batch.columns.outcome as Iterable<string>);
const { test } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
const testBatch = selectRows(batch, test);
const serve = (r: number) => cellAt(testBatch.columns.serve!, r) as number;

/** Production's losses and right answers: fixed pseudo-random values, the same for every test. */
const production: RowOutcomes = {
  rowLosses: Float64Array.from({ length: testBatch.rows }, (_, r) => 0.2 + ((r * 7919) % 1000) / 1000),
  correct: Uint8Array.from({ length: testBatch.rows }, (_, r) => (r % 5 === 0 ? 0 : 1)),
};
const options = { resamples: 400 };

describe('the slices of a comparison', () => {
  it('are every value of the contract\'s categories, booleans and small integers, and each number column\'s quartiles; no slice of id or the target', () => {
    const { slices } = compareSlices(testBatch, batch, production, production, options);
    const labelsOf = (column: string) => slices.filter((slice) => slice.slice.column === column).map((slice) => slice.label).sort();
    expect(labelsOf('serve')).toEqual(['serve = 1', 'serve = 2']);
    expect(labelsOf('hitpoint')).toEqual(['hitpoint = B', 'hitpoint = F', 'hitpoint = U', 'hitpoint = V']);
    expect(labelsOf('same.side')).toEqual(['same.side = false', 'same.side = true']);
    expect(labelsOf('speed')).toHaveLength(4);
    expect(labelsOf('id')).toEqual([]);
    expect(labelsOf('outcome')).toEqual([]);
    // Each column's slices split the test part: every row in exactly one.
    const columns = new Set(slices.map((slice) => slice.slice.column));
    for (const column of columns) expect(slices.filter((slice) => slice.slice.column === column).reduce((total, slice) => total + slice.rows, 0)).toBe(testBatch.rows);
    // The numeric ranges run from the reference's smallest value to its largest, edge to edge.
    const speeds = slices.filter((slice) => slice.slice.column === 'speed').map((slice) => (slice.slice as { range: [number, number] }).range).sort((a, b) => a[0] - b[0]);
    const all = Float64Array.from(batch.columns.speed as Float64Array).sort();
    expect(speeds[0]![0]).toBe(all[0]);
    expect(speeds.at(-1)![1]).toBe(all.at(-1));
    for (let i = 1; i < speeds.length; i += 1) expect(speeds[i]![0]).toBe(speeds[i - 1]![1]);
  });

  it('roll up each slice as a direct computation does: rows, mean log loss, accuracy of both models', () => {
    const candidate: RowOutcomes = { rowLosses: Float64Array.from(production.rowLosses, (v, r) => v + (r % 3) * 0.1), correct: Uint8Array.from(production.correct, (v, r) => (r % 7 === 0 ? 1 - v : v)) };
    const { slices } = compareSlices(testBatch, batch, candidate, production, options);
    const second = slices.find((slice) => slice.label === 'serve = 2')!;
    const rows = Array.from({ length: testBatch.rows }, (_, r) => r).filter((r) => serve(r) === 2);
    const mean = (values: ArrayLike<number>) => rows.reduce((total, r) => total + values[r]!, 0) / rows.length;
    expect(second.rows).toBe(rows.length);
    expect(second.candidate.logLoss).toBeCloseTo(mean(candidate.rowLosses), 12);
    expect(second.production.logLoss).toBeCloseTo(mean(production.rowLosses), 12);
    expect(second.candidate.accuracy).toBeCloseTo(mean(candidate.correct), 12);
    expect(second.production.accuracy).toBeCloseTo(mean(production.correct), 12);
    expect(second.difference!.mean).toBeCloseTo(mean(candidate.rowLosses) - mean(production.rowLosses), 12);
  });

  it('judge nothing worse or better when both models lose the same on every row', () => {
    const analysis = compareSlices(testBatch, batch, production, production, options);
    for (const slice of analysis.slices.filter((s) => s.judged)) {
      expect(slice.difference).toEqual({ mean: 0, ci: [0, 0] });
      expect(slice.worse || slice.better).toBe(false);
    }
  });

  it('mark worse the slice where the candidate loses, first, and not the slices where it does not', () => {
    // Row-level noise of mean 0 everywhere, and 0.3 more on second serves.
    const noise = (r: number) => (((r * 104_729) % 997) / 997 - 0.5) * 0.8;
    const candidate: RowOutcomes = { rowLosses: Float64Array.from(production.rowLosses, (v, r) => v + noise(r) + (serve(r) === 2 ? 0.3 : 0)), correct: production.correct };
    const analysis = compareSlices(testBatch, batch, candidate, production, options);
    expect(analysis.slices[0]!.label).toBe('serve = 2');
    expect(analysis.slices[0]!.worse).toBe(true);
    expect(analysis.slices.find((slice) => slice.label === 'serve = 1')).toMatchObject({ worse: false, better: false });
    const judged = analysis.slices.filter((slice) => slice.judged);
    // Not every slice: the slices that hold second serves in part can be worse too, not all of them.
    expect(judged.filter((slice) => slice.worse).length).toBeLessThan(judged.length);
    // Weakest first: the judged slices by falling difference, then the ones too small to judge.
    const means = judged.map((slice) => slice.difference!.mean);
    expect([...means].sort((a, b) => b - a)).toEqual(means);
    expect(analysis.slices.slice(judged.length).every((slice) => !slice.judged)).toBe(true);
    // And better, the other way round.
    const better = compareSlices(testBatch, batch, production, candidate, options);
    expect(better.slices.find((slice) => slice.label === 'serve = 2')).toMatchObject({ better: true, worse: false });
  });

  it('correct every interval for the number of slices judged (Bonferroni), and list the small slices unjudged', () => {
    const candidate: RowOutcomes = { rowLosses: Float64Array.from(production.rowLosses, (v, r) => v + (r % 2) * 0.2), correct: production.correct };
    const analysis = compareSlices(testBatch, batch, candidate, production, options);
    const judged = analysis.slices.filter((slice) => slice.judged);
    expect(analysis.correction.slices).toBe(judged.length);
    expect(analysis.correction.confidence).toBeCloseTo(1 - 0.05 / judged.length, 15);
    for (const slice of analysis.slices) expect(slice.judged).toBe(slice.rows >= MIN_SLICE_ROWS);
    const small = analysis.slices.filter((slice) => !slice.judged);
    expect(small.length).toBeGreaterThan(0); // the ground truth's test part has few volleys and smashes
    for (const slice of small) expect(slice).toMatchObject({ difference: null, worse: false, better: false });
    // Wider than an uncorrected 95% interval: z = Φ⁻¹(1 − 0.025/k) against 1.96.
    const z = normalQuantile(1 - (1 - analysis.correction.confidence) / 2);
    expect(z).toBeGreaterThan(3);
    for (const slice of judged) {
      const [low, high] = slice.difference!.ci;
      expect(low).toBeLessThanOrEqual(slice.difference!.mean);
      expect(high).toBeGreaterThanOrEqual(slice.difference!.mean);
      expect((high - low) / 2 / z).toBeGreaterThan(0);
    }
    const json = slicesToJSON(analysis);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('are reproducible for a seed, and refuse mismatched inputs', () => {
    const candidate: RowOutcomes = { rowLosses: Float64Array.from(production.rowLosses, (v, r) => v + (r % 2) * 0.2), correct: production.correct };
    expect(compareSlices(testBatch, batch, candidate, production, options)).toEqual(compareSlices(testBatch, batch, candidate, production, options));
    expect(() => compareSlices(testBatch, batch, { rowLosses: new Float64Array(3), correct: new Uint8Array(3) }, production)).toThrow(RangeError);
    expect(() => compareSlices(testBatch, batch, production, production, { confidence: 1 })).toThrow(RangeError);
  });
});

describe('the normal quantile', () => {
  it('matches the tables', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(1 - 1e-6)).toBeCloseTo(4.753424309, 7);
    expect(() => normalQuantile(0)).toThrow(RangeError);
  });
});
