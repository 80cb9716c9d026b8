/**
 * The decision a person (or CI) takes from a comparison, from two independent pieces of evidence:
 * the paired bootstrap interval of the per-row test log loss difference (the same test rows, both
 * fitted models), and the 5-fold CV means of both configurations refitted on the training part.
 */
import type { CvSummary, PairedDifference, Verdict } from './evaluate.ts';
import type { SliceAnalysis } from './slices.ts';

export interface Decision {
  /** Both pieces of evidence together: one says better or worse and the other does not contradict it. */
  verdict: Verdict;
  /** From the bootstrap interval: worse when it lies wholly above 0, better when wholly below. */
  testRows: Verdict;
  /** From the CV means: worse when the candidate's exceeds production's by more than the spread, better when below by more. */
  cv: Verdict;
  /** Candidate's CV mean minus production's (positive: candidate worse). */
  cvDifference: number;
  /** The larger of the two CV standard deviations. */
  cvSpread: number;
}

interface Evidence {
  difference: PairedDifference;
  candidate: { cv: CvSummary };
  production: { cv: CvSummary };
}

export function decide({ difference, candidate, production }: Evidence): Decision {
  const cvDifference = candidate.cv.mean - production.cv.mean;
  const cvSpread = Math.max(candidate.cv.std, production.cv.std);
  const cv: Verdict = cvDifference > cvSpread ? 'worse' : cvDifference < -cvSpread ? 'better' : 'no clear difference';
  const testRows = difference.verdict;
  const said = new Set([testRows, cv].filter((v) => v !== 'no clear difference'));
  // Evidence that contradicts itself decides nothing.
  const verdict: Verdict = said.size === 1 ? [...said][0] : 'no clear difference';
  return { verdict, testRows, cv, cvDifference, cvSpread };
}

export interface GateResult {
  margin: number;
  passed: boolean;
  /** What failed the gate; empty when it passed. */
  failedBy: ('test rows' | 'cv' | 'slices')[];
  /** Whether slices were part of the gate (`--slices`). */
  slices: boolean;
  /** With `--slices`: the slices whose corrected interval lies wholly above the margin. */
  worseSlices: string[];
}

/** Why a gate failed, in words that stay true for any margin and whatever the other evidence says. */
export function gateFailure(gate: GateResult): string {
  const reasons = gate.failedBy.map((by) =>
    by === 'test rows'
      ? `the 95% interval of the per-row test log loss difference lies wholly above ${gate.margin}`
      : by === 'cv'
        ? `the candidate's CV mean exceeds production's by more than ${gate.margin} plus the larger CV standard deviation`
        : `on ${gate.worseSlices.length === 1 ? 'one slice' : `${gate.worseSlices.length} slices`} (${gate.worseSlices.join('; ')}) the corrected interval of the per-row difference lies wholly above ${gate.margin}`,
  );
  return reasons.join('; and ');
}

/**
 * The CI gate: fails only when the candidate is worse with confidence (the rule --help states), never
 * on a point estimate. With `slices` (and the evidence's slice analysis), also when any judged slice's
 * corrected interval lies wholly above the margin.
 */
export function checkGate(evidence: Evidence & { slices?: SliceAnalysis }, margin = 0, options: { slices?: boolean } = {}): GateResult {
  const decision = decide(evidence);
  const failedBy: GateResult['failedBy'] = [];
  if (evidence.difference.low > margin) failedBy.push('test rows');
  if (decision.cvDifference > margin + decision.cvSpread) failedBy.push('cv');
  const bySlices = options.slices === true;
  if (bySlices && !evidence.slices) throw new RangeError('A gate on slices needs the comparison\'s slice analysis.');
  const worseSlices = bySlices ? evidence.slices!.slices.filter((slice) => slice.difference !== null && slice.difference.ci[0] > margin).map((slice) => slice.label) : [];
  if (worseSlices.length > 0) failedBy.push('slices');
  return { margin, passed: failedBy.length === 0, failedBy, slices: bySlices, worseSlices };
}
