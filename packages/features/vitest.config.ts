import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'features',
    include: ['test/**/*.test.ts'],
    // The CLI tests start real processes; on a 2-core machine under load they need headroom.
    testTimeout: 30_000,
  },
});
