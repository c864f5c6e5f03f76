import { completeRow, keyOf, keyString, scanRows, type KeyValue, type ReadModelReader, type Row, type TableSpec } from '@eventcrm/projections';
import { assertCheckpoints, type Checkpoint, type Namespace, type ReadModelStore, type TableChanges } from './port.ts';

type Tables = Map<string, Map<string, Row>>;

/**
 * Read models in memory: the reference behaviour of the read-model port,
 * for tests and for embedding without persistence. Rows are frozen copies.
 */
export function createInMemoryReadModelStore(): ReadModelStore {
  const spaces: Record<Namespace, { tables: Tables; checkpoints: Map<string, Checkpoint> }> = {
    live: { tables: new Map(), checkpoints: new Map() },
    rebuild: { tables: new Map(), checkpoints: new Map() },
  };
  const tableOf = (namespace: Namespace, name: string): Map<string, Row> => {
    const tables = spaces[namespace].tables;
    let table = tables.get(name);
    if (table === undefined) {
      table = new Map();
      tables.set(name, table);
    }
    return table;
  };
  const reader: ReadModelReader = {
    get: (table, key) => Promise.resolve(spaces.live.tables.get(table)?.get(keyString(key))),
    scan: (table, query) => Promise.resolve(scanRows(spaces.live.tables.get(table)?.values() ?? [], query)),
  };
  return {
    kind: 'memory',
    prepare(namespace, tables) {
      for (const table of tables) tableOf(namespace, table.name);
      return Promise.resolve();
    },
    reset(namespace, tables, projections) {
      for (const table of tables) spaces[namespace].tables.set(table.name, new Map());
      for (const projection of projections) spaces[namespace].checkpoints.delete(projection);
      return Promise.resolve();
    },
    checkpoints: (namespace) => Promise.resolve([...spaces[namespace].checkpoints.values()]),
    fetch(namespace, table, keys: readonly KeyValue[]) {
      const rows = tableOf(namespace, table.name);
      return Promise.resolve(keys.flatMap((key) => {
        const row = rows.get(keyString(key));
        return row === undefined ? [] : [row];
      }));
    },
    loadAll: (namespace, table) => Promise.resolve([...tableOf(namespace, table.name).values()]),
    commit(namespace, changes: readonly TableChanges[], checkpoints, expected) {
      const stored = new Map([...spaces[namespace].checkpoints.values()].map((checkpoint) => [checkpoint.projection, checkpoint.position] as const));
      try {
        assertCheckpoints(namespace, stored, expected);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      for (const change of changes) {
        const rows = tableOf(namespace, change.table.name);
        for (const key of change.deletes) rows.delete(keyString(key));
        for (const row of change.upserts) rows.set(keyString(keyOf(change.table, row)), Object.freeze(completeRow(change.table, structuredClone(row))));
      }
      for (const checkpoint of checkpoints) spaces[namespace].checkpoints.set(checkpoint.projection, checkpoint);
      return Promise.resolve();
    },
    swap(tables: readonly TableSpec[], projections) {
      for (const table of tables) {
        spaces.live.tables.set(table.name, spaces.rebuild.tables.get(table.name) ?? new Map<string, Row>());
        spaces.rebuild.tables.delete(table.name);
      }
      for (const projection of projections) {
        const checkpoint = spaces.rebuild.checkpoints.get(projection);
        if (checkpoint === undefined) spaces.live.checkpoints.delete(projection);
        else spaces.live.checkpoints.set(projection, checkpoint);
        spaces.rebuild.checkpoints.delete(projection);
      }
      return Promise.resolve();
    },
    reader: () => reader,
    close: () => Promise.resolve(),
  };
}
