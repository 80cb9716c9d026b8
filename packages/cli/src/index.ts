/**
 * @rally/cli: the `rally` command line (bin/rally.js). `main(argv, env, io)` runs one command line
 * with the given streams and returns its exit code; the convention every command follows is
 * convention.ts.
 */
export { main, VERSION } from './program.ts';
export type { Io } from './convention.ts';
