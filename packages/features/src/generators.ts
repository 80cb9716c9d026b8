import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTRACT, type ColumnSpec, type DataContract, inputColumns } from './contract.ts';
import type { CellValue } from './cells.ts';
import { invalidDataError, validateCsvFile } from './validate.ts';
import { Random, shuffledIndices } from './random.ts';

/** A data point as clients send it: every input column with its JSON-typed value. */
export type DataPoint = Record<string, number | boolean | string>;

export const GROUND_TRUTH_PATH = fileURLToPath(new URL('../../../data/australian_open.csv', import.meta.url));

let groundTruthPoints: DataPoint[] | undefined;

function groundTruth(contract: DataContract): DataPoint[] {
  if (!groundTruthPoints) {
    const { report, data } = validateCsvFile(GROUND_TRUTH_PATH, contract);
    if (!report.valid) throw invalidDataError(report);
    const columns = data.columns as Record<string, CellValue[]>;
    const names = inputColumns(contract).map((column) => column.name);
    groundTruthPoints = Array.from({ length: data.rows }, (_, row) => Object.fromEntries(names.map((name) => [name, columns[name][row]])));
  }
  return groundTruthPoints;
}

/**
 * `n` real points from the ground truth, target removed, in a seeded random order (without
 * replacement until the 5000 rows are used up, then starting over).
 */
export function sampleDataPoints(n: number, seed = 0, contract: DataContract = CONTRACT): DataPoint[] {
  const rows = groundTruth(contract);
  const order = shuffledIndices(rows.length, new Random(seed));
  return Array.from({ length: n }, (_, i) => ({ ...rows[order[i % rows.length]] }));
}

/**
 * `n` synthetic points valid under the contract: each column drawn uniformly within what the
 * ground truth showed (its observed range, categories, booleans); ids unique.
 */
export function generateDataPoints(n: number, seed = 0, contract: DataContract = CONTRACT): DataPoint[] {
  const random = new Random(seed);
  const columns = inputColumns(contract);
  return Array.from({ length: n }, (_, i) => Object.fromEntries(columns.map((column) => [column.name, drawValue(column, random, i)])));
}

function drawValue(column: ColumnSpec, random: Random, index: number): number | boolean | string {
  const low = column.observed?.min ?? column.min ?? 0;
  const high = column.observed?.max ?? column.max ?? low + 1;
  switch (column.type) {
    case 'boolean':
      return random.nextFloat() < 0.5;
    case 'category':
    case 'target':
      return column.categories![random.below(column.categories!.length)];
    case 'identifier':
      // Unique within the batch, beyond the ground truth's ids so nobody mistakes them for real points.
      return Math.floor(high) + 1 + index;
    case 'integer':
      return low + random.below(high - low + 1);
    default:
      return low + random.nextFloat() * (high - low);
  }
}

/**
 * Writes a larger extraction made from the ground truth to `path`, deterministic for `seed`, one
 * line at a time (never the whole text in memory): copy 0 is the ground truth itself, each further
 * copy moves every float a little (within its contract bounds) and gets new ids, so the file is
 * valid and no row repeats another. For benchmarks and memory checks at scale.
 */
export function writeJitteredCopy(path: string, rows: number, seed: number, contract: DataContract = CONTRACT): void {
  const [header, ...lines] = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split(/\r?\n/);
  const names = header.split(',');
  const specs = names.map((name) => contract.columns.find((column) => column.name === name)!);
  const idAt = specs.findIndex((spec) => spec.type === 'identifier');
  const random = new Random(seed);
  const out = openSync(path, 'w');
  try {
    writeSync(out, `${header}\n`);
    let buffered: string[] = [];
    for (let r = 0; r < rows; r += 1) {
      const copy = Math.floor(r / lines.length);
      const cells = lines[r % lines.length].split(',');
      if (copy > 0) {
        for (const [j, spec] of specs.entries()) {
          if (spec.type !== 'float') continue;
          const value = Number(cells[j]);
          // A relative move of up to 1% (and a little absolute one for values at 0), kept in bounds.
          const moved = value * (1 + (random.nextFloat() - 0.5) * 0.02) + (random.nextFloat() - 0.5) * 1e-3;
          cells[j] = String(Number(Math.min(spec.max ?? Infinity, Math.max(spec.min ?? -Infinity, moved)).toPrecision(10)));
        }
        cells[idAt] = String(copy * 1_000_000 + Number(cells[idAt]));
      }
      buffered.push(cells.join(','));
      if (buffered.length === 4096) {
        writeSync(out, `${buffered.join('\n')}\n`);
        buffered = [];
      }
    }
    if (buffered.length > 0) writeSync(out, `${buffered.join('\n')}\n`);
  } finally {
    closeSync(out);
  }
}
