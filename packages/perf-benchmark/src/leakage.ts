import { cellAt, CONTRACT, type RowBatch } from '@rally/features';

export interface LeakageCheck {
  /** Rows of the test part checked. */
  testRows: number;
  /** Test rows that also are training rows, by id or by content (each counted once). */
  leakedRows: number;
  /** Test rows whose identifier appears among the training rows. */
  byId: number;
  /** Test rows whose every other column (target included) equals some training row's. */
  byContent: number;
  /** Up to five identifiers of leaked rows, for the message. */
  sampleIds: string[];
}

/** The identifier columns of the contract (`id`): matched on their own, left out of the content key. */
export const IDENTIFIER_COLUMNS: readonly string[] = CONTRACT.columns.filter((column) => column.type === 'identifier').map((column) => column.name);

function rowKey(batch: RowBatch, names: readonly string[], row: number): string {
  return JSON.stringify(names.map((name) => cellAt(batch.columns[name], row)));
}

/**
 * Which rows of `test` a model trained on `training` has seen: a row leaks when its identifier is
 * among the training identifiers, or when all its other columns equal a training row's (a copy
 * with a new id). Typed values are compared (as parsed by the contract), so `1.50` and `1.5` match.
 */
export function findLeakage(training: RowBatch, test: RowBatch, identifierColumns: readonly string[] = IDENTIFIER_COLUMNS): LeakageCheck {
  const ids = identifierColumns.filter((name) => name in training.columns && name in test.columns);
  // One list for both batches, so both keys take the columns in the same order.
  const contentColumns = Object.keys(test.columns).filter((name) => name in training.columns && !identifierColumns.includes(name));
  const trainingIds = new Set<string>();
  const trainingContent = new Set<string>();
  for (let r = 0; r < training.rows; r += 1) {
    if (ids.length) trainingIds.add(rowKey(training, ids, r));
    if (contentColumns.length) trainingContent.add(rowKey(training, contentColumns, r));
  }
  let byId = 0;
  let byContent = 0;
  let leakedRows = 0;
  const sampleIds: string[] = [];
  for (let r = 0; r < test.rows; r += 1) {
    // The sets stay empty when there are no such columns, so nothing matches by them.
    const idMatch = trainingIds.has(rowKey(test, ids, r));
    const contentMatch = trainingContent.has(rowKey(test, contentColumns, r));
    if (idMatch) byId += 1;
    if (contentMatch) byContent += 1;
    if (idMatch || contentMatch) {
      leakedRows += 1;
      if (sampleIds.length < 5 && ids.length) sampleIds.push(ids.map((name) => String(cellAt(test.columns[name], r))).join('/'));
    }
  }
  return { testRows: test.rows, leakedRows, byId, byContent, sampleIds };
}
