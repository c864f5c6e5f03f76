import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

/**
 * Runs only the documentation specs (`test/docs/*.spec.ts`), for working on
 * the docs: `npx vitest run --config docs/vitest.config.ts` from `test/`.
 * The package's own configuration runs them with everything else once its
 * `include` lists `docs/**\/*.spec.ts`.
 */
const base = packageTestConfig(new URL('..', import.meta.url).pathname);
export default defineConfig({ ...base, test: { ...base.test, include: ['docs/**/*.spec.ts'], reporters: ['default'] } });
