import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/args.ts';

describe('parseCliArgs', () => {
  it('has defaults: prompt for the id, text report, no gate', () => {
    expect(parseCliArgs([])).toEqual({ help: false, modelId: undefined, json: false, markdown: undefined, failIfWorse: undefined, output: undefined, workers: undefined, resamples: 2000, noCache: false, quiet: false });
  });

  it('reads every flag, with or without a leading --', () => {
    const args = ['--model-id', '72d8', '--json', '--markdown', 'out.md', '--output', 'runs', '--workers', '2', '--resamples', '500', '--no-cache', '--quiet'];
    const expected = { help: false, modelId: '72d8', json: true, markdown: 'out.md', failIfWorse: undefined, output: 'runs', workers: 2, resamples: 500, noCache: true, quiet: true };
    expect(parseCliArgs(args)).toEqual(expected);
    expect(parseCliArgs(['--', ...args])).toEqual(expected);
    expect(parseCliArgs(['--model-id=72d8']).modelId).toBe('72d8');
  });

  it('takes an optional margin after --fail-if-worse', () => {
    expect(parseCliArgs(['--fail-if-worse']).failIfWorse).toBe(0);
    expect(parseCliArgs(['--fail-if-worse', '--json'])).toMatchObject({ failIfWorse: 0, json: true });
    expect(parseCliArgs(['--fail-if-worse', '0.02', '--model-id', 'ab'])).toMatchObject({ failIfWorse: 0.02, modelId: 'ab' });
    expect(parseCliArgs(['--fail-if-worse', '-0.01']).failIfWorse).toBe(-0.01);
    expect(parseCliArgs(['--fail-if-worse=.5']).failIfWorse).toBe(0.5);
    expect(parseCliArgs(['--model-id', 'ab', '--fail-if-worse']).failIfWorse).toBe(0);
  });

  it.each([
    [['--nope'], /^Unknown option '--nope'\.$/],
    [['--model-id'], /^Option '--model-id <value>' argument missing\.$/],
    [['--model-id', ''], /--model-id needs a value/],
    [['72d8'], /Unexpected argument "72d8"; give the candidate as --model-id <id>/],
    [['--fail-if-worse=abc'], /--fail-if-worse takes a number/],
    [['--workers=-1'], /--workers must be an integer >= 0/],
    [['--resamples', '1.5'], /--resamples must be an integer >= 1/],
    [['--json=yes'], /^Option '--json' does not take an argument\.$/],
  ])('refuses %j with one sentence', (argv, message) => {
    let error: unknown;
    try {
      parseCliArgs(argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(/\.$/);
  });
});
