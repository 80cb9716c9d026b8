import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'perf-benchmark',
    include: ['test/**/*.test.ts'],
  },
});
