#!/usr/bin/env node
// Sums the vitest JSON reports every workspace package writes to
// `.reports/vitest.json` and prints one line: `N passed, N failed`.
// A package with a `test` script but no report (its run crashed before
// reporting) counts as one failure, so a broken suite can never look green.
// Extra checks (lint, type-check) are passed as `--check name=ok|fail`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const problems = [];

const workspaces = ['packages', 'examples']
  .flatMap((folder) => (existsSync(join(root, folder)) ? readdirSync(join(root, folder)).map((name) => join(root, folder, name)) : []))
  .concat([join(root, 'test')]);

for (const dir of workspaces) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (pkg.scripts?.test === undefined) continue;
  const report = join(dir, '.reports', 'vitest.json');
  if (!existsSync(report)) {
    failed += 1;
    problems.push(`${pkg.name}: no test report (the test run did not complete)`);
    continue;
  }
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests ?? 0;
  failed += result.numFailedTests ?? 0;
  // Suites that failed to load have no tests counted: count each as a failure.
  for (const suite of result.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
      failed += 1;
      problems.push(`${pkg.name}: ${suite.name} failed to run: ${String(suite.message ?? '').split('\n')[0]}`);
    }
  }
}

const args = process.argv.slice(2);
// The test command itself failing with no failed test counted (a package
// with no test files, a crashed worker) must not read as green.
const testsExit = args.indexOf('--tests-exit');
if (testsExit >= 0 && Number(args[testsExit + 1]) !== 0 && failed === 0) {
  failed += 1;
  problems.push(`the test command exited with ${args[testsExit + 1]} although no test failed (a package without tests, or a crash)`);
}
for (let index = 0; index < args.length; index += 1) {
  if (args[index] !== '--check') continue;
  const [name, status] = String(args[index + 1]).split('=');
  if (status === 'ok') passed += 1;
  else {
    failed += 1;
    problems.push(`${name}: failed`);
  }
}

for (const problem of problems) console.error(problem);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
