// @module-tag unit
import { describe, expect, it } from 'vitest';
import { checkGate, decide, gateFailure, type PairedDifference } from '../src/index.ts';

/** The two pieces of evidence: a paired-difference interval and each model's CV mean and std. */
function evidence(interval: [number, number], candidateCv: [number, number], productionCv: [number, number]) {
  const [low, high] = interval;
  const verdict = low > 0 ? 'worse' : high < 0 ? 'better' : 'no clear difference';
  const difference: PairedDifference = { estimate: (low + high) / 2, low, high, confidence: 0.95, resamples: 2000, seed: 42, rows: 100, verdict };
  return { difference, candidate: { cv: { losses: [], mean: candidateCv[0], std: candidateCv[1] } }, production: { cv: { losses: [], mean: productionCv[0], std: productionCv[1] } } };
}

describe('decide', () => {
  it('calls CV means closer than the larger std unclear, in either direction', () => {
    // Candidate 0.01 worse, then 0.01 better, against a spread of 0.05.
    expect(decide(evidence([-0.1, 0.1], [0.51, 0.05], [0.5, 0.02]))).toMatchObject({ cv: 'no clear difference', verdict: 'no clear difference', cvSpread: 0.05 });
    expect(decide(evidence([-0.1, 0.1], [0.49, 0.02], [0.5, 0.05])).cv).toBe('no clear difference');
    expect(decide(evidence([-0.1, 0.1], [0.4, 0.02], [0.5, 0.05])).cv).toBe('better');
    expect(decide(evidence([-0.1, 0.1], [0.6, 0.02], [0.5, 0.05])).cv).toBe('worse');
    // Exactly the spread apart (0.25, exact in binary) is not more than the spread.
    expect(decide(evidence([-0.1, 0.1], [0.75, 0.25], [0.5, 0.125])).cv).toBe('no clear difference');
    expect(decide(evidence([-0.1, 0.1], [0.25, 0.125], [0.5, 0.25])).cv).toBe('no clear difference');
  });

  it('follows one piece of evidence when the other says nothing either way', () => {
    // The interval alone says worse (CV unclear), then the CV alone says better (interval straddles 0).
    expect(decide(evidence([0.01, 0.05], [0.5, 0.05], [0.5, 0.05]))).toMatchObject({ verdict: 'worse', testRows: 'worse', cv: 'no clear difference' });
    expect(decide(evidence([-0.02, 0.05], [0.3, 0.05], [0.5, 0.05]))).toMatchObject({ verdict: 'better', testRows: 'no clear difference', cv: 'better' });
  });
});

describe('checkGate', () => {
  it('passes when the interval only touches the margin: it must lie wholly above it', () => {
    expect(checkGate(evidence([0.25, 0.4], [0.5, 0.05], [0.5, 0.05]), 0.25)).toEqual({ margin: 0.25, passed: true, failedBy: [], slices: false, worseSlices: [] });
    expect(checkGate(evidence([0.25, 0.4], [0.5, 0.05], [0.5, 0.05]), 0.125)).toEqual({ margin: 0.125, passed: false, failedBy: ['test rows'], slices: false, worseSlices: [] });
  });

  it('passes when the CV means are exactly margin plus spread apart: it must exceed that', () => {
    // 0.75 - 0.5 = 0.25 = 0 + 0.25 (exact in binary).
    expect(checkGate(evidence([-0.1, 0.1], [0.75, 0.25], [0.5, 0.125]), 0)).toEqual({ margin: 0, passed: true, failedBy: [], slices: false, worseSlices: [] });
    expect(checkGate(evidence([-0.1, 0.1], [0.875, 0.25], [0.5, 0.125]), 0)).toEqual({ margin: 0, passed: false, failedBy: ['cv'], slices: false, worseSlices: [] });
  });
});

describe('checkGate with --slices', () => {
  const withSlices = (ci: [number, number][]) => ({
    ...evidence([-0.1, 0.1], [0.5, 0.05], [0.5, 0.05]),
    slices: {
      correction: { method: 'bonferroni' as const, slices: ci.length, confidence: 0.99, familyConfidence: 0.95, interval: 'bootstrap normal (mean ± z · bootstrap standard error)' as const, resamples: 200, seed: 42, minRows: 50 },
      slices: [
        ...ci.map((interval, i) => ({ slice: { column: 'serve', value: i + 1 }, label: `serve = ${i + 1}`, rows: 100, candidate: { logLoss: 0.5, accuracy: 0.8 }, production: { logLoss: 0.4, accuracy: 0.8 }, difference: { mean: (interval[0] + interval[1]) / 2, ci: interval }, judged: true, worse: interval[0] > 0, better: interval[1] < 0 })),
        { slice: { column: 'hitpoint', value: 'U' }, label: 'hitpoint = U', rows: 10, candidate: { logLoss: 9, accuracy: 0 }, production: { logLoss: 0.1, accuracy: 1 }, difference: null, judged: false, worse: false, better: false },
      ],
    },
  });

  it('fails when a judged slice\'s corrected interval lies wholly above the margin, naming it; never for a slice too small to judge', () => {
    expect(checkGate(withSlices([[0.02, 0.3], [-0.1, 0.1]]), 0, { slices: true })).toEqual({ margin: 0, passed: false, failedBy: ['slices'], slices: true, worseSlices: ['serve = 1'] });
    expect(checkGate(withSlices([[0.02, 0.3], [-0.1, 0.1]]), 0.05, { slices: true })).toEqual({ margin: 0.05, passed: true, failedBy: [], slices: true, worseSlices: [] });
    expect(checkGate(withSlices([[-0.2, 0.3]]), 0, { slices: true }).passed).toBe(true);
    expect(gateFailure(checkGate(withSlices([[0.02, 0.3], [0.01, 0.2]]), 0, { slices: true }))).toBe('on 2 slices (serve = 1; serve = 2) the corrected interval of the per-row difference lies wholly above 0');
  });

  it('ignores the slices unless asked, and needs them when asked', () => {
    expect(checkGate(withSlices([[0.02, 0.3]]), 0).passed).toBe(true);
    expect(() => checkGate(evidence([-0.1, 0.1], [0.5, 0.05], [0.5, 0.05]), 0, { slices: true })).toThrow(/needs the comparison's slice analysis/);
  });
});
