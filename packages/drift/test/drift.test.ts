// @module-tag unit
/**
 * Drift detection on the real ground truth: what moved is flagged, and only that; nothing is
 * flagged in clean subsets, resamples or the file itself; and the false-alarm rate over clean
 * splits stays at or under alpha, at every file size (the calibrated rule of detect.ts).
 */
import { describe, expect, it } from 'vitest';
import { CONTRACT, GROUND_TRUTH_PATH, Random, type RowBatch, selectRows, shuffledIndices } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { CodedColumn } from '@rally/features';
import { binOf, detectDrift, driftKindOf, type DriftReport, effectThreshold, ProfileBuilder, profileDataset } from '../src/index.ts';

const { batch } = loadDataset(GROUND_TRUTH_PATH);
const reference = profileDataset(batch);
const driftOf = (current: RowBatch, options = {}): DriftReport => detectDrift(reference, profileDataset(current, { binsOf: reference }), options);
const drifted = (report: DriftReport) => report.columns.filter((column) => column.drift).map((column) => column.column);

/** `rows` rows of the ground truth: without replacement (a subset) or with (a resample). */
function rowsOf(rows: number, seed: number, withReplacement = false): RowBatch {
  const random = new Random(seed);
  const indices = withReplacement ? Array.from({ length: rows }, () => random.below(batch.rows)) : Array.from(shuffledIndices(batch.rows, random).subarray(0, rows));
  return selectRows(batch, indices);
}

/** The batch with one number column changed row by row. */
function withNumbers(source: RowBatch, column: string, change: (value: number, row: number) => number): RowBatch {
  const values = source.columns[column] as Float64Array;
  return { rows: source.rows, columns: { ...source.columns, [column]: Float64Array.from(values, change) } };
}

/** The batch with some rows of a coded column (category, boolean, target) recoded. */
function withValues(source: RowBatch, column: string, change: (value: unknown, random: Random) => unknown, seed = 1): RowBatch {
  const coded = source.columns[column] as CodedColumn;
  const random = new Random(seed);
  const values = Array.from(coded, (value) => change(value, random));
  const dictionary = [...new Set([...coded.dictionary, ...values])];
  const codes = Uint8Array.from(values, (value) => dictionary.indexOf(value));
  return { rows: source.rows, columns: { ...source.columns, [column]: new CodedColumn(codes, dictionary as never) } };
}

describe('what the contract says each column is', () => {
  it('numbers by KS, categories, booleans, small integers and the target by chi-square; the identifier never', () => {
    const kinds = Object.fromEntries(CONTRACT.columns.map((spec) => [spec.name, driftKindOf(spec)?.kind ?? 'skipped']));
    expect(kinds).toMatchObject({ id: 'skipped', speed: 'number', rally: 'number', serve: 'category', hitpoint: 'category', 'same.side': 'boolean', outcome: 'target' });
    expect(reference.columns.map((column) => column.column)).toEqual(CONTRACT.columns.filter((spec) => spec.type !== 'identifier').map((spec) => spec.name));
  });

  it('bins numbers at the reference\'s deciles: about a tenth of its rows each, distinct edges', () => {
    for (const column of reference.columns.filter((c) => c.kind === 'number')) {
      const edges = column.edges!;
      expect(new Set(edges).size).toBe(edges.length);
      expect([...edges].sort((a, b) => a - b)).toEqual(edges);
      const total = column.counts.reduce((a, b) => a + b, 0);
      expect(total).toBe(batch.rows);
      if (edges.length === 9) for (const count of column.counts) expect(Math.abs(count / total - 0.1)).toBeLessThan(0.03);
    }
    expect(binOf([1, 2, 3], 0.5)).toBe(0);
    expect(binOf([1, 2, 3], 1)).toBe(0);
    expect(binOf([1, 2, 3], 2.5)).toBe(2);
    expect(binOf([1, 2, 3], 9)).toBe(3);
  });
});

describe('no drift where nothing moved', () => {
  it('the ground truth against itself: every statistic 0, every p-value 1', () => {
    const report = driftOf(batch);
    expect(report.drift).toBe(false);
    for (const column of report.columns) {
      expect(column.statistic).toBe(0);
      expect(column.pValue).toBe(1);
      expect(column.effect).toBeCloseTo(0, 12);
    }
  });

  it.each([
    ['a 300-row subset', 300, false],
    ['a 1,000-row subset', 1000, false],
    ['a 3,000-row subset', 3000, false],
    ['a 1,000-row resample', 1000, true],
    ['a 5,000-row resample', 5000, true],
    ['a 40,000-row resample', 40_000, true],
  ] as const)('%s of the ground truth', (_name, rows, withReplacement) => {
    for (const seed of [1, 2, 3]) expect(drifted(driftOf(rowsOf(rows, seed, withReplacement)))).toEqual([]);
  });

  it('keeps the false-alarm rate over clean splits at or under alpha (200 random halves, each against the other)', () => {
    let alarms05 = 0;
    let alarms01 = 0;
    for (let trial = 0; trial < 200; trial += 1) {
      const order = shuffledIndices(batch.rows, new Random(1000 + trial));
      const half = profileDataset(selectRows(batch, Array.from(order.subarray(0, 2500))));
      const other = profileDataset(selectRows(batch, Array.from(order.subarray(2500))), { binsOf: half });
      if (detectDrift(half, other, { alpha: 0.05, resamples: 200 }).drift) alarms05 += 1;
      if (detectDrift(half, other, { alpha: 0.01, resamples: 200 }).drift) alarms01 += 1;
    }
    // Binomial(200, alpha): more than mean + 3 standard deviations would be a broken calibration.
    expect(alarms05).toBeLessThanOrEqual(Math.ceil(200 * 0.05 + 3 * Math.sqrt(200 * 0.05 * 0.95)));
    expect(alarms01).toBeLessThanOrEqual(Math.ceil(200 * 0.01 + 3 * Math.sqrt(200 * 0.01 * 0.99)));
    expect(alarms01).toBeLessThanOrEqual(alarms05);
  }, 120_000);
});

describe('drift where something moved, in that column only', () => {
  const numeric: [string, (value: number) => number][] = [
    ['speed', (v) => v * 1.08],
    ['depth', (v) => v + 0.4],
    ['player.impact.depth', (v) => v * 0.93],
    ['previous.time.to.net', (v) => v + 0.05],
    ['rally', (v) => v + 2],
  ];
  it.each(numeric)('%s shifted, in subsets of 1,000 and 2,500 rows and a 20,000-row resample', (column, change) => {
    for (const sample of [rowsOf(1000, 7), rowsOf(2500, 8), rowsOf(20_000, 9, true)]) {
      expect(drifted(driftOf(withNumbers(sample, column, change)))).toEqual([column]);
    }
  });

  it('forehands recorded as backhands (30% of them)', () => {
    const report = driftOf(withValues(rowsOf(2000, 11), 'hitpoint', (value, random) => (value === 'F' && random.nextFloat() < 0.3 ? 'B' : value)));
    expect(drifted(report)).toEqual(['hitpoint']);
    const shares = report.columns.find((column) => column.column === 'hitpoint')!.shares;
    expect(shares.find((share) => share.bin === 'B')!.current).toBeGreaterThan(shares.find((share) => share.bin === 'B')!.reference);
  });

  it('a boolean flipped in 20% of the rows', () => {
    expect(drifted(driftOf(withValues(rowsOf(2000, 12), 'same.side', (value, random) => (random.nextFloat() < 0.2 ? !value : value))))).toEqual(['same.side']);
  });

  it('label shift: a third of the winners recorded as unforced errors (the inputs unchanged)', () => {
    expect(drifted(driftOf(withValues(rowsOf(3000, 13), 'outcome', (value, random) => (value === 'W' && random.nextFloat() < 1 / 3 ? 'UE' : value))))).toEqual(['outcome']);
  });

  it('dropping half of the winners moves the inputs that go with winning too (the rows kept are other points)', () => {
    const sample = rowsOf(3000, 13);
    const outcome = sample.columns.outcome as CodedColumn;
    const random = new Random(5);
    const keep = Array.from({ length: sample.rows }, (_, i) => i).filter((i) => outcome.at(i) !== 'W' || random.nextFloat() < 0.5);
    const report = driftOf(selectRows(sample, keep));
    expect(drifted(report)).toContain('outcome');
    expect(drifted(report).length).toBeGreaterThan(1);
  });

  it('two columns moved at once: both, and no other', () => {
    const moved = withValues(withNumbers(rowsOf(2500, 14), 'opponent.depth', (v) => v * 1.1), 'previous.hitpoint', (value, random) => (value === 'B' && random.nextFloat() < 0.4 ? 'F' : value));
    expect(drifted(driftOf(moved)).sort()).toEqual(['opponent.depth', 'previous.hitpoint']);
  });
});

describe('the calibrated threshold', () => {
  it('shrinks with the file\'s size as sampling noise does (about 1/n), so every size gets the same false-alarm rate', () => {
    const counts = reference.columns.find((column) => column.column === 'speed')!.counts;
    const small = effectThreshold(counts, 1000, 0.01, 2000, new Random(1));
    const large = effectThreshold(counts, 80_000, 0.01, 2000, new Random(1));
    expect(small / large).toBeGreaterThan(50);
    expect(small / large).toBeLessThan(110);
  });

  it('at 80,000 rows flags a move a 1,000-row file is too small to show', () => {
    const change = (v: number) => v * 1.02;
    expect(drifted(driftOf(withNumbers(rowsOf(1000, 21), 'speed', change)))).toEqual([]);
    expect(drifted(driftOf(withNumbers(rowsOf(80_000, 22, true), 'speed', change)))).toEqual(['speed']);
  });

  it('is the same for the same seed, and the report says which rule and draws gave it', () => {
    const sample = rowsOf(1500, 31);
    expect(driftOf(sample)).toEqual(driftOf(sample));
    const report = driftOf(sample, { alpha: 0.05, resamples: 50, seed: 9 });
    expect(report).toMatchObject({ alpha: 0.05, resamples: 50, seed: 9, rows: 1500, referenceRows: 5000 });
  });

  it('refuses options out of range', () => {
    expect(() => driftOf(batch, { alpha: 0 })).toThrow(/alpha must be in \(0, 1\)/);
    expect(() => driftOf(batch, { alpha: 1.5 })).toThrow(RangeError);
    expect(() => driftOf(batch, { resamples: 0 })).toThrow(/resamples/);
    expect(() => driftOf(batch, { seed: 0.5 })).toThrow(/seed/);
  });
});

describe('a new file streamed in chunks', () => {
  it('gives the profile and the report of the whole file at once, whatever the chunks', () => {
    const moved = withNumbers(rowsOf(3000, 41), 'speed', (value) => value * 1.1);
    const whole = profileDataset(moved, { binsOf: reference });
    for (const sizes of [[1, 2999], [1000, 1000, 1000], [7, 1500, 1493]]) {
      const builder = new ProfileBuilder(reference);
      let start = 0;
      for (const size of sizes) {
        builder.add(selectRows(moved, Array.from({ length: size }, (_, i) => start + i)));
        start += size;
      }
      const chunked = builder.finish();
      expect(chunked).toEqual(whole);
      expect(detectDrift(reference, chunked)).toEqual(detectDrift(reference, whole));
    }
    expect(drifted(detectDrift(reference, whole))).toEqual(['speed']);
  });

  it('holds counts only: no value of the new file is kept', () => {
    const profile = profileDataset(rowsOf(2000, 43), { binsOf: reference });
    for (const column of profile.columns) {
      expect(column.sorted, column.column).toBeUndefined();
      if (column.kind === 'number') expect(column.cells!.length, column.column).toBe(2 * reference.columns.find((r) => r.column === column.column)!.grid!.length + 1);
    }
  });

  it('refuses a reference profile without values, and a chunk missing a column the first had', () => {
    const counted = profileDataset(rowsOf(500, 44), { binsOf: reference });
    expect(() => new ProfileBuilder(counted)).toThrow(/profile the reference without binsOf/);
    const builder = new ProfileBuilder(reference).add(rowsOf(10, 45));
    const { speed: _speed, ...rest } = rowsOf(10, 46).columns;
    expect(() => builder.add({ rows: 10, columns: rest })).toThrow(/lacks the column speed/);
  });
});
