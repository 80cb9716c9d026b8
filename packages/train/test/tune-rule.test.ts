// @module-tag unit
/**
 * tune's ranking and winner rule on cross-validation results chosen by hand: crossValidate is
 * replaced by a table of fold losses and forest sizes per setting, so every tie is exact.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RowBatch } from '@rally/features';
import { drawCandidates, ORIGINAL_SETTINGS, standardError, tune, type TuneRow, type TuneSpace } from '../src/index.ts';

/** What the fake cross-validation gives a setting, found by its number of trees. */
interface Scores {
  losses: number[];
  nodes: number[];
  seconds?: number[];
}
let scores = new Map<number, Scores>();
const seen: Record<string, unknown>[] = [];

vi.mock('../src/cross-validate.ts', () => ({
  crossValidate: async (_batch: unknown, _labels: unknown, params: Record<string, unknown>, options: { onFit?: (pipeline: unknown, seconds: number) => void }) => {
    seen.push(params);
    const { losses, nodes, seconds = losses.map(() => 0.1) } = scores.get(params.nEstimators as number)!;
    losses.forEach((_, fold) => options.onFit?.({ estimator: { nodeCount: nodes[fold] } }, seconds[fold]));
    return [...losses];
  },
}));

const batch = {} as RowBatch;
const same = (value: number) => [value, value, value, value, value];
/** Settings that differ by their number of trees only (the original's has 100). */
const SPACE: TuneSpace = { nEstimators: [1, 2, 3, 4], maxDepth: [5], maxFeatures: ['sqrt'], minSamplesLeaf: [1], leafPrior: [0] };
const trees = (rows: TuneRow[]) => rows.map((row) => row.params.nEstimators);

beforeEach(() => {
  seen.length = 0;
});

describe('standardError', () => {
  it('is the sample standard deviation (ddof = 1) over the square root of the count', () => {
    // mean 3, squared deviations 4 + 1 + 0 + 1 + 4 = 10, variance 10 / 4, SE sqrt(2.5 / 5).
    expect(standardError([1, 2, 3, 4, 5])).toBeCloseTo(Math.sqrt(0.5), 14);
    expect(standardError([7, 7, 7])).toBe(0);
  });
});

describe('drawCandidates', () => {
  it("never draws the original's settings a second time when the space holds them", () => {
    const space: TuneSpace = {
      nEstimators: [ORIGINAL_SETTINGS.nEstimators, 7],
      maxDepth: [ORIGINAL_SETTINGS.maxDepth],
      maxFeatures: [ORIGINAL_SETTINGS.maxFeatures],
      minSamplesLeaf: [ORIGINAL_SETTINGS.minSamplesLeaf],
      leafPrior: [ORIGINAL_SETTINGS.leafPrior],
    };
    expect(drawCandidates(space, 10, 1)).toEqual([ORIGINAL_SETTINGS, { ...ORIGINAL_SETTINGS, nEstimators: 7 }]);
  });
});

describe('tune: ranking and the one-standard-error rule', () => {
  it('ranks by CV mean, then picks the fewest nodes within one standard error of the best, the better rank on equal nodes', async () => {
    const best = [0.5, 0.52, 0.48, 0.51, 0.49]; // SE sqrt(0.00025 / 5) = 0.00707
    scores = new Map([
      [100, { losses: best, nodes: same(1000) }],
      [1, { losses: same(0.505), nodes: same(300) }],
      [2, { losses: same(0.506), nodes: same(200) }],
      [3, { losses: same(0.6), nodes: same(10) }], // the smallest, but clearly worse
      [4, { losses: same(0.503), nodes: [150, 250, 200, 200, 200] }],
    ]);
    const result = await tune(batch, [], { space: SPACE, candidates: 10, seed: 1, base: { seed: 9 } });
    expect(result.candidates).toBe(5);
    expect(trees(result.rows)).toEqual([100, 4, 1, 2, 3]);
    expect(result.rows.map((row) => row.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(result.tolerance).toBeCloseTo(Math.sqrt(0.00025 / 5), 12);
    // 4 and 2 trees both have 200 nodes on average and are within the tolerance: the better ranked wins.
    expect(result.winner_rank).toBe(2);
    expect(result.rule).toBe(`the fewest nodes among the settings within one standard error (${result.tolerance.toFixed(4)}) of the best CV mean log loss`);
    expect(result.rule).toContain('(0.0071)');
    // Every setting is cross-validated with the base's hyperparameters that are not searched.
    expect(seen).toHaveLength(5);
    for (const params of seen) expect(params.seed).toBe(9);
  });

  it('reports per setting its fold losses, their mean and population std, and the mean nodes and fit time of a fold', async () => {
    scores = new Map([
      [100, { losses: [0.5, 0.6, 0.7, 0.4, 0.3], nodes: [10, 20, 30, 40, 50], seconds: [1, 2, 3, 4, 5] }],
      [1, { losses: same(0.9), nodes: same(5) }],
    ]);
    const result = await tune(batch, [], { space: { ...SPACE, nEstimators: [1] }, candidates: 1, seed: 1 });
    expect(result.candidates).toBe(2);
    const [first, second] = result.rows;
    expect(first.params).toEqual(ORIGINAL_SETTINGS);
    expect(first.cv_log_losses).toEqual([0.5, 0.6, 0.7, 0.4, 0.3]);
    expect(first.cv_mean_log_loss).toBeCloseTo(0.5, 12);
    expect(first.cv_std_log_loss).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(first.mean_nodes).toBe(30);
    expect(first.fit_seconds).toBe(3);
    expect(second.mean_nodes).toBe(5);
    // 0.9 is far outside one standard error of 0.5: the bigger forest wins.
    expect(result.winner_rank).toBe(1);
  });

  it('ties a setting exactly one standard error away (here 0: equal fold losses), and keeps the search order among equal means', async () => {
    scores = new Map([
      [100, { losses: same(0.4), nodes: same(500) }],
      [1, { losses: same(0.4), nodes: same(100) }],
      [2, { losses: same(0.7), nodes: same(50) }],
      [3, { losses: same(0.4), nodes: same(800) }],
      [4, { losses: same(0.8), nodes: same(60) }],
    ]);
    const events: { index: number; total: number; row: TuneRow }[] = [];
    const result = await tune(batch, [], { space: SPACE, candidates: 4, seed: 5, onCandidate: (event) => events.push(event) });
    expect(result.tolerance).toBe(0);
    const order = events.map((event) => event.row.params.nEstimators);
    expect(order[0]).toBe(100);
    expect(trees(result.rows)).toEqual([...order.filter((n) => n === 100 || n === 1 || n === 3), 2, 4]);
    expect(result.rows[result.winner_rank - 1].params.nEstimators).toBe(1);
  });

  it('tells the caller after each setting, in search order, with its unranked row', async () => {
    scores = new Map([100, 1, 2, 3, 4].map((n) => [n, { losses: same(n / 100), nodes: same(n) }]));
    const events: { index: number; total: number; row: TuneRow }[] = [];
    const result = await tune(batch, [], { space: SPACE, candidates: 3, seed: 2, onCandidate: (event) => events.push(event) });
    expect(events.map((event) => [event.index, event.total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(events.map((event) => event.row.params)).toEqual(seen.map((params) => expect.objectContaining(params)));
    for (const { row } of events) {
      expect(row.rank).toBe(0);
      const ranked = result.rows.find((r) => r.params === row.params)!;
      expect({ ...row, rank: ranked.rank }).toEqual(ranked);
    }
  });

  it('refuses a number of settings that is not a whole number from 1', async () => {
    for (const candidates of [0, -1, 1.5, Number.NaN]) {
      await expect(tune(batch, [], { space: SPACE, candidates })).rejects.toMatchObject({ code: 'ESTIMATOR_BAD_PARAMS' });
    }
    expect(seen).toHaveLength(0);
  });
});
