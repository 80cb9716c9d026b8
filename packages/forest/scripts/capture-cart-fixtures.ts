/**
 * Captures reference trees from the ORIGINAL, unpatched ml-cart 2.1.1 for the differential test
 * (test/cart-differential.test.ts). Run once, by hand; its output is committed as
 * test/fixtures/cart-2.1.1-trees.json. It loads the pristine published package from outside the
 * repository, so no library code is copied here:
 *
 *   mkdir -p /tmp/pristine && cd /tmp/pristine && npm pack ml-cart@2.1.1 && mkdir ml-cart-2.1.1 \
 *     && tar xzf ml-cart-2.1.1.tgz -C ml-cart-2.1.1 && cd ml-cart-2.1.1/package \
 *     && npm i --no-save --omit=dev ml-matrix@6.15.1 ml-array-mean@1.1.6
 *   pnpm --filter @rally/forest exec tsx scripts/capture-cart-fixtures.ts /tmp/pristine/ml-cart-2.1.1/package
 *
 * Every dataset is generated deterministically (or read from data/australian_open.csv) and stored
 * in the fixture next to the tree, so the test does not need to regenerate anything.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadAustralianOpen } from '../test/helpers/australian-open.ts';
// rally's seeded generator, only to make the synthetic datasets reproducible.
import { createRng } from '@rally/features';

const pristineDir = process.argv[2] ?? '/tmp/pristine/ml-cart-2.1.1/package';
const pkg = JSON.parse(readFileSync(join(pristineDir, 'package.json'), 'utf8')) as { name: string; version: string; main: string };
if (pkg.name !== 'ml-cart' || pkg.version !== '2.1.1') throw new Error(`expected pristine ml-cart 2.1.1 in ${pristineDir}`);
const mainFile = join(pristineDir, pkg.main);
const mainSource = readFileSync(mainFile);
if (mainSource.includes('rally')) throw new Error(`${mainFile} looks patched`);
const { DecisionTreeClassifier } = createRequire(mainFile)(mainFile) as {
  DecisionTreeClassifier: new (options?: object) => { train(X: number[][], y: number[]): void; toJSON(): { root: unknown } };
};

interface Case { name: string; options: Record<string, number>; X: number[][]; y: number[] }
const cases: Case[] = [];

function fromAustralianOpen(columns: string[], from: number, to: number): { X: number[][]; y: number[] } {
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

// 1-3: real data, continuous and boolean columns, several option sets.
const ao10 = ['rally', 'serve', 'speed', 'net.clearance', 'distance.from.sideline', 'depth', 'outside.sideline',
  'player.impact.depth', 'previous.speed', 'same.side'];
cases.push({ name: 'australian-open-300x10-defaults', options: {}, ...fromAustralianOpen(ao10, 0, 300) });
cases.push({ name: 'australian-open-400x10-deep', options: { gainThreshold: 0, minNumSamples: 1 }, ...fromAustralianOpen(ao10, 300, 700) });
cases.push({
  name: 'australian-open-500x7-depth4',
  options: { maxDepth: 4, minNumSamples: 5 },
  ...fromAustralianOpen(['rally', 'speed', 'depth', 'outside.baseline', 'player.depth', 'opponent.depth', 'previous.time.to.net'], 1000, 1500),
});

// 4: many ties and duplicate values: small integer grids, a constant column, a duplicated column,
// duplicated rows with conflicting labels.
{
  const r = createRng(7);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 200; i++) {
    const a = Math.floor(r() * 4);
    const b = Math.floor(r() * 3);
    const c = [-1.5, 0, 2.25][Math.floor(r() * 3)];
    const d = Math.floor(r() * 2);
    X.push([a, 5, b, a, c, d]);
    const score = a + (c > 0 ? 1 : 0) - b + (r() < 0.3 ? Math.floor(r() * 3) - 1 : 0);
    y.push(score <= 0 ? 0 : score <= 2 ? 1 : 2);
  }
  cases.push({ name: 'ties-200x6-deep', options: { gainThreshold: 0, minNumSamples: 1 }, X, y });
  cases.push({ name: 'ties-200x6-defaults', options: {}, X, y });
}

// 5: iris-like: three Gaussian clusters in 4 dimensions, one decimal (hence ties), classes overlap.
{
  const r = createRng(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centres = [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.5, 2.0]];
  const spread = [[0.35, 0.38, 0.17, 0.1], [0.52, 0.31, 0.47, 0.2], [0.64, 0.32, 0.55, 0.27]];
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 150; i++) {
    const k = i % 3;
    X.push(centres[k].map((m, j) => Math.round((m + spread[k][j] * gauss()) * 10) / 10));
    y.push(k);
  }
  cases.push({ name: 'iris-like-150x4-defaults', options: {}, X, y });
  cases.push({ name: 'iris-like-150x4-deep', options: { gainThreshold: 0, minNumSamples: 1 }, X, y });
}

// 6: a class that never occurs (labels 0 and 2 only): legacy leaves have 1 or 3 entries.
{
  const r = createRng(13);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 120; i++) {
    const x0 = Math.round(r() * 20) / 4;
    const x1 = Math.round(r() * 100) / 10;
    X.push([x0, x1]);
    y.push(x0 + 0.3 * x1 + (r() - 0.5) * 2 > 4 ? 2 : 0);
  }
  cases.push({ name: 'missing-class-120x2-deep', options: { gainThreshold: 0, minNumSamples: 1 }, X, y });
}

// 7: many tiny random datasets with heavy ties (small value sets, repeated rows), two to four
// classes and a mix of option sets: a cheap fuzz of the split search.
{
  const r = createRng(17);
  for (let c = 0; c < 60; c++) {
    const rows = 4 + Math.floor(r() * 60);
    const cols = 1 + Math.floor(r() * 4);
    const k = 2 + Math.floor(r() * 3);
    const levels = 2 + Math.floor(r() * 6);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < rows; i++) {
      const row: number[] = [];
      for (let j = 0; j < cols; j++) {
        const kind = (c + j) % 3;
        row.push(kind === 0 ? Math.floor(r() * levels) : kind === 1 ? Math.round(r() * levels * 4) / 8 - 1 : r() * 10 - 5);
      }
      X.push(row);
      y.push(r() < 0.7 ? Math.min(k - 1, Math.floor(Math.abs(row[0]) % k)) : Math.floor(r() * k));
    }
    const options: Record<string, number> = [{}, { gainThreshold: 0, minNumSamples: 1 }, { maxDepth: 2 }, { minNumSamples: 6, gainThreshold: 0.05 }][c % 4];
    cases.push({ name: `fuzz-${c}`, options, X, y });
  }
}

const out = {
  producedBy:
    'scripts/capture-cart-fixtures.ts with the pristine ml-cart 2.1.1 tarball (npm pack ml-cart@2.1.1), ' +
    `loading ${pkg.main} (sha256 ${createHash('sha256').update(mainSource).digest('hex')})`,
  cases: cases.map((c) => {
    const tree = new DecisionTreeClassifier(c.options);
    tree.train(c.X, c.y);
    // JSON round trip: exactly what the original serializes (Matrix -> nested arrays, -Infinity -> null).
    return { ...c, root: JSON.parse(JSON.stringify(tree.toJSON().root)) };
  }),
};
const target = fileURLToPath(new URL('../test/fixtures/cart-2.1.1-trees.json', import.meta.url));
writeFileSync(target, JSON.stringify(out) + '\n');
console.log(`wrote ${out.cases.length} cases to ${target}`);
