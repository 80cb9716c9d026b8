/**
 * Differential test of the patched ml-cart split search (patches/ml-cart@2.1.1.patch) against the
 * ORIGINAL ml-cart 2.1.1. The reference trees in fixtures/cart-2.1.1-trees.json were produced once by
 * scripts/capture-cart-fixtures.ts from the pristine published tarball (npm pack ml-cart@2.1.1),
 * outside the repository; see that script's header for the exact commands.
 *
 * The patched library must build the same trees: same split columns, thresholds, gains, sample
 * counts, stopping decisions and leaf distributions, bit for bit. The one intended difference is
 * that leaf distributions are padded with zeros to the number of classes.
 *
 * The cases cover ties of every kind (duplicate values, duplicate rows with conflicting labels,
 * constant and duplicated columns); in fuzz-52 and fuzz-58 mathematically tied candidates are
 * ranked differently by count / length and by the original's repeated 1 / length additions, so
 * they fail unless near-ties are re-scored with the original arithmetic.
 */
import { readFileSync } from 'node:fs';

import { DecisionTreeClassifier } from 'ml-cart';
import { describe, expect, test } from 'vitest';

interface FixtureNode { distribution?: number[][]; left?: FixtureNode; right?: FixtureNode; [key: string]: unknown }
interface FixtureCase { name: string; options: Record<string, number>; X: number[][]; y: number[]; root: FixtureNode }

const fixture = JSON.parse(readFileSync(new URL('./fixtures/cart-2.1.1-trees.json', import.meta.url), 'utf8')) as {
  producedBy: string;
  cases: FixtureCase[];
};

function padDistributions(node: FixtureNode, k: number): FixtureNode {
  const copy: FixtureNode = { ...node };
  if (node.distribution) copy.distribution = [[...node.distribution[0], ...new Array(k - node.distribution[0].length).fill(0)]];
  if (node.left) copy.left = padDistributions(node.left, k);
  if (node.right) copy.right = padDistributions(node.right, k);
  return copy;
}

function shape(node: FixtureNode): { nodes: number; depth: number } {
  if (!node.left || !node.right) return { nodes: 1, depth: 0 };
  const l = shape(node.left);
  const r = shape(node.right);
  return { nodes: 1 + l.nodes + r.nodes, depth: 1 + Math.max(l.depth, r.depth) };
}

describe('patched ml-cart builds the same trees as ml-cart 2.1.1', () => {
  test('fixtures are non-trivial', () => {
    expect(fixture.producedBy).toMatch(/pristine ml-cart 2\.1\.1/);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(60);
    const deep = fixture.cases.find((c) => c.name === 'australian-open-400x10-deep');
    expect(shape(deep!.root).depth).toBeGreaterThan(8);
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const tree = new DecisionTreeClassifier(c.options);
    tree.train(c.X, c.y);
    // Compare serialized forms: exactly what the original stored (Matrix -> arrays, -Infinity -> null).
    const actual = JSON.stringify(tree.toJSON().root);
    const expected = JSON.stringify(padDistributions(c.root, Math.max(...c.y) + 1));
    expect(actual).toBe(expected);
  });
});
