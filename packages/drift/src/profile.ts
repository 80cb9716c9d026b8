/**
 * Profiles of a dataset's columns for drift detection, built on arquero (its group-by counts and
 * quantile roll-ups): what each column is tested as, and its counts over bins (for the chi-square
 * test and the PSI). The bins are the reference's: its deciles for numbers, the contract's
 * categories otherwise, so that two profiles line up.
 *
 * Memory: a reference profile holds every value of each number column, ascending (8 bytes a
 * reference row), for the KS test. A new file's profile holds counts only: over the bins, and for
 * each number column over the reference's distinct values (two counts a value: at it, and between it
 * and the next). ProfileBuilder adds a file to it chunk by chunk (`@rally/features/dataset`'s
 * streamDataset), so a new file of any size is profiled in the same memory.
 */
import * as aq from 'arquero';
import { CodedColumn, type ColumnSpec, CONTRACT, type DataContract, type RowBatch } from '@rally/features';
import { countOnGrid, distinctAscending } from './statistics.ts';

/** How a column is compared: numbers by their distribution, the rest by their categories' shares. */
export type DriftKind = 'number' | 'category' | 'boolean' | 'target';
export type DriftTest = 'ks' | 'chi-square';

/** An integer column with at most this many allowed values (`serve`: 1 or 2) is compared as categories. */
export const MAX_INTEGER_CATEGORIES = 10;

/** Deciles of the reference: the numeric bins' edges for the PSI. */
export const NUMERIC_BIN_QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export interface ColumnProfile {
  column: string;
  kind: DriftKind;
  test: DriftTest;
  /** A label for each bin, e.g. `≤ 12.4`, `(12.4, 15.1]`, `> 30.2`, or a category. */
  bins: string[];
  /** Numbers: the bins' upper edges (one fewer than the bins), ascending and distinct. */
  edges?: number[];
  /** Categories: the value each bin counts (a string, a boolean or an integer). */
  values?: (string | boolean | number)[];
  counts: Float64Array;
  /** Numbers, a reference: every value, ascending, and its distinct values (the grid a new file is counted on). */
  sorted?: Float64Array;
  grid?: Float64Array;
  /** Numbers, a new file: its counts on the reference's grid (statistics' countOnGrid), what its KS test reads. */
  cells?: Float64Array;
  rows: number;
}

export interface DatasetProfile {
  rows: number;
  columns: ColumnProfile[];
}

/** What the contract says a column is, for drift; null for identifiers (never compared). */
export function driftKindOf(spec: ColumnSpec): { kind: DriftKind; test: DriftTest; values?: (string | boolean | number)[] } | null {
  switch (spec.type) {
    case 'identifier':
      return null;
    case 'target':
      return { kind: 'target', test: 'chi-square', values: [...spec.categories!] };
    case 'category':
      return { kind: 'category', test: 'chi-square', values: [...spec.categories!] };
    case 'boolean':
      return { kind: 'boolean', test: 'chi-square', values: [false, true] };
    case 'integer': {
      const { min, max } = spec;
      if (min !== undefined && max !== undefined && max - min + 1 <= MAX_INTEGER_CATEGORIES) {
        return { kind: 'category', test: 'chi-square', values: Array.from({ length: max - min + 1 }, (_, i) => min + i) };
      }
      return { kind: 'number', test: 'ks' };
    }
    case 'float':
      return { kind: 'number', test: 'ks' };
  }
}

/** Index of the bin that holds `x`: the first edge at or above it, or the last bin. */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const short = (x: number) => String(Number(x.toPrecision(4)));

function edgeLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [`≤ ${short(edges[0]!)}`, ...edges.slice(1).map((edge, i) => `(${short(edges[i]!)}, ${short(edge)}]`), `> ${short(edges.at(-1)!)}`];
}

/** Counts per value of a category column, through arquero's group-by (codes when the column is coded). */
function countValues(column: RowBatch['columns'][string], values: readonly (string | boolean | number)[], counts: Float64Array<ArrayBufferLike> = new Float64Array(values.length)): Float64Array<ArrayBufferLike> {
  if (column instanceof CodedColumn) {
    const rows = aq.table({ code: column.codes }).groupby('code').count().objects() as { code: number; count: number }[];
    for (const { code, count } of rows) {
      const index = values.indexOf(column.dictionary[code] as string | boolean | number);
      if (index >= 0) counts[index] += count;
    }
    return counts;
  }
  const rows = aq.table({ value: column as ArrayLike<unknown> as unknown[] }).groupby('value').count().objects() as { value: string | boolean | number; count: number }[];
  for (const { value, count } of rows) {
    const index = values.indexOf(value);
    if (index >= 0) counts[index] += count;
  }
  return counts;
}

/** The reference's deciles of a number column (arquero's quantile roll-up), distinct and ascending. */
function decileEdges(values: Float64Array): number[] {
  const spec = Object.fromEntries(NUMERIC_BIN_QUANTILES.map((p, i) => [`q${i}`, aq.op.quantile('x', p)]));
  const row = aq.table({ x: values }).rollup(spec).objects()[0] as Record<string, number>;
  const edges = NUMERIC_BIN_QUANTILES.map((_, i) => row[`q${i}`]!);
  return [...new Set(edges)].sort((a, b) => a - b);
}

/** Counts of a number column over bins with these upper edges (arquero derive + group-by), added to `counts`. */
function countBins(values: ArrayLike<number>, edges: readonly number[], counts: Float64Array<ArrayBufferLike> = new Float64Array(edges.length + 1)): Float64Array<ArrayBufferLike> {
  const rows = aq
    .table({ x: values })
    .derive({ bin: aq.escape((d: { x: number }) => binOf(edges, d.x)) })
    .groupby('bin')
    .count()
    .objects() as { bin: number; count: number }[];
  for (const { bin, count } of rows) counts[bin] += count;
  return counts;
}

/**
 * The profile of a loaded dataset (`@rally/features/dataset`'s batch). Without `binsOf`, a
 * reference: its own bins, and its number columns' values. With it, a new file counted on the
 * reference profile's bins, column by column (what ProfileBuilder makes of it in one chunk). A column
 * the batch does not have is left out.
 */
export function profileDataset(batch: RowBatch, options: { contract?: DataContract; binsOf?: DatasetProfile } = {}): DatasetProfile {
  if (options.binsOf) return new ProfileBuilder(options.binsOf, options.contract).add(batch).finish();
  const contract = options.contract ?? CONTRACT;
  const columns: ColumnProfile[] = [];
  for (const spec of contract.columns) {
    const kind = driftKindOf(spec);
    const column = batch.columns[spec.name];
    if (kind === null || column === undefined) continue;
    if (kind.kind === 'number') {
      const sorted = Float64Array.from(column as ArrayLike<number>).sort();
      const edges = decileEdges(sorted);
      columns.push({ column: spec.name, kind: kind.kind, test: kind.test, bins: edgeLabels(edges), edges, counts: countBins(sorted, edges), sorted, grid: distinctAscending(sorted), rows: batch.rows });
    } else {
      const values = kind.values!;
      columns.push({ column: spec.name, kind: kind.kind, test: kind.test, bins: values.map(String), values, counts: countValues(column, values), rows: batch.rows });
    }
  }
  return { rows: batch.rows, columns };
}

/**
 * A new file's profile against a reference's, built a chunk of rows at a time: counts only, so its
 * memory is the reference's grid and bins, whatever the file's size. The columns are those of the
 * reference that the first chunk has.
 */
export class ProfileBuilder {
  readonly #reference: DatasetProfile;
  #columns: ColumnProfile[] | null = null;
  #rows = 0;

  constructor(reference: DatasetProfile, contract: DataContract = CONTRACT) {
    this.#reference = reference;
    // The reference's columns must be the contract's comparable ones (a profile of another contract is refused here, not mid-file).
    for (const profile of reference.columns) {
      const spec = contract.columns.find((column) => column.name === profile.column);
      if (!spec || driftKindOf(spec) === null) throw new RangeError(`The reference profile's column ${profile.column} is not a compared column of the contract.`);
      if (profile.kind === 'number' && (!profile.sorted || !profile.grid || !profile.edges)) throw new RangeError(`The reference profile's number column ${profile.column} has no values: profile the reference without binsOf.`);
    }
  }

  add(batch: RowBatch): this {
    this.#columns ??= this.#reference.columns.flatMap((reference): ColumnProfile[] =>
      batch.columns[reference.column] === undefined
        ? []
        : [{ ...reference, sorted: undefined, grid: undefined, counts: new Float64Array(reference.counts.length), cells: reference.grid ? new Float64Array(2 * reference.grid.length + 1) : undefined, rows: 0 }],
    );
    const references = new Map(this.#reference.columns.map((reference) => [reference.column, reference]));
    for (const profile of this.#columns) {
      const column = batch.columns[profile.column];
      if (column === undefined) throw new RangeError(`A chunk lacks the column ${profile.column} that the first one had.`);
      if (profile.kind === 'number') {
        const values = column as ArrayLike<number>;
        countBins(values, profile.edges!, profile.counts);
        // A typed loop, not arquero: a binary search a value into thousands of grid values is the hot path here.
        countOnGrid(references.get(profile.column)!.grid!, values, profile.cells!);
      } else countValues(column, profile.values!, profile.counts);
      profile.rows += batch.rows;
    }
    this.#rows += batch.rows;
    return this;
  }

  finish(): DatasetProfile {
    return { rows: this.#rows, columns: this.#columns ?? [] };
  }
}
