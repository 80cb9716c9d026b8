// @module-tag integration
/**
 * The case, end to end with real training: a candidate trained on production's training
 * rows with the labels of one slice scrambled (balls out over the baseline: their outcomes
 * shuffled among themselves) is compared with production trained on the true labels. It is marked
 * worse on that slice, first, not on its complement and not on every slice; the gate with
 * --slices fails naming it where the overall gate passes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random, shuffledIndices } from '@rally/features';
import { deployRun, LocalFolderStore, ModelCache } from '@rally/model-store';
import { type BenchmarkResult, checkGate, compareModels, formatReport, gateFailure } from '../src/index.ts';
import { writeRun } from '@rally/model';
import { SPLIT, stratifiedSplit, TRAIN_DEFAULTS, trainRun } from '@rally/train';
import { groundTruthLines, tempDir } from './helpers.ts';

describe('a candidate made worse on one slice only', () => {
  let result: BenchmarkResult;

  beforeAll(async () => {
    const root = tempDir('slices');
    const { header, rows } = groundTruthLines();
    const columns = header.split(',');
    const baseline = columns.indexOf('outside.baseline');
    const outcome = columns.indexOf('outcome');
    const cells = rows.map((row) => row.split(','));
    const slice = cells.map((row, i) => (row[baseline] === 'True' ? i : -1)).filter((i) => i >= 0);
    const order = shuffledIndices(slice.length, new Random(7));
    const scrambled = cells.map((row) => [...row]);
    slice.forEach((row, k) => (scrambled[row]![outcome] = cells[slice[order[k]!]!]![outcome]!));
    const truePath = join(root, 'true.csv');
    const scrambledPath = join(root, 'scrambled.csv');
    writeFileSync(truePath, `${[header, ...rows].join('\n')}\n`);
    // Only production's training rows: the candidate never sees a row it is tested on (no leakage).
    const { train: trainRows } = stratifiedSplit(cells.map((row) => row[outcome]!), SPLIT.testSize, SPLIT.seed);
    writeFileSync(scrambledPath, `${[header, ...Array.from(trainRows, (i) => scrambled[i]!.join(','))].join('\n')}\n`);
    // rally's default forest (deep enough to isolate a region of the data), in this thread.
    const train = async (dataPath: string) => {
      const run = await trainRun({ dataPath, params: { ...TRAIN_DEFAULTS, nEstimators: 60 }, workers: 0 });
      return { dir: writeRun(run, join(root, 'output')) };
    };
    const production = await train(truePath);
    const candidate = await train(scrambledPath);
    const store = new LocalFolderStore(join(root, 'store'));
    await deployRun(store, production.dir);
    result = await compareModels({ candidateDir: candidate.dir, store, cache: new ModelCache({ disabled: true }), workers: 0, bootstrap: { resamples: 500 } });
  }, 180_000);

  it('is worse on that slice, the weakest, and not on its complement nor on every slice', () => {
    const bySlice = new Map(result.slices.slices.map((slice) => [slice.label, slice]));
    expect(result.slices.slices[0]!.label).toBe('outside.baseline = true');
    expect(bySlice.get('outside.baseline = true')).toMatchObject({ judged: true, worse: true });
    expect(bySlice.get('outside.baseline = false')).toMatchObject({ judged: true, worse: false });
    const judged = result.slices.slices.filter((slice) => slice.judged);
    expect(judged.filter((slice) => slice.worse).length).toBeLessThan(judged.length * 0.75);
    // Its own figures: the candidate loses there far more than on average.
    const scrambled = bySlice.get('outside.baseline = true')!;
    expect(scrambled.candidate.logLoss).toBeGreaterThan(scrambled.production.logLoss);
    expect(scrambled.difference!.ci[0]).toBeGreaterThan(0);
    expect(scrambled.difference!.mean).toBeGreaterThan(2 * result.difference.estimate);
    expect(result.leakage.leakedRows).toBe(0);
  });

  it('says so in the report, and the gate with slices fails naming the slice', () => {
    const report = formatReport(result).split('\n');
    expect(report[1]).toMatch(/^Slices: \d+ worse \(outside\.baseline = true[;)]/);
    const gate = checkGate(result, 0.1, { slices: true });
    expect(gate.passed).toBe(false);
    expect(gate.failedBy).toContain('slices');
    expect(gate.worseSlices[0]).toBe('outside.baseline = true');
    expect(gateFailure(gate)).toContain('outside.baseline = true');
    // Without --slices the same margin lets it through: only the slice is worse by more than 0.1.
    expect(checkGate(result, 0.1).passed).toBe(true);
  });
});
