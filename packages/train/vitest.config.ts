import { defineProject } from 'vitest/config';
import { sourceResolution, testGroups } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'train',
    tags: testGroups,
    include: ['test/**/*.test.ts'],
    // CLI tests train real (small) models in child processes.
    testTimeout: 60_000,
  },
});
