import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'features',
    include: ['test/**/*.test.ts'],
    // The CLI tests start real processes; on a 2-core machine under load they need headroom.
    testTimeout: 30_000,
  },
});
