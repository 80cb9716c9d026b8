import { defineProject } from 'vitest/config';
import { sourceResolution, testGroups } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'features',
    tags: testGroups,
    include: ['test/**/*.test.ts'],
    // The CLI tests start real processes; on a 2-core machine under load they need headroom.
    testTimeout: 30_000,
  },
});
