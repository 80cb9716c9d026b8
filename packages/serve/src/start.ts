/**
 * pnpm start — the newcomer's one command: when the model store holds no production model, train
 * one with the defaults and deploy it (saying so), then serve predictions. Configuration as for
 * pnpm serve (an invalid setting: one sentence, exit 2, before any training).
 */
import { describeError } from '@rally/errors';
import { GROUND_TRUTH_PATH } from '@rally/features';
import { createModelStore, deployRun } from '@rally/model-store';
import { writeRun } from '@rally/model';
import { formatSettings, TRAIN_DEFAULTS, trainRun } from '@rally/train';
import { configFromEnv, exitCodeOf, loadEnvFile, type ServerConfig } from './config.ts';
import { serve } from './server.ts';

async function ensureProductionModel(config: ServerConfig): Promise<void> {
  const store = createModelStore(config.env);
  if (await store.getProduction()) return;
  console.log(`No production model in ${store.description}: training one with the defaults (${formatSettings(TRAIN_DEFAULTS)}) on ${GROUND_TRUTH_PATH}...`);
  const run = await trainRun({ dataPath: GROUND_TRUTH_PATH });
  const dir = writeRun(run);
  await deployRun(store, dir);
  console.log(`Trained and deployed ${run.modelId} (test log loss ${run.report.test_log_loss.toFixed(4)}, accuracy ${run.report.accuracy.toFixed(3)}).`);
}

try {
  loadEnvFile();
  const config = configFromEnv(process.env);
  await ensureProductionModel(config);
  await serve(config);
} catch (error) {
  console.error(describeError(error));
  process.exitCode = exitCodeOf(error);
}
