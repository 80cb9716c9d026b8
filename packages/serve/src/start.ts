/**
 * pnpm start — the newcomer's one command: when the model store holds no production model, train
 * one with the defaults and deploy it (saying so), then serve predictions.
 */
import { describeError } from '@rally/errors';
import { GROUND_TRUTH_PATH } from '@rally/features';
import { createModelStore, deployRun } from '@rally/model-store';
import { writeRun } from '@rally/model';
import { trainRun } from '@rally/train';
import { serve } from './server.ts';

async function ensureProductionModel(): Promise<void> {
  const store = createModelStore();
  if (await store.getProduction()) return;
  console.log(`No production model in ${store.description}: training one with the defaults (100 trees, max depth 20) on ${GROUND_TRUTH_PATH}...`);
  const run = await trainRun({ dataPath: GROUND_TRUTH_PATH });
  const dir = writeRun(run);
  await deployRun(store, dir);
  console.log(`Trained and deployed ${run.modelId} (test log loss ${run.report.test_log_loss.toFixed(4)}, accuracy ${run.report.accuracy.toFixed(3)}).`);
}

try {
  await ensureProductionModel();
  await serve();
} catch (error) {
  console.error(describeError(error));
  process.exitCode = 1;
}
