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
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const LOCK = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.rally-stryker-lock');

/**
 * One Stryker run at a time in a checkout. Runs are in place, and a package's tests import the
 * other packages' sources: while one package's sources are instrumented, another run's mutant
 * numbers would switch on that package's mutants too (Stryker's switch is one global,
 * `__stryker__.activeMutant`, and every run numbers its mutants from 0). A second run waits here
 * (the config is read once, by the Stryker process itself) until the first ends, in the order
 * they came; a lock or a place in the queue whose process died is dropped.
 */
async function takeRunLock() {
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return error.code === 'EPERM';
    }
  };
  const holder = () => {
    try {
      const [pid, what] = readFileSync(join(LOCK, 'pid'), 'utf8').split('\n');
      return { pid: Number(pid), what };
    } catch {
      return null;
    }
  };
  // First come, first served: each waiter takes a ticket, and only the oldest live one may lock.
  const QUEUE = `${LOCK}-queue`;
  mkdirSync(QUEUE, { recursive: true });
  const ticket = `${String(Date.now()).padStart(15, '0')}-${process.pid}`;
  writeFileSync(join(QUEUE, ticket), basename(process.cwd()));
  const leave = () => rmSync(join(QUEUE, ticket), { force: true });
  process.on('exit', leave);
  let told = false;
  for (;;) {
    const waiting = readdirSync(QUEUE)
      .sort()
      .filter((name) => {
        if (alive(Number(name.split('-')[1]))) return true;
        rmSync(join(QUEUE, name), { force: true });
        return false;
      });
    const current = holder();
    if (current !== null && !(current.pid > 0 && alive(current.pid))) rmSync(LOCK, { recursive: true, force: true });
    if (waiting[0] === ticket) {
      try {
        mkdirSync(LOCK);
        writeFileSync(join(LOCK, 'pid'), `${process.pid}\n${basename(process.cwd())}\n`);
        leave();
        process.on('exit', () => {
          if (holder()?.pid === process.pid) rmSync(LOCK, { recursive: true, force: true });
        });
        return;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
    }
    if (!told) {
      console.error(`Waiting for the Stryker run of process ${current?.pid ?? '?'} (${current?.what || 'a package'}) to end, ${waiting.indexOf(ticket)} run(s) ahead: in-place runs take turns.`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// Only the Stryker process itself waits: not a forked child (a test runner), nor a script that
// merely imports this file.
const isStryker = process.argv.slice(1, 2).some((script) => /stryker(\.js)?$/.test(script));
if (isStryker && process.send === undefined) await takeRunLock();

/**
 * Set for the test runners Stryker forks (they inherit it): a test that measures a child process's
 * memory or time skips itself in a mutation run, where the child would run instrumented sources
 * (heavier than the product, and its mutants invisible to Stryker anyway).
 */
export const MUTATION_RUN_ENV = 'RALLY_MUTATION_RUN';
if (isStryker) process.env[MUTATION_RUN_ENV] = '1';

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
    // Vitest strips types without checking them, so no file needs Stryker's `// @ts-nocheck`:
    // left on, Stryker would rewrite (and at the end restore) every test and dist file too, undoing
    // any edit made to them while it runs.
    disableTypeChecks: false,
    tempDirName: 'reports/.stryker-tmp',
    cleanTempDir: 'always',
    ...overrides,
  };
}
