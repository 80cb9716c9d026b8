import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'serve',
    include: ['test/**/*.test.ts'],
  },
});
