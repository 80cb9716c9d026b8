import { test as base } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LocalFolderStore, ModelCache } from '@rally/model-store';
import { ProductionPredictor, type Predictor } from '@rally/predict';
import { storeWithProduction } from '@rally/model-fixtures';
import { tempDir } from '@rally/testkit';
import { buildApp, type AppOptions } from '../src/index.ts';

let production: Promise<ProductionPredictor> | undefined;

/** One real production predictor per test file: a tiny model trained, deployed to a temp store, loaded through the cache. */
export function productionPredictor(): Promise<ProductionPredictor> {
  production ??= (async () => {
    const { store } = await storeWithProduction();
    const predictor = new ProductionPredictor({ store, cache: new ModelCache({ dir: tempDir('cache') }) });
    await predictor.refresh();
    return predictor;
  })();
  return production;
}

/** A predictor whose predictions always throw (prediction itself failing). */
export const failingPredictor: Predictor = {
  ready: true,
  modelInfo: null,
  predict: () => {
    throw new Error('forest exploded');
  },
  predictProba: () => {
    throw new Error('forest exploded');
  },
};

/** A predictor over an empty store (a new temporary folder, or `dir`): never ready. */
export function emptyPredictor(dir = tempDir('empty-store')): ProductionPredictor {
  return new ProductionPredictor({ store: new LocalFolderStore(dir), cache: new ModelCache({ disabled: true }) });
}

interface Fixtures {
  predictor: Predictor;
  appOptions: Partial<AppOptions>;
  client: FastifyInstance;
}

/**
 * `client` builds the app around `predictor` (overridable per test with `test.scoped` or by
 * extending), injects requests in-process, and closes the app after the test.
 */
export const test = base.extend<Fixtures>({
  predictor: async ({}, use) => use(await productionPredictor()),
  appOptions: async ({}, use) => use({}),
  client: async ({ predictor, appOptions }, use) => {
    const app = await buildApp({ predictor, ...appOptions });
    await use(app);
    await app.close();
  },
});

/** Samples of one metric in Prometheus text: labels → value. */
export function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}
