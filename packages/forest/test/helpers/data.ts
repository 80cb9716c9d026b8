import { Random } from '@rally/features';

import type { TreeJob } from '../../src/build-trees.ts';
import type { Matrix } from '../../src/index.ts';

/** Three overlapping Gaussian-ish clusters in `cols` dimensions, labels 'a', 'b', 'c'. */
export function blobs(seed: number, rows: number, cols = 4): { X: Matrix; y: string[] } {
  const random = new Random(seed);
  const r = () => random.nextFloat();
  const data = new Float64Array(rows * cols);
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    const k = i % 3;
    for (let j = 0; j < cols; j++) {
      const noise = (r() + r() + r() - 1.5) * 1.2;
      data[i * cols + j] = Math.round((k * (j === 0 ? 1.5 : 0.7) + noise) * 1000) / 1000;
    }
    y.push('abc'[k]);
  }
  return { X: { data, rows, cols }, y };
}

/**
 * Rows for tree tests: even columns small integers (many ties), odd columns one decimal; the label
 * follows column 0 with 30% noise, in 0..k-1.
 */
export function tiedRows(seed: number, rows: number, cols: number, k: number): { X: number[][]; y: number[] } {
  const random = new Random(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: cols }, (_, j) => (j % 2 === 0 ? random.below(5) : random.below(1001) / 10));
    X.push(row);
    y.push((row[0] + (random.nextFloat() < 0.3 ? 1 : 0)) % k);
  }
  return { X, y };
}

export function matrix(rows: number[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols };
}

/** Depth of a tree in the preorder encoding (feature -1 = leaf). */
export function treeDepth(feature: readonly number[]): number {
  let max = 0;
  const depths: number[] = [];
  let depth = 0;
  for (let i = 0; i < feature.length; i++) {
    max = Math.max(max, depth);
    if (feature[i] >= 0) {
      depths.push(depth + 1); // the right child's depth, once the left subtree is done
      depth += 1;
    } else {
      depth = depths.pop() ?? 0;
    }
  }
  return max;
}

/** A tree job over `blobs(seed, rows)` (labels encoded in sorted class order), with the given settings. */
export function treeJobOf(seed: number, rows: number, settings: Partial<TreeJob> = {}): TreeJob {
  const { X, y } = blobs(seed, rows);
  const classes = [...new Set(y)].sort();
  return {
    data: X.data,
    rows: X.rows,
    cols: X.cols,
    labels: Int32Array.from(y, (label) => classes.indexOf(label)),
    classes: classes.length,
    seed,
    bootstrap: true,
    maxFeatures: 2,
    maxDepth: Infinity,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    ...settings,
  };
}
