import { streamOfEvent, type CrmEvent } from '@eventcrm/domain';
import { completeRow, keyOf, keyString, scanRows } from '../framework/rows.ts';
import type { KeyValue, ProjectedEvent, ProjectionDefinition, ReadModelReader, Row, RowRef, RowWriter, TableSpec } from '../framework/types.ts';

/**
 * Gives domain events their place in a log, as a store would: positions
 * 1, 2, 3, … in order, revisions per stream, event ids `e-<position>`.
 */
export function inLog(events: readonly CrmEvent[]): ProjectedEvent[] {
  const revisions = new Map<string, number>();
  return events.map((event, index) => {
    const stream = streamOfEvent(event);
    const revision = (revisions.get(stream) ?? -1) + 1;
    revisions.set(stream, revision);
    return { ...event, stream, revision, position: String(index + 1), eventId: `e-${index + 1}` };
  });
}

/**
 * Projects events in memory the way the runner does (rows declared by
 * `rowsNeeded`, then `apply`) and returns a reader over the result. Strict:
 * reading a non-resident row that `rowsNeeded` did not declare fails, so a
 * projection spec catches the mistakes the batched runner would hit.
 */
export function projectEvents(projections: readonly ProjectionDefinition[], events: readonly ProjectedEvent[]): ReadModelReader & { readonly tables: ReadonlyMap<string, ReadonlyMap<string, Row>> } {
  const specs = new Map<string, TableSpec>();
  const tables = new Map<string, Map<string, Row>>();
  for (const projection of projections) {
    for (const spec of projection.tables) {
      specs.set(spec.name, spec);
      tables.set(spec.name, new Map());
    }
  }
  const spec = (name: string): TableSpec => {
    const found = specs.get(name);
    if (found === undefined) throw new Error(`unknown table ${name}`);
    return found;
  };
  let declared = new Set<string>();
  const writer: RowWriter = {
    get(table, key) {
      if (spec(table).resident !== true && !declared.has(`${table} ${keyString(key)}`)) {
        throw new Error(`projection bug: ${table} ${keyString(key)} was read but not declared in rowsNeeded`);
      }
      return tables.get(table)!.get(keyString(key));
    },
    put(table, row) {
      const complete = completeRow(spec(table), row);
      tables.get(table)!.set(keyString(keyOf(spec(table), complete)), JSON.parse(JSON.stringify(complete)) as Row);
    },
    delete(table, key: KeyValue) {
      tables.get(table)!.delete(keyString(key));
    },
    all(table) {
      if (spec(table).resident !== true) throw new Error(`projection bug: all(${table}) on a table that is not resident`);
      return [...tables.get(table)!.values()];
    },
  };
  for (const event of events) {
    for (const projection of projections) {
      if (!projection.eventTypes.includes(event.type)) continue;
      const needed: readonly RowRef[] = projection.rowsNeeded(event, writer);
      declared = new Set(needed.map((ref) => `${ref.table} ${keyString(ref.key)}`));
      projection.apply(event, writer);
    }
  }
  return {
    tables,
    get: (table, key) => Promise.resolve(tables.get(table)?.get(keyString(key))),
    scan: (table, query) => Promise.resolve(scanRows(tables.get(table)?.values() ?? [], query)),
  };
}
