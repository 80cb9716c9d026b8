// @module-tag unit
/**
 * Differential test: rally's grower (src/grower, through growCartTree) against the stock,
 * unpatched ml-cart 2.1.1, run live. Both must build the same trees: the same split columns,
 * thresholds, gains, row counts, stopping decisions (including the refused split ml-cart keeps in
 * some leaves) and leaf distributions, bit for bit (JSON prints the shortest exact decimal of each
 * number, so equal JSON is equal bits).
 *
 * A second check replays trees captured once from ml-cart 2.1.1 (fixtures/cart-2.1.1-trees.json, 68
 * cases with their data, including ties that count / length and ml-cart's repeated 1 / length
 * additions rank differently; the capture script went with the patches, and the stock library
 * rebuilding every captured tree today is checked below).
 */
import { readFileSync } from 'node:fs';

import { Random } from '@rally/features';
import { describe, expect, test } from 'vitest';

import { type CartNode, growCartTree, stockTree, withoutOptions } from './helpers/ml-cart.ts';
import { loadAustralianOpen } from './helpers/australian-open.ts';
import { tiedRows } from './helpers/data.ts';

type Options = { minNumSamples?: number; maxDepth?: number; gainThreshold?: number };



function shape(node: CartNode): { nodes: number; depth: number } {
  if (!node.left || !node.right) return { nodes: 1, depth: 0 };
  const l = shape(node.left);
  const r = shape(node.right);
  return { nodes: 1 + l.nodes + r.nodes, depth: 1 + Math.max(l.depth, r.depth) };
}

function australianOpen(columns: string[], from: number, to: number): { X: number[][]; y: number[] } {
  const ds = loadAustralianOpen({ columns, rows: to });
  const classes = [...new Set(ds.y)].sort();
  const X: number[][] = [];
  const y: number[] = [];
  for (let r = from; r < to; r++) {
    X.push(Array.from(ds.data.subarray(r * ds.cols, (r + 1) * ds.cols)));
    y.push(classes.indexOf(ds.y[r]));
  }
  return { X, y };
}

const AO10 = ['rally', 'serve', 'speed', 'net.clearance', 'distance.from.sideline', 'depth', 'outside.sideline', 'player.impact.depth', 'previous.speed', 'same.side'];

/** Duplicated rows with conflicting labels, a constant column and a duplicated column. */
function awkward(seed: number): { X: number[][]; y: number[] } {
  const { X, y } = tiedRows(seed, 120, 3, 3);
  const rows = X.map((row) => [...row, 7, row[0]]);
  return { X: [...rows, ...rows.slice(0, 30)], y: [...y, ...y.slice(0, 30).map((label) => (label + 1) % 3)] };
}

const datasets: { name: string; data: { X: number[][]; y: number[] }; options: Options }[] = [
  { name: 'australian open, 300 x 10, ml-cart defaults', data: australianOpen(AO10, 0, 300), options: {} },
  { name: 'australian open, 400 x 10, grown out (rally\'s rules)', data: australianOpen(AO10, 300, 700), options: { gainThreshold: 0, minNumSamples: 1 } },
  { name: 'australian open, 500 x 7, depth 4, 5 samples', data: australianOpen(['rally', 'speed', 'depth', 'outside.baseline', 'player.depth', 'opponent.depth', 'previous.time.to.net'], 1000, 1500), options: { maxDepth: 4, minNumSamples: 5 } },
  { name: 'integer ties, 4 classes, 250 x 6', data: tiedRows(3, 250, 6, 4), options: { gainThreshold: 0, minNumSamples: 1 } },
  { name: 'duplicate rows with conflicting labels, constant and duplicated columns', data: awkward(5), options: { gainThreshold: 0, minNumSamples: 1 } },
];

describe('rally\'s grower builds the trees of the stock ml-cart 2.1.1 (live)', () => {
  test.each(datasets.map((d) => [d.name, d] as const))('%s', (_name, { data, options }) => {
    const expected = stockTree(data.X, data.y, options);
    const actual = JSON.stringify(growCartTree(data.X, data.y, options));
    expect(actual).toBe(expected);
  });

  test('the real-data trees are deep enough to mean something', () => {
    const grown = growCartTree(datasets[1].data.X, datasets[1].data.y, datasets[1].options);
    expect(shape(grown).depth).toBeGreaterThan(8);
    expect(shape(grown).nodes).toBeGreaterThan(100);
  });

  test('40 random small datasets and option sets', () => {
    const random = new Random(2026);
    for (let i = 0; i < 40; i++) {
      const rows = 5 + random.below(60);
      const cols = 1 + random.below(4);
      const k = 2 + random.below(3);
      const data = tiedRows(100 + i, rows, cols, k);
      const options: Options = {
        minNumSamples: random.below(4),
        gainThreshold: [0, 0.01, 0.05][random.below(3)],
        maxDepth: [Infinity, 1, 3, 6][random.below(4)],
      };
      expect(JSON.stringify(growCartTree(data.X, data.y, options)), `case ${i}: ${JSON.stringify(options)}`).toBe(stockTree(data.X, data.y, options));
    }
  });
});

interface FixtureCase { name: string; options: Options; X: number[][]; y: number[]; root: CartNode }

describe('rally\'s grower replays trees captured from ml-cart 2.1.1', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/cart-2.1.1-trees.json', import.meta.url), 'utf8')) as { producedBy: string; cases: FixtureCase[] };

  test('the captured trees are what the stock ml-cart builds today (neither the fixture nor the library changed)', () => {
    expect(fixture.cases.length).toBe(68);
    for (const c of fixture.cases) expect(stockTree(c.X, c.y, c.options), c.name).toBe(JSON.stringify(withoutOptions(c.root as Record<string, unknown>)));
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(JSON.stringify(growCartTree(c.X, c.y, c.options))).toBe(JSON.stringify(withoutOptions(c.root as Record<string, unknown>)));
  });
});
