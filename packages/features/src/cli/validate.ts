/**
 * pnpm validate <csv> [--json]
 * Checks an extraction against the data contract and reports every violation at once.
 * Exit codes: 0 valid, 1 invalid, 2 unreadable (or bad usage). Never a stack trace.
 */
import { parseArgs } from 'node:util';
import { describeError } from '@rally/errors';
import { formatReport, validateCsvFile } from '../validate.ts';

const USAGE = 'Usage: pnpm validate <file.csv> [--json]';

function main(): number {
  let args;
  try {
    args = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals.length !== 1) {
    console.error(`Give exactly one CSV file to validate.\n${USAGE}`);
    return 2;
  }
  const [path] = args.positionals;
  try {
    const { report } = validateCsvFile(path);
    console.log(args.values.json ? JSON.stringify(report) : formatReport(report));
    return report.valid ? 0 : 1;
  } catch (error) {
    const message = describeError(error);
    if (args.values.json) console.log(JSON.stringify({ source: path, valid: false, unreadable: true, message }));
    else console.error(message);
    return 2;
  }
}

process.exitCode = main();
