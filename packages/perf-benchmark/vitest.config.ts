import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'perf-benchmark',
    include: ['test/**/*.test.ts'],
  },
});
