/** The process entry of `rally` (bin/rally.js imports the built copy): the exit code of main. */
import { main } from './program.ts';

// A reader that stops early (`rally sample -n 5000 | head -1`) closes the pipe: stop quietly,
// as command-line tools do, instead of an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main();
