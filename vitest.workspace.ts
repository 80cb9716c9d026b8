import { defineConfig } from 'vitest/config';

// Vitest 4 dropped workspace files: this root config lists every package as a project,
// each with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
