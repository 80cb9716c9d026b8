import type { Matrix } from '../../src/index.ts';
import { createRng as mulberry32 } from '@rally/features';

/** Three overlapping Gaussian-ish clusters in `cols` dimensions, labels 'a', 'b', 'c'. */
export function blobs(seed: number, rows: number, cols = 4): { X: Matrix; y: string[] } {
  const r = mulberry32(seed);
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
