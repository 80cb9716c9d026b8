import { defineConfig } from 'vitest/config';

// Vitest 4 dropped workspace files: this root config lists every package as a project,
// each with its own vitest.config.ts. The reliability suite (real processes, a soak) is its own
// command, pnpm test:reliability.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', '!packages/reliability/vitest.config.ts'],
  },
});
