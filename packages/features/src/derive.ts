import type { ColumnSpec, DataContract } from './contract.ts';
import { isNullToken, parseCell } from './cells.ts';
import { COLUMN_DOCS } from './column-docs.ts';
import { RallyError } from '@rally/errors';

export interface DeriveOptions {
  target: string;
  identifiers: string[];
  /** Columns with at most this many distinct integers are codes (exact range), like `serve`. */
  maxCodeLevels: number;
  /** Text columns with at most this many distinct values are categories. */
  maxCategories: number;
}

const DEFAULTS: DeriveOptions = { target: 'outcome', identifiers: ['id'], maxCodeLevels: 5, maxCategories: 20 };

export const BOUNDS_POLICY =
  'Category sets and small integer codes are exactly what the ground truth shows. Other numeric columns ' +
  'keep their sign (a column never negative has minimum 0, or 1 for positive integers) and otherwise ' +
  'extend one observed range beyond the observed extremes, rounded outward to two significant digits: ' +
  'wide enough for new matches, narrow enough to catch a unit or sign error.';

/** Derives a contract from a CSV's header and string records (the ground truth). */
export function deriveContract(
  header: string[],
  records: string[][],
  source: { file: string; sha256: string },
  options: Partial<DeriveOptions> = {},
): DataContract {
  const opts = { ...DEFAULTS, ...options };
  const columns = header.map((name, index) => documented(deriveColumn(name, records.map((record) => record[index] ?? ''), opts), records[0]?.[index]));
  if (!header.includes(opts.target)) throw new RallyError('DATA_INVALID', `The data has no target column "${opts.target}".`);
  return {
    kind: 'rally.DataContract',
    formatVersion: 1,
    derivedFrom: { ...source, rows: records.length },
    policy: BOUNDS_POLICY,
    target: opts.target,
    columns,
  };
}

/** A derived column with its description and unit (COLUMN_DOCS) and the first row's value as its example. */
function documented(column: ColumnSpec, first: string | undefined): ColumnSpec {
  const doc = COLUMN_DOCS[column.name];
  const parsed = first === undefined ? undefined : parseCell(column, first);
  return {
    ...column,
    ...(doc ? { description: doc.description, ...(doc.unit ? { unit: doc.unit } : {}) } : {}),
    ...(parsed?.kind === 'value' ? { example: parsed.value } : {}),
  };
}

function deriveColumn(name: string, values: string[], opts: DeriveOptions): ColumnSpec {
  const nullable = values.some(isNullToken);
  const present = values.filter((value) => !isNullToken(value));
  const distinct = [...new Set(present)].sort();
  if (name === opts.target) return { name, type: 'target', nullable, categories: distinct };
  if (distinct.every((value) => value === 'True' || value === 'False')) return { name, type: 'boolean', nullable };

  const numbers = present.map(Number);
  // Blank values are null tokens, already left out of `present`: none reads as 0 here.
  const allNumeric = numbers.every((n) => Number.isFinite(n));
  if (allNumeric) {
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    const integral = numbers.every(Number.isInteger);
    const observed = { min, max };
    if (opts.identifiers.includes(name)) {
      return { name, type: 'identifier', nullable, unique: new Set(numbers).size === numbers.length, min: min >= 0 ? 0 : min, observed };
    }
    if (integral && new Set(numbers).size <= opts.maxCodeLevels) return { name, type: 'integer', nullable, min, max, observed };
    const range = max - min;
    const lower = min >= 1 && integral ? 1 : min >= 0 ? 0 : roundOutward(min - range, 'down');
    const upper = roundOutward(max + range, 'up');
    return { name, type: integral ? 'integer' : 'float', nullable, min: lower, max: integral ? Math.ceil(upper) : upper, observed };
  }
  if (distinct.length <= opts.maxCategories) return { name, type: 'category', nullable, categories: distinct };
  throw new RallyError('DATA_INVALID', `Cannot derive a type for column "${name}": ${distinct.length} distinct non-numeric values.`);
}

/** Rounds away from the observed data to two significant digits. */
function roundOutward(value: number, direction: 'up' | 'down'): number {
  if (value === 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  const rounded = (direction === 'up' ? Math.ceil(value / scale) : Math.floor(value / scale)) * scale;
  return Number(rounded.toPrecision(2));
}
