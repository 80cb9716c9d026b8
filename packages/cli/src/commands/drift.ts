/**
 * `rally drift <file.csv>`: a new extraction's column distributions against the ground truth's
 * (or --reference's). Both files must pass the data contract first: drift is measured only on
 * valid data, and an invalid file is reported as `rally validate` reports it.
 */
import { writeFile } from 'node:fs/promises';
import { isRallyError, RallyError, UsageError } from '@rally/errors';
import { errorDocument } from '../convention.ts';
import { resolveInput } from '../paths.ts';
import { jsonOption, type Registrar } from '../program.ts';

interface DriftCommandOptions {
  reference?: string;
  json?: boolean;
  html?: string;
  alpha?: string;
  resamples?: string;
  seed?: string;
}

function alphaOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !(value > 0 && value < 1)) throw new UsageError(`--alpha must be a number between 0 and 1 (exclusive), got "${raw}".`);
  return value;
}

function integerOf(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || !Number.isSafeInteger(value)) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}".`);
  return value;
}

export function registerDrift({ ctx, command, action, prepare }: Registrar): void {
  const cmd = command('drift', 'compare a new extraction’s column distributions with the ground truth’s (data drift)')
    .argument('<file>', 'the new extraction (CSV)')
    .option('--reference <file>', 'the reference extraction (default: the ground truth, data/australian_open.csv)')
    .addOption(jsonOption())
    .option('--html <file>', 'also write the report as one self-contained HTML page, each drifted column’s two distributions side by side')
    .option('--alpha <a>', 'the false-alarm rate over all the columns tested (default 0.01)')
    .option('--resamples <n>', 'draws from the reference for each column’s effect threshold (default 1000)')
    .option('--seed <n>', 'seed of those draws (default 42)');
  // The rule itself, from the package that applies it: added when drift is the command run.
  prepare(cmd, async () => {
    const { DRIFT_RULE } = await import('@rally/drift');
    cmd.addHelpText(
      'after',
      `\n${DRIFT_RULE}\nIdentifiers are not compared; integers with at most 10 allowed values (serve) are compared as categories.\nBoth files must follow the data contract (see rally validate); drift is measured only on valid data.\nExit codes: 0 no drift, 1 drift, 2 bad usage, an unreadable file, or a file that does not follow the data contract.`,
    );
  });
  action(cmd, async (file: string, options: DriftCommandOptions) => {
    const alpha = alphaOf(options.alpha);
    const resamples = integerOf('resamples', options.resamples, 1);
    const seed = integerOf('seed', options.seed, Number.MIN_SAFE_INTEGER);
    const path = resolveInput(ctx.env, file);
    const htmlPath = options.html === undefined ? undefined : resolveInput(ctx.env, options.html, '--html');
    const [{ GROUND_TRUTH_PATH, formatReport }, { loadDataset, streamDataset }, drift] = await Promise.all([import('@rally/features'), import('@rally/features/dataset'), import('@rally/drift')]);
    const referencePath = options.reference === undefined ? GROUND_TRUTH_PATH : resolveInput(ctx.env, options.reference, '--reference');
    let report: import('@rally/drift').DriftReport;
    try {
      const reference = drift.profileDataset(loadDataset(referencePath).batch);
      // The new file streamed in chunks, counted on the reference's bins: its size does not change the memory.
      const builder = new drift.ProfileBuilder(reference);
      streamDataset(path, (chunk) => builder.add(chunk));
      const current = builder.finish();
      report = drift.detectDrift(reference, current, { alpha, resamples, seed });
    } catch (error) {
      if (!isRallyError(error, 'DATA_INVALID')) throw error;
      // Reported as rally validate reports it; exit 2, since 1 means drift.
      ctx.note(formatReport(error.details as never));
      const message = `Cannot measure drift: ${error.message}`;
      ctx.note(ctx.err.red(message));
      if (options.json) ctx.json(errorDocument(error, message));
      return 2;
    }
    const sources = { file: path, reference: referencePath };
    if (options.json) ctx.json(drift.driftToJSON(report, sources));
    else {
      const [first, ...rest] = drift.formatDriftReport(report, sources).split('\n');
      ctx.say([report.drift ? ctx.out.red(first!) : ctx.out.green(first!), ...rest].join('\n'));
    }
    if (htmlPath !== undefined) {
      try {
        await writeFile(htmlPath, drift.formatDriftHtml(report, sources));
      } catch (error) {
        throw new RallyError('CLI_OUTPUT', `Cannot write the HTML report to ${htmlPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
      }
      ctx.note(`HTML report written to ${htmlPath}`);
    }
    return report.drift ? 1 : 0;
  });
}
