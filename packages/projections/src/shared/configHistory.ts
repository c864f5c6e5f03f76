import { configAt, type ConfigHistoryEntry, type CrmConfig } from '@eventcrm/domain';
import type { JsonCell, ProjectedEvent, RowWriter, TableSpec } from '../framework/types.ts';

/** The configuration history as a resident table (one row per change), per projection. */
export const configTable = (name: string): TableSpec => ({
  name,
  columns: { position: 'integer', at: 'text', config: 'json' },
  key: ['position'],
  resident: true,
});

/** Records a configuration change. Returns true when it was one. */
export function applyToConfig(table: string, event: ProjectedEvent, rows: RowWriter): boolean {
  if (event.type !== 'ConfigurationChanged') return false;
  rows.put(table, { position: Number(event.position), at: event.metadata.at, config: event.data.config as unknown as JsonCell });
  return true;
}

/** The history from a config table's rows, in log order. */
export function historyOf(rows: readonly { readonly [column: string]: unknown }[]): ConfigHistoryEntry[] {
  return [...rows]
    .sort((a, b) => Number(a['position']) - Number(b['position']))
    .map((row) => ({ at: String(row['at']), config: row['config'] as CrmConfig }));
}

/** The configuration in force at a time, from a projection's (resident) config table. */
export const configIn = (rows: RowWriter, table: string, at: string): CrmConfig => configAt(historyOf(rows.all(table)), at);
