import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'reliability',
    include: ['test/**/*.test.ts'],
    // Real servers, real signals, a soak: files run one after another so timings do not fight.
    fileParallelism: false,
    globalSetup: ['./test/build.setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
