/**
 * Entry point of `pnpm --filter perf-benchmark start` (`tsx src/cli.ts`); see main.ts and --help.
 * Exit codes: 0 compared, 1 refused / failed / worse than production with --fail-if-worse, 2 bad usage.
 */
import { main } from './main.ts';

process.exitCode = await main();
