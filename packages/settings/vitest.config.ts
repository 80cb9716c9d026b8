import { defineProject } from 'vitest/config';
import { sourceResolution, testGroups } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'settings',
    tags: testGroups,
    include: ['test/**/*.test.ts'],
  },
});
