import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'model-store',
    include: ['test/**/*.test.ts'],
  },
});
