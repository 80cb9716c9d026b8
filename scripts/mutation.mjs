#!/usr/bin/env node
/**
 * `pnpm test:mutation [package...]`: Stryker, one package after another (each mutates its sources
 * in place, and the packages' tests import each other's sources: see the run lock in
 * stryker.shared.mjs), then one table of scores.
 * Exits 1 when a package scores under the floor, when a run fails, or when a run leaves a
 * mutated source behind (git sees it).
 *
 * `--report` prints the same table from each package's last run (its JSON report) without
 * running anything.
 *
 * Not part of .ci/run (it takes the better part of an hour on two cores); the scheduled workflow
 * .github/workflows/mutation.yml runs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MUTATION_SCORE_FLOOR } from '../stryker.shared.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The packages that serve users (issue 15), cheapest first so that a broken setup shows early. */
export const MUTATED_PACKAGES = ['predict', 'drift', 'train', 'perf-benchmark', 'serve', 'model-store', 'forest', 'features'];

/** Counts of a Stryker JSON report (mutation-testing-report-schema), and its two scores. */
export function scoreOf(report) {
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1;
  const detected = count.Killed + count.Timeout;
  const covered = detected + count.Survived;
  const valid = covered + count.NoCoverage;
  return {
    mutants: valid,
    killed: detected,
    survived: count.Survived,
    noCoverage: count.NoCoverage,
    ignored: count.Ignored,
    score: valid === 0 ? 100 : (100 * detected) / valid,
    coveredScore: covered === 0 ? 100 : (100 * detected) / covered,
  };
}

function main(args) {
  // --report: the table of each package's last run (its JSON report), without running Stryker.
  const reportOnly = args.includes('--report');
  const argv = args.filter((arg) => arg !== '--report');
  const unknown = argv.filter((name) => !MUTATED_PACKAGES.includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown package ${unknown.join(', ')}; mutation testing covers ${MUTATED_PACKAGES.join(', ')}.`);
    return 2;
  }
  const packages = argv.length > 0 ? MUTATED_PACKAGES.filter((name) => argv.includes(name)) : MUTATED_PACKAGES;
  const rows = [];
  let failed = false;
  for (const name of packages) {
    const cwd = join(ROOT, 'packages', name);
    const report = join(cwd, 'reports/mutation/mutation.json');
    if (reportOnly) {
      if (!existsSync(report)) {
        rows.push({ name, seconds: NaN, error: 'never run here' });
        failed = true;
        continue;
      }
      const score = scoreOf(JSON.parse(readFileSync(report, 'utf8')));
      if (score.score < MUTATION_SCORE_FLOOR) failed = true;
      rows.push({ name, seconds: NaN, ran: statSync(report).mtime, ...score });
      continue;
    }
    console.error(`\n== ${name}: stryker run (in place)`);
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs'], { cwd, stdio: 'inherit' });
    const seconds = (Date.now() - started) / 1000;
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).stdout.trim();
    if (dirty !== '') {
      console.error(`Stryker left changed sources in packages/${name}:\n${dirty}\nRestore them (git checkout -- packages/${name}/src) before anything else.`);
      return 1;
    }
    if (run.status !== 0 || !existsSync(report)) {
      rows.push({ name, seconds, error: `stryker exited ${run.status ?? run.signal}` });
      failed = true;
      continue;
    }
    const score = scoreOf(JSON.parse(readFileSync(report, 'utf8')));
    if (score.score < MUTATION_SCORE_FLOOR) failed = true;
    rows.push({ name, seconds, ...score });
  }
  console.log(table(rows));
  return failed ? 1 : 0;
}

function table(rows) {
  const lines = [
    `| package | mutants | killed | survived | no coverage | score | on covered code | run time | ≥ ${MUTATION_SCORE_FLOOR}% |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|:-:|',
  ];
  for (const row of rows) {
    const time = Number.isNaN(row.seconds) ? (row.ran ? `last run ${row.ran.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '') : `${Math.floor(row.seconds / 60)} min ${Math.round(row.seconds % 60)} s`;
    if (row.error) lines.push(`| ${row.name} | | | | | | | ${time} | ${row.error} |`);
    else lines.push(`| ${row.name} | ${row.mutants} | ${row.killed} | ${row.survived} | ${row.noCoverage} | ${row.score.toFixed(1)}% | ${row.coveredScore.toFixed(1)}% | ${time} | ${row.score >= MUTATION_SCORE_FLOOR ? 'yes' : 'no'} |`);
  }
  const total = rows.reduce((sum, row) => sum + (Number.isNaN(row.seconds) ? 0 : row.seconds), 0);
  if (total > 0) lines.push('', `Total run time: ${Math.floor(total / 60)} min ${Math.round(total % 60)} s.`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
