import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'predict',
    include: ['test/**/*.test.ts'],
  },
});
