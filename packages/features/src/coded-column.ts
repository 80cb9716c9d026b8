import type { CellValue } from './cells.ts';

/** Codes of a coded column: a byte a row while its dictionary has at most 256 values. */
export type Codes = Uint8Array | Uint16Array | Uint32Array;

/**
 * A column of few distinct values (categories, booleans, the target) as it is loaded: a code per
 * row into its dictionary, a byte a row instead of an 8-byte reference (and, for categories, the
 * contract's own strings in the dictionary, not a string per cell). Read a row with `at` (or
 * `cellAt`, which reads plain arrays too); iterating gives the values in row order.
 */
export class CodedColumn implements Iterable<CellValue | null> {
  readonly codes: Codes;
  readonly dictionary: readonly (CellValue | null)[];

  constructor(codes: Codes, dictionary: readonly (CellValue | null)[]) {
    this.codes = codes;
    this.dictionary = dictionary;
  }

  get length(): number {
    return this.codes.length;
  }

  at(row: number): CellValue | null {
    return this.dictionary[this.codes[row]];
  }

  /** The rows at `indices`, in that order, with the same dictionary. */
  select(indices: ArrayLike<number>): CodedColumn {
    const codes = new (this.codes.constructor as new (length: number) => Codes)(indices.length);
    for (let i = 0; i < indices.length; i += 1) codes[i] = this.codes[indices[i]];
    return new CodedColumn(codes, this.dictionary);
  }

  *[Symbol.iterator](): Iterator<CellValue | null> {
    for (const code of this.codes) yield this.dictionary[code];
  }
}

/** A column of a batch: a plain array or typed array of values, or a coded column. */
export type Column = ArrayLike<CellValue> | CodedColumn;

/** Row `row` of a column, whichever form it has. */
export function cellAt(values: Column, row: number): CellValue | null | undefined {
  return values instanceof CodedColumn ? values.at(row) : values[row];
}

/**
 * Builds a coded column a value at a time (codes grow by doubling; a dictionary past 256 values
 * moves them to 16 bits, past 65,536 to 32). `seed` values (a category column's contract
 * categories) are in the dictionary first, so that cells point at those very strings.
 */
export class CodedColumnBuilder {
  #codes: Codes = new Uint8Array(1024);
  #size = 0;
  readonly #dictionary: (CellValue | null)[] = [];
  readonly #codeOf = new Map<CellValue | null, number>();

  constructor(seed: readonly CellValue[] = []) {
    for (const value of seed) this.#code(value);
  }

  push(value: CellValue | null): void {
    // The code first: a new value may move the codes to a wider array.
    const code = this.#codeOf.get(value) ?? this.#code(value);
    if (this.#size === this.#codes.length) this.#codes = this.#moved(this.#codes, 2 * this.#size);
    this.#codes[this.#size++] = code;
  }

  finish(): CodedColumn {
    return new CodedColumn(this.#codes.slice(0, this.#size), this.#dictionary);
  }

  #code(value: CellValue | null): number {
    const code = this.#dictionary.length;
    this.#dictionary.push(value);
    this.#codeOf.set(value, code);
    if (code === 256 && this.#codes instanceof Uint8Array) this.#codes = this.#moved(this.#codes, this.#codes.length, Uint16Array);
    if (code === 65_536 && this.#codes instanceof Uint16Array) this.#codes = this.#moved(this.#codes, this.#codes.length, Uint32Array);
    return code;
  }

  #moved(codes: Codes, length: number, type = codes.constructor as new (length: number) => Codes): Codes {
    const bigger = new type(length);
    bigger.set(codes.subarray(0, this.#size));
    return bigger;
  }
}
