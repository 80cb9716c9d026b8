/** `rally validate <file.csv>`: checks an extraction against the data contract, every violation at once. */
import type { Registrar } from '../program.ts';
import { jsonOption } from '../program.ts';
import { resolveInput } from '../paths.ts';

export function registerValidate({ ctx, command, action }: Registrar): void {
  const validate = command('validate', 'check a CSV extraction against the data contract (every violation at once)')
    .argument('<file>', 'the CSV file to check')
    .addOption(jsonOption())
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid (the report lists every violation), 2 unreadable file or bad usage.');
  action(validate, async (file: string, options: { json?: boolean }) => {
    const { formatReport, validateCsvFile } = await import('@rally/features');
    // Streamed, and without keeping the typed columns: memory does not grow with the file.
    const { report } = validateCsvFile(resolveInput(ctx.env, file), undefined, { keepData: false });
    if (options.json) ctx.json(report);
    else {
      const [first, ...rest] = formatReport(report).split('\n');
      ctx.say([report.valid ? ctx.out.green(first) : ctx.out.red(first), ...rest].join('\n'));
    }
    return report.valid ? 0 : 1;
  });
}
