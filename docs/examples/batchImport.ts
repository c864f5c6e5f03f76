/**
 * Bulk import (docs/guide-embedding.md): historical commands from an NDJSON
 * file, validated and decided one by one, appended in atomic batches.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Crm, ManualClock, createInMemoryEventStore, isRejection } from '@eventcrm/runtime';

/** Writes a small legacy export: one member, 1,200 customers registered over five months. */
function writeLegacyExport(file: string): void {
  const lines = [JSON.stringify({ command: 'RegisterMember', id: 'import-member-1', actor: 'system', at: '2026-01-01T00:00:00Z', data: { memberId: 'u-alice', name: 'Alice', role: 'rep' } })];
  for (let index = 1; index <= 1200; index += 1) {
    const day = String(1 + (index % 28)).padStart(2, '0');
    const month = String(1 + Math.floor((index - 1) / 240)).padStart(2, '0');
    lines.push(
      JSON.stringify({
        command: 'RegisterCustomer',
        id: `import-customer-${index}`,
        actor: 'system',
        at: `2026-${month}-${day}T10:00:00Z`,
        data: { customerId: `legacy-${index}`, name: `Customer ${index}`, kind: 'company', phone: `+86 10 5555 ${String(index).padStart(4, '0')}`, source: 'other', importance: 'C', owner: 'u-alice' },
      }),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export async function main(workDir: string) {
  const file = join(workDir, 'legacy.ndjson');
  writeLegacyExport(file);
  const crm = new Crm({ store: createInMemoryEventStore(), clock: new ManualClock('2026-06-01T00:00:00.000Z') });
  const progress: number[] = [];

  // #region batch
  async function* commandsIn(path: string): AsyncGenerator<unknown> {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      if (line.trim() !== '') yield JSON.parse(line);
    }
  }

  const outcomes = await crm.executeBatch(commandsIn(file), {
    batchSize: 500,
    onProgress: (commandsDone) => progress.push(commandsDone),
  });
  const rejected = outcomes.filter((outcome) => !outcome.ok);
  // outcomes[i] belongs to line i; a rejected line appended nothing and the import went on
  // #endregion batch

  // #region rerun
  const rerun = await crm.executeBatch(commandsIn(file));
  // every outcome is { ok: true, duplicate: true }: the command ids were recorded the first time
  // #endregion rerun

  const portfolio = await crm.portfolio('u-alice', '2026-06-01T00:00:00Z');
  await crm.close();
  return {
    commands: outcomes.length,
    rejected: rejected.length,
    progress,
    rerunDuplicates: rerun.filter((outcome) => outcome.ok && outcome.duplicate).length,
    owned: isRejection(portfolio) ? null : portfolio.customers.length,
  };
}
