/**
 * Entry point of `pnpm run deploy` (see deploy.ts and --help): compare with production, then
 * upload, verify and promote. Exit codes: 0 done or declined, 1 refused or failed, 2 bad usage.
 */
import { deployMain } from './deploy.ts';

process.exitCode = await deployMain();
