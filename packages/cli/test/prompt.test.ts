// @module-tag unit
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunSummary, TrainReport } from '@rally/model';
import { askModelId, formatRunList, PROMPT_QUESTION, readLine } from '../src/prompt.ts';

const run = (modelId: string, createdAt: string, testLogLoss: number): RunSummary => ({
  modelId,
  dir: `/out/${modelId}`,
  report: {
    created_at: createdAt,
    test_log_loss: testLogLoss,
    accuracy: 0.61234,
    cv_mean_log_loss: 0.5,
    cv_std_log_loss: 0.01,
    estimator: { params: { nEstimators: 10, maxDepth: 5 } },
  } as unknown as TrainReport,
});

const RUNS = [run('a'.repeat(64), '2026-11-27T10:31:05.123Z', 0.77541), run('b'.repeat(64), '2026-11-26T09:00:00.000Z', 0.4)];

describe('formatRunList', () => {
  it('lists id prefixes with their date and metrics', () => {
    expect(formatRunList(RUNS, '/out')).toBe(
      [
        'Local runs in /out (newest first):',
        '  aaaaaaaaaaaa  2026-11-27 10:31 UTC  log loss 0.7754  accuracy 0.6123  cv 0.5000 ± 0.0100  10 trees, max depth 5',
        '  bbbbbbbbbbbb  2026-11-26 09:00 UTC  log loss 0.4000  accuracy 0.6123  cv 0.5000 ± 0.0100  10 trees, max depth 5',
      ].join('\n'),
    );
    expect(formatRunList([], '/out')).toBe('There are no runs in /out.');
  });

  it('marks the production model', () => {
    expect(formatRunList(RUNS, '/out', 'b'.repeat(64)).split('\n')[2]).toBe('  bbbbbbbbbbbb (production)  2026-11-26 09:00 UTC  log loss 0.4000  accuracy 0.6123  cv 0.5000 ± 0.0100  10 trees, max depth 5');
    expect(formatRunList(RUNS, '/out', 'b'.repeat(64))).not.toMatch(/aaaa.*\(production\)/);
  });
});

describe('readLine', () => {
  it('returns the first line without its ending, across chunks', async () => {
    const input = new PassThrough();
    const line = readLine(input);
    input.write('ab');
    input.write('cd\r\nnext\n');
    expect(await line).toBe('abcd');
  });

  it('returns what came before the end, or null for nothing', async () => {
    const partial = new PassThrough();
    const line = readLine(partial);
    partial.end('72d8');
    expect(await line).toBe('72d8');
    const empty = new PassThrough();
    const none = readLine(empty);
    empty.end();
    expect(await none).toBeNull();
  });
});

describe('askModelId', () => {
  it('prints the runs and the question on the given output and returns the trimmed answer', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (chunk) => (written += chunk));
    const answer = askModelId(RUNS, '/out', input, output);
    input.write('  bbbb \n');
    expect(await answer).toBe('bbbb');
    expect(written).toBe(`${formatRunList(RUNS, '/out')}\n${PROMPT_QUESTION}\n`);
  });

  it('treats no answer as a usage error', async () => {
    const input = new PassThrough();
    const answer = askModelId(RUNS, '/out', input, new PassThrough());
    input.end('\n');
    await expect(answer).rejects.toMatchObject({ code: 'CLI_USAGE', message: 'No model id was given: answer the prompt with one, or give it as the argument (rally compare <id>).' });
  });

  /** Streams that say they are a terminal, as process.stdin and process.stderr do on one. */
  const terminal = () => Object.assign(new PassThrough(), { isTTY: true });

  it('on a terminal: a list picked with the arrow keys, newest first, production marked', async () => {
    const input = terminal();
    const output = terminal();
    let shown = '';
    output.on('data', (chunk) => (shown += chunk));
    const answer = askModelId(RUNS, '/out', input, output, 'b'.repeat(64));
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.write('\x1b[B'); // arrow down: the second run
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.write('\r');
    expect(await answer).toBe('b'.repeat(64));
    const plain = shown.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('Candidate, from the local runs in /out (newest first)');
    expect(plain.indexOf('aaaaaaaaaaaa')).toBeLessThan(plain.indexOf('bbbbbbbbbbbb'));
    expect(plain).toContain('bbbbbbbbbbbb (production)  2026-11-26 09:00 UTC');
  });

  it('on a terminal, Ctrl+C is a usage error', async () => {
    const input = terminal();
    const answer = askModelId(RUNS, '/out', input, terminal());
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.write('\x03');
    await expect(answer).rejects.toMatchObject({ code: 'CLI_USAGE', message: 'No model id was chosen: pick one, or give it as the argument (rally compare <id>).' });
  });
});
