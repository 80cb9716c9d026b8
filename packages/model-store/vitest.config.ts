import { defineProject } from 'vitest/config';
import { sourceResolution, testGroups } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'model-store',
    tags: testGroups,
    include: ['test/**/*.test.ts'],
    // The deploy command tests train small real models and run the command in child processes.
    testTimeout: 60_000,
  },
});
