import { defineProject } from 'vitest/config';
import { sourceResolution, testGroups } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'serve',
    tags: testGroups,
    include: ['test/**/*.test.ts'],
    // Each file trains a tiny real model once; the end-to-end test starts a real process.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
