import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'train',
    include: ['test/**/*.test.ts'],
    // CLI tests train real (small) models in child processes.
    testTimeout: 60_000,
  },
});
