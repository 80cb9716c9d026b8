// @module-tag integration
/**
 * `rally drift`: exit 0 for no drift, 1 for drift, 2 for bad usage, an unreadable file or one that
 * breaks the contract (reported as rally validate reports it); the JSON document the issue names;
 * the HTML page written; the terminal verdict first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH_PATH, tempDir } from '@rally/testkit';
import { dataLines, header, headerLine, mutate, writeTemp } from '../../features/test/helpers.ts';
import { cleanEnv, runCli, runMain } from './helpers.ts';

const drift = (...args: string[]) => runMain(['drift', ...args], cleanEnv());
const speed = header.indexOf('speed');

/**
 * Some rows of the ground truth, speed multiplied by `factor`. Rows taken every `step` from `start`,
 * not a block: the ground truth's order is not random (its blocks differ in rally length and
 * player depth, which drift itself shows).
 */
function extraction(start: number, step: number, factor = 1): string {
  const lines = dataLines.filter((_, i) => i % step === start).map((line) => {
    const cells = line.split(',');
    cells[speed] = String(Math.min(119, Number(cells[speed]) * factor));
    return cells.join(',');
  });
  return writeTemp(`extraction-${start}-${step}-${factor}.csv`, [headerLine, ...lines].join('\n') + '\n');
}

describe.concurrent('rally drift', () => {
  it('finds no drift in a clean subset of the ground truth (exit 0), as a real process', { tags: ['e2e'] }, async () => {
    const { code, stdout, stderr } = await runCli(['drift', extraction(1, 3)], cleanEnv());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('No drift (1667 rows against 5000 reference rows, 25 columns, alpha 0.01).');
  });

  it('flags the moved column first and only it (exit 1), in the terminal and in JSON', async () => {
    const file = extraction(0, 2, 1.08);
    const text = await drift(file);
    expect(text.code).toBe(1);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('Drift in 1 column: speed (2500 rows against 5000 reference rows, 25 columns, alpha 0.01).');
    expect(lines[4]).toMatch(/^speed\s+number\s+ks\s.*DRIFT$/);
    expect(lines.filter((line) => line.endsWith('DRIFT'))).toHaveLength(1);
    expect(text.stdout).toContain('Holm');

    const json = await drift(file, '--json');
    expect(json.code).toBe(1);
    const document = JSON.parse(json.stdout);
    expect(document).toMatchObject({ drift: true, rows: 2500, reference_rows: 5000, alpha: 0.01, drifted: ['speed'], file, reference: GROUND_TRUTH_PATH });
    expect(document.columns).toHaveLength(25);
    for (const column of document.columns) {
      expect(Object.keys(column)).toEqual(['column', 'kind', 'test', 'statistic', 'p_value', 'p_value_holm', 'effect', 'threshold', 'drift', 'shares']);
      expect(column.drift).toBe(column.column === 'speed');
    }
    expect(document.columns.map((column: { column: string }) => column.column)).not.toContain('id');
  });

  it('takes --reference, --alpha, --resamples and --seed, and writes --html', async () => {
    const dir = tempDir('drift-cli');
    const html = join(dir, 'drift.html');
    const result = await drift(extraction(0, 4, 1.08), '--reference', extraction(1, 2), '--alpha', '0.05', '--resamples', '200', '--seed', '7', '--html', html, '--json');
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ alpha: 0.05, resamples: 200, seed: 7, rows: 1250, reference_rows: 2500, drifted: ['speed'] });
    expect(result.stderr).toContain(`HTML report written to ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg class="shares" data-column="speed"');
    expect(JSON.parse(/<script type="application\/json" id="rally-drift">(.*)<\/script>/.exec(page)![1]!)).toEqual(document);
  });

  it('reports a file that breaks the contract as rally validate does, and measures nothing (exit 2)', async () => {
    const broken = mutate((records) => {
      records[3]![1] = '3';
    });
    const validate = await runMain(['validate', broken], cleanEnv());
    const text = await drift(broken);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain(validate.stdout.trim());
    expect(text.stderr).toMatch(/Cannot measure drift: .* does not follow the data contract/);
    const json = await drift(broken, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe('DATA_INVALID');
  });

  it.each([
    [['--alpha', '0'], /--alpha must be a number between 0 and 1/],
    [['--alpha', '1'], /--alpha must be a number between 0 and 1/],
    [['--alpha', 'often'], /--alpha must be a number between 0 and 1/],
    [['--resamples', '0'], /--resamples must be an integer >= 1/],
    [['--seed', '1.5'], /--seed must be an integer/],
  ])('refuses %j in one sentence (exit 2)', async (flags, message) => {
    const result = await drift(GROUND_TRUTH_PATH, ...flags);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses an unreadable file and a missing argument (exit 2), writing no HTML', async () => {
    const dir = tempDir('drift-cli');
    const html = join(dir, 'never.html');
    const missing = await drift(join(dir, 'nowhere.csv'), '--html', html);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(html)).toBe(false);
    expect((await drift()).code).toBe(2);
  });

  it('explains its rule in --help', async () => {
    const help = await drift('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("after Holm's correction");
    expect(help.stdout).toContain('Exit codes: 0 no drift, 1 drift, 2');
  });
});
