import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { examplesDir, examplesTsconfig } from './paths.ts';

/**
 * The vitest configuration `adapterContract.spec.ts` starts a second vitest
 * with, to run the contract-suite sample of docs/stores.md
 * (`docs/examples/*.contract.ts`). The samples import the packages by name;
 * here those names resolve through the `paths` of the samples' tsconfig,
 * turned into aliases, so there is one mapping for tsx, tsc and vitest.
 */
const tsconfig = JSON.parse(readFileSync(examplesTsconfig, 'utf8')) as { compilerOptions: { paths: Record<string, readonly string[]> } };
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const alias = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => ({
  find: new RegExp(`^${escape(name)}$`),
  replacement: resolve(dirname(examplesTsconfig), target ?? ''),
}));
const conditions = ['@eventcrm/source', ...defaultServerConditions];

export default defineConfig({
  root: examplesDir,
  resolve: { alias, conditions },
  ssr: { resolve: { conditions, externalConditions: ['@eventcrm/source'] } },
  test: { include: ['*.contract.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
