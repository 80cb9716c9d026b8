import { defineProject } from 'vitest/config';
import { sourceResolution, testGroups } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'cli',
    tags: testGroups,
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/build.setup.ts'],
    // Commands train small real models, in this process and in child processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
