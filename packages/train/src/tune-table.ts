import type { RandomForestParams } from '@rally/forest';
import type { TuneReport } from '@rally/model';

/** A forest's settings in one phrase: "100 trees, max depth 20, max features sqrt, min samples leaf 1, leaf prior 0". */
export function formatSettings(params: Partial<RandomForestParams>): string {
  return [
    `${params.nEstimators} trees`,
    `max depth ${params.maxDepth}`,
    `max features ${params.maxFeatures}`,
    `min samples leaf ${params.minSamplesLeaf ?? 1}`,
    `leaf prior ${params.leafPrior ?? 0}`,
  ].join(', ');
}

/** The ranked settings of a search as a text table (the train summary and the README print it), the winner marked. */
export function formatTuneTable(tuning: TuneReport): string {
  const header = ['rank', 'trees', 'max depth', 'max features', 'min leaf', 'leaf prior', 'CV log loss', 'nodes', 'fit s/fold'];
  const body = tuning.rows.map((row) => [
    `${row.rank === tuning.winner_rank ? '*' : ''}${row.rank}`,
    String(row.params.nEstimators),
    String(row.params.maxDepth),
    String(row.params.maxFeatures),
    String(row.params.minSamplesLeaf),
    String(row.params.leafPrior),
    `${row.cv_mean_log_loss.toFixed(4)} ± ${row.cv_std_log_loss.toFixed(4)}`,
    Math.round(row.mean_nodes).toLocaleString('en-US'),
    row.fit_seconds.toFixed(2),
  ]);
  const widths = header.map((title, j) => Math.max(title.length, ...body.map((cells) => cells[j].length)));
  const line = (cells: string[]) => cells.map((cell, j) => cell.padStart(widths[j])).join('  ');
  return [
    `Tuning: ${tuning.candidates} settings (the original's and ${tuning.candidates - 1} drawn with seed ${tuning.seed}), ranked by 5-fold CV log loss on the training part`,
    line(header),
    ...body.map(line),
    `* the winner, fitted: ${tuning.rule}.`,
  ].join('\n');
}
