/**
 * pnpm contract:derive [csv] [--out file] [--check]
 * Regenerates the data contract from a CSV (the ground truth by default). --check exits 1 when
 * the checked-in contract differs from what the data gives (CI can keep them in step).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '@rally/errors';
import { CONTRACT_PATH } from '../contract.ts';
import { parseCsv, readCsvBytes } from '../csv.ts';
import { deriveContract } from '../derive.ts';
import { GROUND_TRUTH_PATH } from '../generators.ts';

function main(): number {
  let args;
  try {
    args = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, check: { type: 'boolean' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: pnpm contract:derive [csv] [--out contract.json] [--check]`);
    return 2;
  }
  const path = args.positionals[0] ?? GROUND_TRUTH_PATH;
  const out = args.values.out ?? CONTRACT_PATH;
  try {
    const bytes = readCsvBytes(path);
    const { header, records } = parseCsv(bytes, path);
    const contract = deriveContract(header, records, { file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex') });
    const text = `${JSON.stringify(contract, null, 2)}\n`;
    if (args.values.check) {
      const same = readFileSync(out, 'utf8') === text;
      console.log(same ? `${out} is up to date with ${path}.` : `${out} differs from what ${path} gives; run pnpm contract:derive.`);
      return same ? 0 : 1;
    }
    writeFileSync(out, text);
    console.log(`Wrote the contract for ${contract.columns.length} columns (${contract.derivedFrom.rows} rows of ${path}) to ${out}.`);
    return 0;
  } catch (error) {
    console.error(describeError(error));
    return 2;
  }
}

process.exitCode = main();
