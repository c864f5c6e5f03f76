import { isPosition, type Crm } from '@eventcrm/runtime';
import { EXIT_OK, usageError } from '../errors.ts';
import { writeChunk, type CliIo } from '../io.ts';

/**
 * `export events [--from POSITION]`: the log as NDJSON in its stored form —
 * stream, revision, position, event id, type, schema version, data as stored
 * (personal fields encrypted), metadata and both hashes — so a backup can be
 * verified independently. Data keys are not exported.
 */
export async function exportEvents(crm: Crm, io: CliIo, options: { readonly from?: string }): Promise<number> {
  let after: string | undefined;
  if (options.from !== undefined) {
    if (!isPosition(options.from)) throw usageError(`--from must be a position (a non-negative whole number), got ${JSON.stringify(options.from)}`);
    const from = BigInt(options.from);
    after = from === 0n ? undefined : (from - 1n).toString();
  }
  for await (const batch of crm.store.readAll({ ...(after === undefined ? {} : { after }), batchSize: 2000 })) {
    let chunk = '';
    for (const event of batch) chunk += `${JSON.stringify(event)}\n`;
    if (!(await writeChunk(io.stdout, chunk))) break;
  }
  return EXIT_OK;
}
