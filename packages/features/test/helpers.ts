import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@rally/testkit';
import { GROUND_TRUTH_PATH } from '../src/index.ts';

export const groundTruthText = readFileSync(GROUND_TRUTH_PATH, 'utf8');
export const [headerLine, ...dataLines] = groundTruthText.trimEnd().split('\n');
export const header = headerLine.split(',');

/** Writes a mutated copy of the ground truth (never the original) to a temp file. */
export function writeTemp(name: string, content: string | Buffer): string {
  const path = join(tempDir('features'), name);
  writeFileSync(path, content);
  return path;
}

/** Ground truth with a change applied to a few parsed records (simple CSV: the ground truth has no quotes). */
export function mutate(change: (records: string[][], header: string[]) => void, rows = 200): string {
  const records = dataLines.slice(0, rows).map((line) => line.split(','));
  const head = [...header];
  change(records, head);
  return writeTemp('mutated.csv', [head, ...records].map((record) => record.join(',')).join('\n') + '\n');
}
