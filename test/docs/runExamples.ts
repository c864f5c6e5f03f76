/**
 * Runs documentation samples in this process and writes what each returned
 * to a JSON file: `runExamples.ts OUT.json SAMPLE.ts...`. Each sample exports
 * `main(workDir)`; it gets a fresh empty directory for its files. Started by
 * `examples.spec.ts` with tsx and the samples' tsconfig, so the samples'
 * package imports resolve as they would in an application.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const [output, ...samples] = process.argv.slice(2);
if (output === undefined) throw new Error('usage: runExamples.ts OUT.json SAMPLE.ts...');

const outcomes: Record<string, Outcome> = {};
for (const sample of samples) {
  const workDir = mkdtempSync(join(tmpdir(), `eventcrm-docs-${basename(sample, '.ts')}-`));
  try {
    const module = (await import(pathToFileURL(sample).href)) as { main?: (workDir: string) => Promise<unknown> };
    if (typeof module.main !== 'function') throw new Error(`${sample} exports no main()`);
    outcomes[basename(sample, '.ts')] = { ok: true, value: await module.main(workDir) };
  } catch (error) {
    outcomes[basename(sample, '.ts')] = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
writeFileSync(output, JSON.stringify(outcomes, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
