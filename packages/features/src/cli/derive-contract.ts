/**
 * pnpm contract:derive [csv] [--out file] [--check]
 * Regenerates the data contract from a CSV (the ground truth by default). --check exits 1 when
 * the checked-in contract differs from what the data gives (CI can keep them in step).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeError } from '@rally/errors';
import { CONTRACT_PATH } from '../contract.ts';
import { parseCsv, readCsvBytes } from '../csv.ts';
import { deriveContract } from '../derive.ts';
import { GROUND_TRUTH_PATH } from '../generators.ts';

/** Where the command writes: the console by default, anything with log/error in tests. */
export interface Console {
  log(line: string): void;
  error(line: string): void;
}

/** The command: its arguments (no node, no script), its exit code. */
export function deriveContractCommand(argv: readonly string[], out: Console = console): number {
  let args;
  try {
    args = parseArgs({ args: [...argv], allowPositionals: true, options: { out: { type: 'string' }, check: { type: 'boolean' } } });
  } catch (error) {
    out.error(`${(error as Error).message}\nUsage: pnpm contract:derive [csv] [--out contract.json] [--check]`);
    return 2;
  }
  const path = args.positionals[0] ?? GROUND_TRUTH_PATH;
  const target = args.values.out ?? CONTRACT_PATH;
  try {
    const bytes = readCsvBytes(path);
    const { header, records } = parseCsv(bytes, path);
    const contract = deriveContract(header, records, { file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex') });
    const text = `${JSON.stringify(contract, null, 2)}\n`;
    if (args.values.check) {
      const same = readFileSync(target, 'utf8') === text;
      out.log(same ? `${target} is up to date with ${path}.` : `${target} differs from what ${path} gives; run pnpm contract:derive.`);
      return same ? 0 : 1;
    }
    writeFileSync(target, text);
    out.log(`Wrote the contract for ${contract.columns.length} columns (${contract.derivedFrom.rows} rows of ${path}) to ${target}.`);
    return 0;
  } catch (error) {
    out.error(describeError(error));
    return 2;
  }
}

// Run as a script (pnpm contract:derive), not when a test imports it.
if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = deriveContractCommand(process.argv.slice(2));
