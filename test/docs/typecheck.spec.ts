import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { examplesTsconfig, repoRoot, run } from './paths.ts';

/**
 * The samples are type-checked with the workspace's strict settings. They
 * cannot join this package's own `tsc` run: their package imports resolve
 * only through the `paths` of their tsconfig (see `paths.ts`).
 */
it('docs/examples type-checks under the strict workspace settings', async () => {
  const tsc = createRequire(`${repoRoot}package.json`).resolve('typescript/bin/tsc');
  const child = await run(process.execPath, [tsc, '-p', examplesTsconfig, '--noEmit', '--pretty', 'false'], { cwd: repoRoot });
  expect(child.stdout + child.stderr).toBe('');
  expect(child.code).toBe(0);
}, 240_000);
