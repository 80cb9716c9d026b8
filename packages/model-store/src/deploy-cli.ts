/**
 * pnpm run deploy <model-id | prefix>   upload output/<id>/ to MODEL_STORE, verify, promote to production
 * pnpm run deploy --list                promotion history, newest last
 * pnpm run deploy --rollback            promote the model production replaced
 * (`pnpm deploy` is pnpm's own command: use `pnpm run deploy`.)
 * Exit codes: 0 done, 1 refused or failed (one sentence), 2 bad usage.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '@rally/errors';
import { MODEL_ID_PATTERN, OUTPUT_DIR, resolveRun } from '@rally/model';
import { createModelStore } from './config.ts';
import { deployRun, rollback } from './deploy.ts';

const USAGE = `Usage: pnpm run deploy <model-id>      deploy a run of output/ (a unique prefix is enough)
       pnpm run deploy --list          show the promotion history
       pnpm run deploy --rollback      promote the model production replaced
Options: --output <dir> (runs folder, default output/). The store is MODEL_STORE (default ./store).`;

async function main(argv = process.argv.slice(2)): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { list: { type: 'boolean' }, rollback: { type: 'boolean' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const modes = [values.list, values.rollback, positionals.length > 0].filter(Boolean).length;
  if (modes !== 1 || positionals.length > 1) {
    console.error(`Give one model id, or --list, or --rollback.\n${USAGE}`);
    return 2;
  }
  try {
    const store = createModelStore();
    if (values.list) {
      // The history is the chain that leads to the production pointer: its last entry is production.
      const history = await store.history();
      if (history.length === 0) console.log(`No promotions yet in ${store.description}.`);
      for (const [i, entry] of history.entries()) console.log(`${entry.promoted_at}  ${entry.model_id}${i === history.length - 1 ? '  (production)' : ''}`);
      return 0;
    }
    if (values.rollback) {
      const pointer = await rollback(store);
      console.log(`Rolled back: production is now ${pointer.model_id} (was ${pointer.previous_model_id}) in ${store.description}.`);
      return 0;
    }
    const wanted = positionals[0];
    const outputDir = values.output ?? OUTPUT_DIR;
    // A local run (full id or unique prefix) is uploaded; a full id that only the store has is a rollback to it.
    let runDir: string;
    try {
      runDir = resolveRun(wanted, outputDir).dir;
    } catch (error) {
      if (!MODEL_ID_PATTERN.test(wanted)) throw error;
      runDir = join(outputDir, wanted);
    }
    const result = await deployRun(store, runDir);
    const id = result.pointer.model_id;
    if (!result.promoted) console.log(`${id} already is the production model in ${store.description}; nothing changed.`);
    else console.log(`${result.uploaded ? 'Uploaded, verified and promoted' : 'Promoted (already in the store)'} ${id} to production in ${store.description}${result.pointer.previous_model_id ? `, replacing ${result.pointer.previous_model_id}` : ''}.`);
    return 0;
  } catch (error) {
    console.error(describeError(error));
    return 1;
  }
}

process.exitCode = await main();
