// @module-tag e2e
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@rally/model';
import { deployRun, LocalFolderStore } from '@rally/model-store';
import type { TrainedRun } from '@rally/train';
import { TABLE_FRAME } from 'perf-benchmark';
import { type CliRun, cleanEnv, runCli, runMain, groundTruthSlice, STACK_FRAME, tempDir, trainSmallRun } from './helpers.ts';

type Run = TrainedRun & { dir: string };

/** Every file under `dir` with its mtime. */
function mtimes(dir: string): Record<string, number> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(entries.map((entry) => [join(entry.parentPath, entry.name), statSync(join(entry.parentPath, entry.name)).mtimeMs]));
}

/** A refusal: exit 1, nothing on stdout, one sentence on stderr, no stack trace. */
function expectRefusal(result: CliRun, message: string | RegExp) {
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(STACK_FRAME);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines.at(-1)).toMatch(message);
  expect(lines.at(-1)).toMatch(/\.$/);
  expect(result.code).toBe(1);
}

describe('the CLI on real runs', () => {
  let root: string;
  let production: Run;
  let candidate: Run;
  let env: NodeJS.ProcessEnv;
  let localRuns: string;
  const FAST = ['--workers', '0', '--resamples', '200'];

  beforeAll(async () => {
    root = tempDir('cli');
    const data = groundTruthSlice(600, root);
    production = await trainSmallRun(data, join(root, 'output'), 10);
    candidate = await trainSmallRun(data, join(root, 'output'), 5);
    await deployRun(new LocalFolderStore(join(root, 'store')), production.dir);
    // As `pnpm --filter perf-benchmark start` runs it: --output and --markdown resolve against
    // INIT_CWD, the directory pnpm was run from (pnpm says it ran the script); MODEL_STORE
    // and CACHE_DIR against the workspace root, so they are given as absolute paths here.
    env = cleanEnv({ INIT_CWD: root, npm_lifecycle_event: 'start', MODEL_STORE: join(root, 'store'), CACHE_DIR: join(root, 'cache') });
    // listRuns is newest first: the candidate was trained last.
    localRuns = `Local runs: ${[candidate, production].map((run) => run.modelId.slice(0, 12)).join(', ')}.`;
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** The original's table from its first bullet line (format.test.ts checks it character for character). */
  const header = (id: string) => [
    TABLE_FRAME,
    '•               Benchmark results                •',
    TABLE_FRAME,
    '',
    '',
    ' model id         | log loss | cv mean  |  cv std  ',
    '-'.repeat(50),
    expect.stringMatching(new RegExp(`^ ${id.slice(0, 10)}\\.\\.\\. {4}\\| {1,2}\\d+\\.\\d{4} {1,2}\\| {1,2}\\d+\\.\\d{4} {1,2}\\| {1,2}\\d+\\.\\d{4} {1,2}$`)),
    expect.stringMatching(/^ production {7}\| {1,2}\d+\.\d{4} {1,2}\| {1,2}\d+\.\d{4} {1,2}\| {1,2}\d+\.\d{4} {1,2}$/),
    '-'.repeat(50),
    '',
    'These results were calculated with the same set of data.',
  ];

  it('--model-id <prefix> prints the table (production row = its report), writes Markdown; the prompt gives the same and downloads nothing', async () => {
    const first = await runCli(['compare', '--model-id', candidate.modelId.slice(0, 8), '--output', 'output', '--markdown', 'bench.md', ...FAST], env);
    expect(first.stderr).not.toMatch(STACK_FRAME);
    expect(first.code, first.stderr).toBe(0);
    const all = first.stdout.split('\n');
    expect(all[0]).toMatch(/^Verdict: (the candidate is (WORSE|BETTER) than production|no clear difference between the candidate and production)\. Test rows: .*; CV: .*\.$/);
    // The original's table, character for character, after the decision.
    const lines = all.slice(all.indexOf(TABLE_FRAME));
    expect(lines.slice(0, 12)).toEqual(header(candidate.modelId));
    expect(lines[8].split('|')[1].trim()).toBe(production.report.test_log_loss.toFixed(4));
    expect(lines[7].split('|')[1].trim()).toBe(candidate.report.test_log_loss.toFixed(4));
    expect(first.stdout).toMatch(new RegExp(`\\nCandidate ${candidate.modelId.slice(0, 10)}\\.\\.\\.: log loss \\d\\.\\d{4}, accuracy \\d\\.\\d{4}, Brier \\d\\.\\d{4}, ECE \\d\\.\\d{4}, macro F1 \\d\\.\\d{4}\\n`));
    expect(first.stdout).toContain('  confusion matrix (rows: true class, columns: predicted)');
    expect(first.stdout).toContain(`Candidate   ${candidate.modelId}\n`);
    expect(first.stdout).toMatch(/\nAccuracy {4}candidate \d\.\d{4}, production \d\.\d{4}\n/);
    expect(first.stdout).toMatch(/\nDifference {2}[+-]\d\.\d{4} test log loss per row \(candidate - production\), 95% CI \[[+-]\d\.\d{4}, [+-]\d\.\d{4}\] over 120 rows, 200 bootstrap resamples \(seed 42\): /);
    expect(first.stdout).not.toContain('Warning');
    expect(first.stderr).toContain(`Production ${production.modelId}`);
    expect(first.stderr).toContain('Production artifacts: 3 downloaded, 0 from the cache');
    expect(first.stderr).toMatch(/candidate CV fold 5\/5: log loss \d\.\d{4}/);
    const markdown = readFileSync(join(root, 'bench.md'), 'utf8');
    expect(markdown).toMatch(/^# Benchmark results\n\n\*\*Verdict: .*\*\*\n\n\*\*Slices: .*\*\*\n\n\| model \| test log loss/);
    expect(markdown).toContain(`**${all[0]}**`); // the same verdict as the terminal's

    const cached = mtimes(join(root, 'cache'));
    expect(Object.keys(cached)).toHaveLength(6); // three artifacts and their sidecars

    const prompted = await runCli(['compare', '--output', 'output', ...FAST], env, `${candidate.modelId.slice(0, 8)}\n`);
    expect(prompted.code, prompted.stderr).toBe(0);
    expect(prompted.stdout).toBe(first.stdout);
    expect(prompted.stderr).toContain(`Local runs in ${join(root, 'output')} (newest first):`);
    expect(prompted.stderr).toMatch(new RegExp(`  ${candidate.modelId.slice(0, 12)}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC  log loss ${candidate.report.test_log_loss.toFixed(4)}  accuracy \\d\\.\\d{4}  cv \\d\\.\\d{4} ± \\d\\.\\d{4}  5 trees, max depth 5`));
    expect(prompted.stderr).toContain(`  ${production.modelId.slice(0, 12)} (production)  `);
    expect(prompted.stderr).toContain('Model id of the candidate (a unique prefix is enough): ');
    expect(prompted.stderr).toContain('Production artifacts: 0 downloaded, 3 from the cache');
    expect(mtimes(join(root, 'cache'))).toEqual(cached);
  }, 60_000);

  it('--json with a report file that cannot be written: still one document on stdout (the report), exit 1', async () => {
    const result = await runMain(['compare', candidate.modelId, '--output', 'output', '--json', '--quiet', '--markdown', '/nonexistent/x.md', ...FAST], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).candidate.model_id).toBe(candidate.modelId);
    expect(result.stderr.trim()).toBe('Cannot write the Markdown report to /nonexistent/x.md (ENOENT).');
  });

  it('--json prints only JSON on stdout; --fail-if-worse gates the exit code', async () => {
    const passing = await runCli(['compare', '--model-id', candidate.modelId, '--output', 'output', '--json', '--fail-if-worse', '10', '--no-cache', ...FAST], env);
    expect(passing.code, passing.stderr).toBe(0);
    const json = JSON.parse(passing.stdout);
    expect(json.production.test_log_loss).toBe(production.report.test_log_loss);
    expect(json.production.cv_log_losses).toEqual(production.report.cv_log_losses);
    expect(json.candidate.test_log_loss).toBe(candidate.report.test_log_loss);
    expect(json.gate).toEqual({ margin: 10, passed: true, failed_by: [], slices: false, worse_slices: [] });
    expect(json.slices.length).toBeGreaterThan(20);
    expect(json.slice_correction.method).toBe('bonferroni');
    expect(['better', 'worse', 'no clear difference']).toContain(json.verdict);
    expect(json.candidate.diagnostics.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(json.evaluation.split.test_rows);
    expect(json.paired_difference.resamples).toBe(200);
    expect(passing.stderr).toContain('CV fold'); // progress stays on stderr
    expect(passing.stderr).toContain('Production artifacts: 3 downloaded, 0 from the cache (cache disabled)');

    const failing = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output', '--fail-if-worse', '-10', '--quiet', ...FAST], env);
    expect(failing.code).toBe(1);
    // A negative margin asks for an improvement of at least 10: the sentence says exactly what failed.
    const reason = "the 95% interval of the per-row test log loss difference lies wholly above -10; and the candidate's CV mean exceeds production's by more than -10 plus the larger CV standard deviation";
    expect(failing.stdout.split('\n')[2]).toBe(`Gate: FAILED (--fail-if-worse -10): ${reason}.`);
    expect(failing.stderr.trim()).toBe(`Gate failed (--fail-if-worse -10): ${reason}.`);

    // --slices: every judged slice's interval lies above -10 too, and the gate names them.
    const bySlices = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output', '--fail-if-worse', '-10', '--slices', '--quiet', '--json', ...FAST], env);
    expect(bySlices.code).toBe(1);
    const gated = JSON.parse(bySlices.stdout);
    expect(gated.gate).toMatchObject({ margin: -10, passed: false, slices: true, failed_by: ['test rows', 'cv', 'slices'] });
    expect(gated.gate.worse_slices).toEqual(gated.slices.filter((slice: { judged: boolean }) => slice.judged).map((slice: { label: string }) => slice.label));
    // --slices alone asks for nothing: bad usage.
    const alone = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output', '--slices', ...FAST], env);
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim()).toBe('--slices goes with --fail-if-worse. See rally compare --help.');
  }, 60_000);

  describe('refusals: one sentence, exit 1', () => {
    it('an unknown id', async () => {
      const unknown = [...'0123456789abcdef'].find((c) => ![candidate, production].some((run) => run.modelId.startsWith(c)))!.repeat(7);
      const result = await runMain(['compare', '--model-id', unknown, '--output', 'output'], env);
      expectRefusal(result, `No run ${unknown} in ${join(root, 'output')}. ${localRuns}`);
    });

    it.each([
      ['a relative path', '../../etc/passwd'],
      ['an absolute path', '/etc/passwd'],
      ['an uppercase id', 'ABCDEF'],
    ])('%s as the candidate: bad usage (exit 2), the runs listed', async (_, id) => {
      // The first one as a real process: its exit code is what a shell sees.
      const result = id.startsWith('..') ? await runCli(['compare', id, '--output', 'output'], env) : await runMain(['compare', '--model-id', id, '--output', 'output'], env);
      expect(result).toEqual({ code: 2, stdout: '', stderr: `"${id}" is not a model id (hex digits of a sha256). ${localRuns} See rally compare --help.\n` });
    });

    it('a word after --fail-if-worse that is no margin is the candidate', async () => {
      const result = await runMain(['compare', '--fail-if-worse', 'lots', '--output', 'output'], env);
      expect(result).toEqual({ code: 2, stdout: '', stderr: `"lots" is not a model id (hex digits of a sha256). ${localRuns} See rally compare --help.\n` });
      const prefix = await runMain(['compare', '--fail-if-worse', candidate.modelId.slice(0, 6), '--output', 'output', '--json', '--quiet', ...FAST], env);
      const report = JSON.parse(prefix.stdout);
      expect(report.candidate.model_id).toBe(candidate.modelId);
      expect(report.gate.margin).toBe(0);
      expect(prefix.code).toBe(report.gate.passed ? 0 : 1);
    });

    it('an ambiguous prefix', async () => {
      const output = join(root, 'output-ambiguous');
      for (const id of [`abc1${'0'.repeat(60)}`, `abc2${'0'.repeat(60)}`]) {
        mkdirSync(join(output, id), { recursive: true });
        for (const file of ['model.json', 'dataset.csv']) writeFileSync(join(output, id, file), '{}');
        writeFileSync(join(output, id, 'report.json'), JSON.stringify({ ...candidate.report, model_id: id }));
      }
      const result = await runMain(['compare', '--model-id', 'abc', '--output', output], env);
      expectRefusal(result, 'abc is ambiguous: 2 runs start with it. Local runs: abc100000000, abc200000000.');
    });

    it('a run folder whose report.json does not parse', async () => {
      const output = join(root, 'output-bad-report');
      const id = 'e'.repeat(64);
      mkdirSync(join(output, id), { recursive: true });
      for (const file of ['model.json', 'dataset.csv']) writeFileSync(join(output, id, file), '{}');
      writeFileSync(join(output, id, 'report.json'), '{');
      const result = await runMain(['compare', '--model-id', 'eee', '--output', output], env);
      expectRefusal(result, new RegExp(`^The report\\.json of run ${join(output, id)} is not valid JSON; delete that run or train it again\\.$`));
    });

    it('an answer at the prompt that cannot be an id is bad usage (exit 2)', async () => {
      const result = await runCli(['compare', '--output', 'output'], env, 'zzz\n'); // a real process reading its stdin
      expect(result.stderr).toContain('Model id of the candidate');
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`"zzz" is not a model id (hex digits of a sha256). ${localRuns} See rally compare --help.`);
    });

    it('no runs to choose from', async () => {
      const result = await runMain(['compare', '--output', 'nothing-here'], env);
      expectRefusal(result, `There are no runs in ${join(root, 'nothing-here')} to benchmark; train one with rally train.`);
    });

    it('no production model', async () => {
      const result = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output'], { ...env, MODEL_STORE: join(root, 'empty-store') });
      expectRefusal(result, `The model store (local folder ${join(root, 'empty-store')}) has no production model to compare with; deploy one with rally deploy <model-id>.`);
    });

    it('an unreachable store', async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await new Promise((resolve) => server.close(resolve));
      const s3 = { MODEL_STORE: 's3://models/rally', S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' };
      const result = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output'], { ...env, ...s3 });
      expectRefusal(result, new RegExp(`127\\.0\\.0\\.1:${port}`));
    });

    it('a corrupted artifact in the store (checksum) and an unparsable one (checksum fixed)', async () => {
      const storeDir = join(root, 'store-corrupted');
      cpSync(join(root, 'store'), storeDir, { recursive: true });
      const modelDir = join(storeDir, 'models', production.modelId);
      writeFileSync(join(modelDir, 'model.json'), `${readFileSync(join(modelDir, 'model.json'), 'utf8')} `);
      const tampered = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output'], { ...env, MODEL_STORE: storeDir, CACHE_DIR: join(root, 'cache-corrupted') });
      expectRefusal(tampered, new RegExp(`^model\\.json of model ${production.modelId} in local folder .+ does not match its recorded sha256`));

      cpSync(join(root, 'store'), storeDir, { recursive: true });
      const garbage = Buffer.from('{"not": "a report"');
      writeFileSync(join(modelDir, 'report.json'), garbage);
      const checksums = JSON.parse(readFileSync(join(modelDir, 'checksums.json'), 'utf8'));
      checksums.artifacts['report.json'] = { sha256: sha256Hex(garbage), size: garbage.byteLength };
      writeFileSync(join(modelDir, 'checksums.json'), JSON.stringify(checksums));
      const unparsable = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output'], { ...env, MODEL_STORE: storeDir, CACHE_DIR: join(root, 'cache-corrupted-2') });
      expectRefusal(unparsable, new RegExp(`^The report\\.json of production model ${production.modelId.slice(0, 12)} in local folder .+ is not valid JSON\\.$`));
    });

    it('an invalid MODEL_STORE: a configuration mistake, exit 2', async () => {
      const result = await runMain(['compare', '--model-id', candidate.modelId, '--output', 'output'], { ...env, MODEL_STORE: 'ftp://example.com/x' });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe('MODEL_STORE must be s3://bucket/prefix or a folder path (ftp:// is not supported), got "ftp://example.com/x".');
    });
  });

  describe('usage', () => {
    it.each([
      [['--bogus'], 'Unknown option --bogus for rally compare. See rally compare --help.'],
      [['--model-id'], '--model-id needs a value (--model-id <id>). See rally compare --help.'],
      [['--workers', 'two'], '--workers must be an integer >= 0, got "two". See rally compare --help.'],
      [['a', 'b'], 'Too many arguments for rally compare (it takes at most 1). See rally compare --help.'],
      [['abc', '--fail-if-worse', 'lots'], '--fail-if-worse takes a number (a log loss margin), got "lots". See rally compare --help.'],
      [['--markdwon', 'x.md'], 'Unknown option --markdwon for rally compare; did you mean --markdown? See rally compare --help.'],
    ])('%j: one sentence on stderr, exit 2', async (argv, sentence) => {
      // The first one as a real process: its exit code is what a shell sees.
      const result = argv[0] === '--bogus' ? await runCli(['compare', ...argv], env) : await runMain(['compare', ...argv], env);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${sentence}\n`);
    });

    it('an empty answer at the prompt is a usage error too', async () => {
      const result = await runMain(['compare', '--output', 'output'], env, '');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^No model id was given: answer the prompt with one, or give it as the argument \(rally compare <id>\)\. See rally compare --help\.$/m);
    });

    it('--help prints the usage on stdout', async () => {
      const result = await runMain(['compare', '--help'], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: rally compare \[options\] \[model-id\]/);
      expect(result.stdout).toContain('--fail-if-worse [margin]');
    });
  });
});
