/** The process entry of `rally` (bin/rally.js imports the built copy): the exit code of main. */
import { main } from './program.ts';

process.exitCode = await main();
