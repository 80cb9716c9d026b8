// @module-tag e2e
/**
 * Validation in memory that does not grow with the file (issue 16), checked in separate processes
 * (peak RSS is a process's): a generated 20,000-row extraction and one 4 times larger. The full-size
 * figures (80,000 and 320,000 rows, against the targets) are `pnpm bench:scale`'s.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOURCE_NODE_ARGS, tempDir } from '@rally/testkit';
import { writeJitteredCopy } from '../src/index.ts';

const SCRIPT = fileURLToPath(new URL('./fixtures/validate-file.ts', import.meta.url));

function validateInChild(path: string): { valid: boolean; rows: number; peakMb: number } {
  const output = execFileSync(process.execPath, [...SOURCE_NODE_ARGS, SCRIPT, path], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return JSON.parse(output.trim().split('\n').at(-1)!);
}

// A mutation run (scripts/mutation.mjs sets RALLY_MUTATION_RUN) would measure instrumented sources.
const mutationRun = process.env.RALLY_MUTATION_RUN === '1';

describe('validating a file streams it', () => {
  it.skipIf(mutationRun)('4 times the rows (20,000 to 80,000) add under 30% to peak memory, under 150 MB in all', { timeout: 60_000 }, () => {
    const dir = tempDir('validate-memory');
    const [small, large] = [20_000, 80_000].map((rows) => {
      const path = join(dir, `extraction-${rows}.csv`);
      writeJitteredCopy(path, rows, 3);
      return validateInChild(path);
    });
    expect(small).toMatchObject({ valid: true, rows: 20_000 });
    expect(large).toMatchObject({ valid: true, rows: 80_000 });
    console.log(`measured: peak RSS validating 20,000 rows ${small.peakMb.toFixed(0)} MB, 80,000 rows ${large.peakMb.toFixed(0)} MB`);
    expect(large.peakMb / small.peakMb).toBeLessThan(1.3);
    expect(large.peakMb).toBeLessThan(150);
  });
});
