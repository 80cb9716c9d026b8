import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'model-store',
    include: ['test/**/*.test.ts'],
    // The deploy command tests train small real models and run the command in child processes.
    testTimeout: 60_000,
  },
});
