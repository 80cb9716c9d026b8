// @module-tag integration
/**
 * `pnpm contract:derive`, run in this process (deriveContractCommand): what it writes, what
 * --check says, and its refusals, each with its exit code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUND_TRUTH_PATH, groundTruthSlice, tempDir } from '@rally/testkit';
import { describe, expect, it } from 'vitest';
import { deriveContractCommand } from '../src/cli/derive-contract.ts';
import { CONTRACT_PATH } from '../src/contract.ts';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = deriveContractCommand(argv, { log: (line) => out.push(line), error: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('pnpm contract:derive', () => {
  it('derives from the ground truth by default exactly the checked-in contract, and says so with --check', () => {
    const target = join(tempDir('contract'), 'contract.json');
    const written = run(['--out', target]);
    expect(written).toEqual({ code: 0, out: `Wrote the contract for 26 columns (5000 rows of ${GROUND_TRUTH_PATH}) to ${target}.`, err: '' });
    expect(readFileSync(target, 'utf8')).toBe(readFileSync(CONTRACT_PATH, 'utf8'));
    expect(run(['--check'])).toEqual({ code: 0, out: `${CONTRACT_PATH} is up to date with ${GROUND_TRUTH_PATH}.`, err: '' });
  });

  it('--check exits 1 when the contract differs from what the data gives, and writes nothing', () => {
    const target = join(tempDir('contract'), 'contract.json');
    writeFileSync(target, '{}\n');
    const slice = groundTruthSlice(300);
    expect(run([slice, '--out', target, '--check'])).toEqual({ code: 1, out: `${target} differs from what ${slice} gives; run pnpm contract:derive.`, err: '' });
    expect(readFileSync(target, 'utf8')).toBe('{}\n');
  });

  it('a CSV of its own: its rows, its file name and checksum in the contract', () => {
    const slice = groundTruthSlice(300);
    const target = join(tempDir('contract'), 'contract.json');
    expect(run([slice, '--out', target]).code).toBe(0);
    const contract = JSON.parse(readFileSync(target, 'utf8'));
    expect(contract.derivedFrom).toMatchObject({ rows: 300, file: 'australian_open_300.csv' });
    expect(contract.derivedFrom.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(contract.derivedFrom.sha256).not.toBe(JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')).derivedFrom.sha256);
  });

  it('an unknown option is bad usage (exit 2) with the usage line; an unreadable file is one sentence (exit 2)', () => {
    const bad = run(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--bogus/);
    expect(bad.err).toMatch(/\nUsage: pnpm contract:derive \[csv\] \[--out contract.json\] \[--check\]$/);
    const missing = join(tempDir('none'), 'missing.csv');
    expect(run([missing])).toEqual({ code: 2, out: '', err: expect.stringContaining(`No such file: ${missing}.`) });
  });
});
