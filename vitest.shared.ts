import { defaultServerConditions } from 'vite';
import type { ViteUserConfig } from 'vitest/config';

/**
 * Shared vitest settings for every workspace package. Workspace packages are
 * resolved to their TypeScript sources through the `@eventcrm/source` export
 * condition, so tests never depend on a stale build of a sibling package.
 * Each run writes a JSON report that `.ci/run` sums into its final line.
 */
export function packageTestConfig(packageDir: string): ViteUserConfig {
  const conditions = ['@eventcrm/source', ...defaultServerConditions];
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@eventcrm/source'] } },
    test: {
      root: packageDir,
      include: ['**/*.spec.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      reporters: ['default', 'json'],
      outputFile: { json: '.reports/vitest.json' },
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}
