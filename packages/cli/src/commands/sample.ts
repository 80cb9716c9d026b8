/**
 * `rally sample`: data points as JSON (an array), the file the original's generate_test_data wrote
 * to data/sample.json: real rows of the ground truth without the target, or synthetic points valid
 * under the contract (--synthetic). Seeded: the same flags give the same points.
 */
import { Option } from 'commander';
import { integerFlag, RallyError, UsageError } from '@rally/errors';
import { resolveInput } from '../paths.ts';
import type { Registrar } from '../program.ts';

export const DEFAULT_SAMPLE_SIZE = 10;
/** More points than any use needs, and few enough to hold in memory as JSON. */
export const MAX_SAMPLE_SIZE = 1_000_000;

export function registerSample({ ctx, command, action }: Registrar): void {
  const sample = command('sample', 'print data points as JSON: real rows without the target, or synthetic ones (--synthetic)')
    .option('-n, --count <n>', `how many points (default ${DEFAULT_SAMPLE_SIZE})`)
    .option('--seed <s>', 'the seed of the draw (default 0)')
    .option('--synthetic', 'points drawn within the contract’s observed ranges, not rows of the ground truth')
    .option('-o, --output <file>', 'write the JSON to <file> (atomically) instead of stdout, e.g. data/sample.json')
    // The output is JSON anyway: --json is accepted, as on every command that prints a document.
    .addOption(new Option('--json', 'the output is always JSON').hideHelp())
    .addHelpText(
      'after',
      `\nThe output is always one JSON document (an array of points). Real rows are drawn without replacement until the\nground truth's rows are used up, then start over. At most ${MAX_SAMPLE_SIZE.toLocaleString('en')} points.\nExit codes: 0 written, 1 the file cannot be written, 2 bad usage.`,
    );
  action(sample, async (options: { count?: string; seed?: string; synthetic?: boolean; output?: string }) => {
    const count = integerFlag('count', options.count, 1) ?? DEFAULT_SAMPLE_SIZE;
    if (count > MAX_SAMPLE_SIZE) throw new UsageError(`--count must be at most ${MAX_SAMPLE_SIZE}, got ${count}.`);
    const seed = integerFlag('seed', options.seed, 0) ?? 0;
    const { generateDataPoints, sampleDataPoints } = await import('@rally/features');
    const points = options.synthetic ? generateDataPoints(count, seed) : sampleDataPoints(count, seed);
    const text = `${JSON.stringify(points, null, 2)}\n`;
    if (options.output === undefined) {
      ctx.io.stdout.write(text);
      return 0;
    }
    const path = resolveInput(ctx.env, options.output, '--output');
    const { writeFileAtomic } = await import('@rally/model-store');
    try {
      await writeFileAtomic(path, Buffer.from(text));
    } catch (error) {
      throw new RallyError('CLI_OUTPUT', `Cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
    }
    ctx.note(`Wrote ${count} ${options.synthetic ? 'synthetic' : 'real'} point${count === 1 ? '' : 's'} to ${path}.`);
    return 0;
  });
}
