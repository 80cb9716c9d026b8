/**
 * pnpm bench:scale — how validation, drift detection and training grow with the data, side by side with the
 * original scikit-learn training command (issue 16).
 *
 * Makes jittered copies of the ground truth (deterministic for SEED): copy 0 is the ground truth
 * itself, each further copy moves every float a little (within its contract bounds) and gets new
 * ids, so every copy is valid and no row repeats another. For each size it runs, as separate
 * processes timed by GNU time (wall seconds and peak RSS of the process):
 *   - `rally validate <file>`, as `pnpm validate` runs it (its script's node flags);
 *   - `rally drift <file>` against the ground truth, as `pnpm drift` runs it (exit 1, drift found,
 *     counts as a run: a jittered copy may well move at large sizes);
 *   - `rally train <file>` as `pnpm train` runs it (100 trees, CV and final fit, the run written to
 *     a temporary folder);
 *   - the original pipeline in scikit-learn (bench/reference/original_train.py: pandas, 5-fold CV
 *     log loss, final fit, pickle), one core.
 * Then the growth factor per 4x rows, and the issue's targets with whether each is met.
 * Options (env): SIZES ("5000,20000,80000,320000"), SEED (1), SKLEARN (1; 0 skips the reference).
 * Needs Debian's python3-sklearn and python3-pandas (installed if missing).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJitteredCopy } from '@rally/features';
import { tempDir } from '@rally/testkit';
import { ensureDebianPackages } from './lib/reference.ts';
import { machineLine } from './lib/timing.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RALLY = join(ROOT, 'packages/cli/bin/rally.js');
const ORIGINAL = fileURLToPath(new URL('./reference/original_train.py', import.meta.url));
const SIZES = (process.env.SIZES ?? '5000,20000,80000,320000').split(',').map(Number);
const SEED = Number(process.env.SEED ?? 1);
const RUN_SKLEARN = process.env.SKLEARN !== '0';

interface Measured {
  seconds: number;
  peakMb: number;
  ok: boolean;
  stderr: string;
}

/** Runs a command under GNU time: its wall time and its peak resident memory (maximum RSS). */
/** `okStatus`: exit codes besides 0 that are an answer, not a failure (drift's 1). */
function measure(command: string, args: string[], okStatus?: number[]): Measured {
  const stats = join(work, 'time.txt');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', stats, command, ...args], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, env: { ...process.env, NO_COLOR: '1' } });
  const [seconds, kb] = readFileSync(stats, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds, peakMb: kb / 1024, ok: result.status === 0 || (okStatus?.includes(result.status ?? -1) ?? false), stderr: result.stderr.trim().split('\n').slice(-3).join(' | ') };
}

const work = tempDir('bench-scale');

/**
 * What `pnpm <script>` runs (`exec node <flags> packages/cli/bin/rally.js <command>`): the node
 * flags of the root package.json's script, so that the benchmark measures the very command users run
 * (without pnpm's own start-up), e.g. the young generation `pnpm train` asks for.
 */
function scriptCommand(script: 'validate' | 'drift' | 'train'): string[] {
  const line = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[script];
  const match = /^exec node ((?:--[\w-]+(?:=\S+)? )*)packages\/cli\/bin\/rally\.js (\w+)$/.exec(line ?? '');
  if (!match || match[2] !== script) throw new Error(`bench:scale: the ${script} script (${line}) is not "exec node [flags] packages/cli/bin/rally.js ${script}"`);
  return [...match[1].split(' ').filter(Boolean), RALLY, script];
}

function main(): void {
  if (RUN_SKLEARN) ensureDebianPackages(['/usr/bin/python3', '-c', 'import sklearn, pandas'], ['python3-sklearn', 'python3-pandas']);
  // The command users run is the built one: build it first if the sources changed.
  spawnSync(process.execPath, [join(ROOT, 'scripts/ensure-built.mjs')], { stdio: 'inherit' });
  console.log(machineLine());
  console.log(`Jittered copies of the ground truth (seed ${SEED}); each command a separate process, wall time and peak RSS from GNU time.\n`);

  const results: { rows: number; mb: number; validate: Measured; drift: Measured; train: Measured; sklearn: Measured | null }[] = [];
  for (const rows of SIZES) {
    const file = join(work, `extraction-${rows}.csv`);
    writeJitteredCopy(file, rows, SEED);
    const mb = statSync(file).size / 2 ** 20;
    const validate = measure(process.execPath, [...scriptCommand('validate'), file]);
    const drift = measure(process.execPath, [...scriptCommand('drift'), file], [1]);
    const output = join(work, `runs-${rows}`);
    const train = measure(process.execPath, [...scriptCommand('train'), file, '--output', output]);
    const sklearn = RUN_SKLEARN ? measure('/usr/bin/python3', [ORIGINAL, file, join(work, `model-${rows}.pkl`)]) : null;
    for (const [name, m] of [['validate', validate], ['drift', drift], ['train', train], ['scikit-learn', sklearn]] as const) {
      if (m && !m.ok) console.error(`${name} on ${rows} rows failed: ${m.stderr}`);
    }
    results.push({ rows, mb, validate, drift, train, sklearn });
    rmSync(output, { recursive: true, force: true });
    rmSync(file, { force: true });
    const done = results.at(-1)!;
    console.error(`${rows} rows: validate ${done.validate.seconds} s ${done.validate.peakMb.toFixed(0)} MB, drift ${done.drift.seconds} s ${done.drift.peakMb.toFixed(0)} MB, train ${done.train.seconds} s ${done.train.peakMb.toFixed(0)} MB${sklearn ? `, scikit-learn ${sklearn.seconds} s ${sklearn.peakMb.toFixed(0)} MB` : ''}`);
  }

  const f = (x: number, digits = 1) => x.toFixed(digits);
  console.log('| rows | CSV MB | `rally validate` wall | peak RSS | `rally drift` wall | peak RSS | `rally train` wall | peak RSS | scikit-learn wall | peak RSS | train ÷ scikit-learn wall | train ÷ scikit-learn RSS |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { rows, mb, validate, drift, train, sklearn } of results) {
    const cells = [rows.toLocaleString('en-US'), f(mb), `${f(validate.seconds, 2)} s`, `${f(validate.peakMb, 0)} MB`, `${f(drift.seconds, 2)} s`, `${f(drift.peakMb, 0)} MB`, `${f(train.seconds)} s`, `${f(train.peakMb, 0)} MB`];
    cells.push(...(sklearn ? [`${f(sklearn.seconds)} s`, `${f(sklearn.peakMb, 0)} MB`, `${f(train.seconds / sklearn.seconds, 2)}x`, `${f(train.peakMb / sklearn.peakMb, 2)}x`] : ['', '', '', '']));
    console.log(`| ${cells.join(' | ')} |`);
  }

  console.log('\nGrowth per 4x rows (each size against the one before it, when it is 4x smaller):\n');
  console.log('| from → to | validate time | validate memory | drift time | drift memory | train time | train memory | scikit-learn time | scikit-learn memory |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const growth: { validateMemory: number; driftMemory: number; trainTime: number; trainMemory: number }[] = [];
  for (let i = 1; i < results.length; i += 1) {
    const [a, b] = [results[i - 1], results[i]];
    if (b.rows !== 4 * a.rows) continue;
    const g = (x: number, y: number) => `${f(y / x, 2)}x`;
    growth.push({ validateMemory: b.validate.peakMb / a.validate.peakMb, driftMemory: b.drift.peakMb / a.drift.peakMb, trainTime: b.train.seconds / a.train.seconds, trainMemory: b.train.peakMb / a.train.peakMb });
    const sk = a.sklearn && b.sklearn ? [g(a.sklearn.seconds, b.sklearn.seconds), g(a.sklearn.peakMb, b.sklearn.peakMb)] : ['', ''];
    console.log(`| ${a.rows.toLocaleString('en-US')} → ${b.rows.toLocaleString('en-US')} | ${g(a.validate.seconds, b.validate.seconds)} | ${g(a.validate.peakMb, b.validate.peakMb)} | ${g(a.drift.seconds, b.drift.seconds)} | ${g(a.drift.peakMb, b.drift.peakMb)} | ${g(a.train.seconds, b.train.seconds)} | ${g(a.train.peakMb, b.train.peakMb)} | ${sk.join(' | ')} |`);
  }

  // The issue's targets: each with its figure, and whether it is met.
  const at = (rows: number) => results.find((result) => result.rows === rows);
  const targets: [string, number | undefined, (x: number) => boolean, (x: number) => string][] = [
    ['`rally validate` on 80,000 rows: peak RSS ≤ 150 MB', at(80_000)?.validate.peakMb, (x) => x <= 150, (x) => `${f(x, 0)} MB`],
    ['`rally validate` on 320,000 rows: peak RSS ≤ 200 MB', at(320_000)?.validate.peakMb, (x) => x <= 200, (x) => `${f(x, 0)} MB`],
    ['`rally train` on 80,000 rows: peak RSS ≤ scikit-learn’s', at(80_000)?.sklearn ? at(80_000)!.train.peakMb / at(80_000)!.sklearn!.peakMb : undefined, (x) => x <= 1, (x) => `${f(x, 2)}x`],
    ['`rally train` on 80,000 rows: wall ≤ 0.5x scikit-learn’s', at(80_000)?.sklearn ? at(80_000)!.train.seconds / at(80_000)!.sklearn!.seconds : undefined, (x) => x <= 0.5, (x) => `${f(x, 2)}x`],
    ['growth per 4x rows: train time ≤ 4.5x', growth.length ? Math.max(...growth.map((g) => g.trainTime)) : undefined, (x) => x <= 4.5, (x) => `${f(x, 2)}x at most`],
    ['growth per 4x rows: train memory ≤ 4x', growth.length ? Math.max(...growth.map((g) => g.trainMemory)) : undefined, (x) => x <= 4, (x) => `${f(x, 2)}x at most`],
    ['growth per 4x rows: validate memory ≤ 1.3x', growth.length ? Math.max(...growth.map((g) => g.validateMemory)) : undefined, (x) => x <= 1.3, (x) => `${f(x, 2)}x at most`],
    // Drift streams the new file (counts on the reference's grid): it grows only as validation does.
    ['growth per 4x rows: drift memory ≤ 1.3x', growth.length ? Math.max(...growth.map((g) => g.driftMemory)) : undefined, (x) => x <= 1.3, (x) => `${f(x, 2)}x at most`],
  ];
  console.log('\n| target | figure | met |');
  console.log('|---|---:|:-:|');
  for (const [name, value, met, show] of targets) console.log(`| ${name} | ${value === undefined ? 'not measured' : show(value)} | ${value === undefined ? '' : met(value) ? 'yes' : 'no'} |`);
  rmSync(work, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
