import { RallyError } from '@rally/errors';
import type { RunSummary } from '@rally/model';

const f4 = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(4) : '?');

/** "2026-11-27T10:31:05.123Z" → "2026-11-27 10:31 UTC" (left as is when it is not an ISO time). */
function shortDate(iso: unknown): string {
  const match = typeof iso === 'string' ? /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso) : null;
  return match ? `${match[1]} ${match[2]} UTC` : String(iso ?? '?');
}

/** A run in one line: id prefix, date, test and CV metrics, forest size, and whether it is in production. */
function runLine({ modelId, report }: RunSummary, productionId: string | undefined): string {
  const params = report.estimator?.params;
  const forest = params ? `  ${params.nEstimators} trees, max depth ${params.maxDepth}` : '';
  // Right after the id: a terminal narrower than the line still shows it.
  const production = modelId === productionId ? ' (production)' : '';
  return `${modelId.slice(0, 12)}${production}  ${shortDate(report.created_at)}  log loss ${f4(report.test_log_loss)}  accuracy ${f4(report.accuracy)}  cv ${f4(report.cv_mean_log_loss)} ± ${f4(report.cv_std_log_loss)}${forest}`;
}

/** One line per local run (newest first, as listRuns gives them), the production model marked. */
export function formatRunList(runs: readonly RunSummary[], outputDir: string, productionId?: string): string {
  if (runs.length === 0) return `There are no runs in ${outputDir}.`;
  return [`Local runs in ${outputDir} (newest first):`, ...runs.map((run) => `  ${runLine(run, productionId)}`)].join('\n');
}

export const PROMPT_QUESTION = 'Model id of the candidate (a unique prefix is enough): ';

/**
 * Reads one line from a stream (without the line ending); null when the stream ends without
 * giving anything. The stream is paused afterwards so it does not keep the process alive.
 */
export function readLine(input: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const cleanup = () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
    };
    const finish = (line: string | null) => {
      cleanup();
      resolve(line === null ? null : line.replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) finish(buffer.slice(0, newline));
    };
    const onEnd = () => finish(buffer.length > 0 ? buffer : null);
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}

/** Whether a stream is a terminal (streams tests pass are not). */
export const isTTY = (stream: unknown) => (stream as { isTTY?: boolean }).isTTY === true;

/**
 * Asks the operator for the candidate. On a terminal (input and output both TTYs): a list of the
 * local runs, newest first, production marked, picked with the arrow keys. Otherwise: the same
 * list and the question on `output` (stderr, so stdout stays for results), and one line read from
 * `input`, resolved like --model-id. No answer at all (or Ctrl+C) is CLI_USAGE.
 */
export async function askModelId(
  runs: readonly RunSummary[],
  outputDir: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  productionId?: string,
): Promise<string> {
  if (isTTY(input) && isTTY(output)) {
    // Loaded here, for the one command that asks in a terminal, not by every process of the CLI.
    const { default: select } = await import('@inquirer/select');
    try {
      return await select(
        { message: `Candidate, from the local runs in ${outputDir} (newest first)`, choices: runs.map((run) => ({ name: runLine(run, productionId), value: run.modelId })), pageSize: 12 },
        { input, output },
      );
    } catch (error) {
      throw new RallyError('CLI_USAGE', 'No model id was chosen: pick one, or give it as the argument (rally compare <id>).', { cause: error });
    }
  }
  output.write(`${formatRunList(runs, outputDir, productionId)}\n${PROMPT_QUESTION}`);
  const answer = (await readLine(input))?.trim();
  // A terminal echoed the answer and its Enter; piped input did not: end the prompt's line ourselves.
  if (!isTTY(input)) output.write('\n');
  if (!answer) throw new RallyError('CLI_USAGE', 'No model id was given: answer the prompt with one, or give it as the argument (rally compare <id>).');
  return answer;
}
