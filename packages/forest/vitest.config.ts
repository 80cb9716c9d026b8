import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'forest',
    include: ['test/**/*.test.ts'],
  },
});
