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
