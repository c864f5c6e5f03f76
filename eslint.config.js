// @ts-check
import tseslint from 'typescript-eslint';

/**
 * The dependency direction is the architecture:
 *   domain ← projections ← runtime ← store adapters ← cli / examples
 * Each layer may import only from the layers to its left. The pure layers
 * (domain, projections) may not touch Node, I/O or the wall clock at all.
 */
const adapters = ['@eventcrm/store-sqlite', '@eventcrm/store-postgres', '@eventcrm/store-kurrentdb'];
const ioModules = ['better-sqlite3', 'pg', '@kurrent/kurrentdb-client', '@eventstore/db-client', 'uuid'];
const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'worker_threads', 'process'];

/** @param {string[]} forbidden @param {string} why */
const restrict = (forbidden, why) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: why }] }],
});

const impureClock = {
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The pure layers never read the clock: take the time as an argument.' },
    { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The pure layers never read the clock: take the time as an argument.' },
    { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'The pure layers are deterministic: no Math.random.' },
  ],
  'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'console', 'require'],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/.reports/**', '**/*.config.ts', 'vitest.shared.ts', 'eslint.config.js', 'test-artifacts/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    rules: {
      ...restrict(['@eventcrm/*', ...adapters, ...ioModules, ...nodeBuiltins], 'domain is pure: zod, fp-ts, ts-pattern and data packages only; no I/O, no Node, no other eventcrm layer.'),
      ...impureClock,
    },
  },
  {
    files: ['packages/projections/src/**/*.ts'],
    rules: {
      ...restrict(['@eventcrm/runtime', '@eventcrm/runtime/*', '@eventcrm/cli', ...adapters, ...ioModules, ...nodeBuiltins], 'projections are pure and may depend on the domain only.'),
      ...impureClock,
    },
  },
  {
    files: ['packages/runtime/src/**/*.ts'],
    rules: restrict(['@eventcrm/cli', ...adapters, 'better-sqlite3', 'pg', '@kurrent/kurrentdb-client', '@eventstore/db-client'], 'runtime holds the ports; adapters depend on it, never the reverse.'),
  },
  {
    files: ['packages/store-*/src/**/*.ts'],
    rules: restrict(['@eventcrm/cli', ...adapters.map((a) => `${a}`)], 'a store adapter depends on the runtime only, never on the CLI or another adapter.'),
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      'no-restricted-syntax': 'off',
      'no-restricted-globals': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
);
