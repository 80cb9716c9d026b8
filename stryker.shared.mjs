/**
 * What every package's Stryker run shares (see scripts/mutation.mjs, `pnpm test:mutation`).
 *
 * - In place: a package's tests import the other packages' sources through the workspace's
 *   symlinks and the root vitest.shared.ts, which a sandbox copy of one package would break.
 *   Stryker puts the originals back when it ends; scripts/mutation.mjs checks that it did.
 * - ignoreStatic: mutants that run only while a module loads would need every test rerun in a
 *   fresh process each; they are skipped (reported as Ignored), which cuts the run several-fold.
 * - Incremental: a rerun tests only the mutants whose code or covering tests changed. The file is
 *   under reports/, which git ignores.
 * - The vitest runner sees mutants that run in the test's own process and thread only: code the
 *   tests run in child processes or worker threads is tested in-thread as well (see each package).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The score under which `pnpm test:mutation` fails (issue 15: every package at 85% or more). */
export const MUTATION_SCORE_FLOOR = 85;

/** @param {{ mutate?: string[] }} [overrides] */
export function strykerConfig(overrides = {}) {
  return {
    testRunner: 'vitest',
    // Resolved from the workspace root: pnpm does not link plugins next to @stryker-mutator/core.
    plugins: [require.resolve('@stryker-mutator/vitest-runner')],
    vitest: { configFile: 'vitest.config.ts' },
    mutate: ['src/**/*.ts', '!src/**/*.d.ts', '!src/index.ts'],
    inPlace: true,
    ignoreStatic: true,
    concurrency: 2,
    coverageAnalysis: 'perTest',
    incremental: true,
    incrementalFile: 'reports/stryker-incremental.json',
    reporters: ['progress', 'clear-text', 'json', 'html'],
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    htmlReporter: { fileName: 'reports/mutation/mutation.html' },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
    thresholds: { high: 90, low: MUTATION_SCORE_FLOOR, break: null },
    timeoutMS: 10_000,
    tempDirName: 'reports/.stryker-tmp',
    cleanTempDir: 'always',
    ...overrides,
  };
}
