/**
 * Regenerates `docs/catalogue.md` (every command, event and read-model table)
 * from the code. The generator lives in the private `@eventcrm/test` package
 * (`test/docs/catalogue.ts`), where the workspace packages resolve; this is
 * its command line. `--check` writes nothing and exits 1 when the page is
 * out of date.
 *
 *   node --conditions=@eventcrm/source --import tsx scripts/catalogue.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cataloguePath, catalogueCommand, renderCatalogue } from '../test/docs/catalogue.ts';

const target = fileURLToPath(new URL(`../${cataloguePath}`, import.meta.url));
const rendered = renderCatalogue();
let current: string | undefined;
try {
  current = readFileSync(target, 'utf8');
} catch {
  current = undefined;
}

if (process.argv.includes('--check')) {
  if (current !== rendered) {
    console.error(`${cataloguePath} is out of date: run ${catalogueCommand}`);
    process.exitCode = 1;
  }
} else if (current === rendered) {
  console.log(`${cataloguePath} is up to date`);
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${cataloguePath}`);
}
