/**
 * What every package's Vitest project shares: workspace packages resolve to their TypeScript
 * sources (the `@rally/source` export condition), not to the built dist/ the world gets, so tests
 * never need a build and always test the code as it is.
 */
export const sourceResolution = {
  resolve: { conditions: ['@rally/source', 'module', 'node', 'development|production'] },
  // Not `module` here: some dependencies' `module` builds (the AWS SDK's dist-es) do not run in Node as is.
  ssr: { resolve: { conditions: ['@rally/source', 'node', 'development|production'], externalConditions: ['@rally/source'] } },
};

/**
 * The three groups every test file belongs to, each runnable alone (`pnpm test:unit`,
 * `test:integration`, `test:e2e`). A file names its group in a `// @module-tag <group>` line; a
 * test heavier than its file carries the heavier tag itself. A test runs in the heaviest group it
 * carries (see the filters in the root package.json), so the three groups split the suite.
 */
export const testGroups = [
  { name: 'unit', description: 'In process and in memory: no server, no store, no child process.' },
  { name: 'integration', description: 'Real parts in process: a real S3 server (s3rver), Fastify through app.inject, stores in temporary folders.' },
  { name: 'e2e', description: 'Real processes and real ports: the rally command, a listening server, a browser.' },
];
