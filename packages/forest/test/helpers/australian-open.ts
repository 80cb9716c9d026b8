/**
 * Minimal reader for data/australian_open.csv used by the forest tests and benchmark: the numeric
 * and boolean columns as a row-major matrix (the forest sees numbers, not the data contract).
 */
import { readFileSync } from 'node:fs';
import { GROUND_TRUTH_PATH } from '@rally/testkit';

/** The 22 numeric / boolean columns (categoricals `hitpoint`, `previous.hitpoint` and `id` left out). */
export const NUMERIC_COLUMNS = [
  'rally', 'serve', 'speed', 'net.clearance', 'distance.from.sideline', 'depth', 'outside.sideline',
  'outside.baseline', 'player.distance.travelled', 'player.impact.depth', 'player.impact.distance.from.center',
  'player.depth', 'player.distance.from.center', 'previous.speed', 'previous.net.clearance',
  'previous.distance.from.sideline', 'previous.depth', 'opponent.depth', 'opponent.distance.from.center',
  'same.side', 'previous.time.to.net', 'server.is.impact.player',
] as const;

/** A 14-column subset of the continuous measurements (the size of the scikit-learn reference run). */
export const SUBSET_14 = [
  'rally', 'speed', 'net.clearance', 'distance.from.sideline', 'depth', 'player.distance.travelled',
  'player.impact.depth', 'player.impact.distance.from.center', 'player.depth', 'player.distance.from.center',
  'previous.speed', 'previous.net.clearance', 'opponent.depth', 'previous.time.to.net',
] as const;

export interface Dataset { data: Float64Array; rows: number; cols: number; columns: string[]; y: string[] }

export function loadAustralianOpen(options: { columns?: readonly string[]; rows?: number } = {}): Dataset {
  const lines = readFileSync(GROUND_TRUTH_PATH, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const columns = [...(options.columns ?? NUMERIC_COLUMNS)];
  const positions = columns.map((name) => {
    const at = header.indexOf(name);
    if (at < 0) throw new Error(`column ${name} not in ${GROUND_TRUTH_PATH}`);
    return at;
  });
  const target = header.indexOf('outcome');
  const rows = Math.min(options.rows ?? Infinity, lines.length - 1);
  const data = new Float64Array(rows * columns.length);
  const y: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1].split(',');
    positions.forEach((at, c) => {
      const cell = cells[at];
      data[r * columns.length + c] = cell === 'True' ? 1 : cell === 'False' ? 0 : Number(cell);
    });
    y.push(cells[target]);
  }
  return { data, rows, cols: columns.length, columns, y };
}
