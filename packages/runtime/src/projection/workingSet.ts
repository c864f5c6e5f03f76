import { completeRow, keyOf, keyString, type KeyValue, type ProjectionDefinition, type Row, type RowRef, type RowWriter, type TableSpec } from '@eventcrm/projections';
import type { Namespace, ReadModelStore, TableChanges } from './port.ts';

interface TableState {
  readonly spec: TableSpec;
  /** Cached rows; `null` marks a key known to be absent. */
  readonly rows: Map<string, Row | null>;
  /** Rows changed since the last commit, with their keys; a `null` row marks a deletion. */
  readonly dirty: Map<string, { readonly key: KeyValue; readonly row: Row | null }>;
  /** Once rows were evicted, an uncached key may exist in the database. */
  evicted: boolean;
}

/**
 * The rows a projection run works on: resident tables in full, other tables
 * as a bounded cache filled in bulk per batch. Memory is bounded by the
 * cache capacity and the resident tables, never by the number of events.
 */
export class WorkingSet implements RowWriter {
  private readonly tables = new Map<string, TableState>();

  constructor(
    private readonly readModels: ReadModelStore,
    private readonly namespace: Namespace,
    projections: readonly ProjectionDefinition[],
    private readonly capacity: number,
    /** True when the namespace started empty (a rebuild): uncached keys are absent until something is evicted. */
    private readonly startedEmpty: boolean,
  ) {
    for (const projection of projections) {
      for (const spec of projection.tables) this.tables.set(spec.name, { spec, rows: new Map(), dirty: new Map(), evicted: false });
    }
  }

  /** Every table of the run. */
  get specs(): readonly TableSpec[] {
    return [...this.tables.values()].map((table) => table.spec);
  }

  /** Loads the resident tables in full. */
  async loadResident(): Promise<void> {
    for (const table of this.tables.values()) {
      if (table.spec.resident !== true) continue;
      for (const row of await this.readModels.loadAll(this.namespace, table.spec)) table.rows.set(keyString(keyOf(table.spec, row)), row);
    }
  }

  /** Fetches, in one round trip per table, the rows of `refs` not yet cached. */
  async prefetch(refs: readonly RowRef[]): Promise<void> {
    const missing = new Map<TableState, Map<string, KeyValue>>();
    for (const ref of refs) {
      const table = this.table(ref.table);
      if (table.spec.resident === true) continue;
      const key = keyString(ref.key);
      if (table.rows.has(key)) continue;
      if (this.startedEmpty && !table.evicted) {
        table.rows.set(key, null);
        continue;
      }
      const keys = missing.get(table) ?? new Map<string, KeyValue>();
      keys.set(key, ref.key);
      missing.set(table, keys);
    }
    for (const [table, keys] of missing) {
      const found = await this.readModels.fetch(this.namespace, table.spec, [...keys.values()]);
      for (const key of keys.keys()) table.rows.set(key, null);
      for (const row of found) table.rows.set(keyString(keyOf(table.spec, row)), row);
    }
  }

  /** How many changed rows wait for the next commit. */
  get dirtyRows(): number {
    let count = 0;
    for (const table of this.tables.values()) count += table.dirty.size;
    return count;
  }

  /** The refs among these that are neither cached nor resident. */
  missing(refs: readonly RowRef[]): RowRef[] {
    return refs.filter((ref) => {
      const table = this.table(ref.table);
      return table.spec.resident !== true && !table.rows.has(keyString(ref.key));
    });
  }

  get(tableName: string, key: KeyValue): Row | undefined {
    const table = this.table(tableName);
    const cached = table.rows.get(keyString(key));
    if (cached === undefined && table.spec.resident !== true) {
      throw new Error(`projection bug: ${tableName} ${keyString(key)} was read but not declared in rowsNeeded`);
    }
    return cached ?? undefined;
  }

  put(tableName: string, row: Row): void {
    const table = this.table(tableName);
    const complete = completeRow(table.spec, row);
    const key = keyOf(table.spec, complete);
    const text = keyString(key);
    table.rows.set(text, complete);
    table.dirty.set(text, { key, row: complete });
  }

  delete(tableName: string, key: KeyValue): void {
    const table = this.table(tableName);
    const text = keyString(key);
    table.rows.set(text, null);
    table.dirty.set(text, { key, row: null });
  }

  all(tableName: string): readonly Row[] {
    const table = this.table(tableName);
    if (table.spec.resident !== true) throw new Error(`projection bug: all(${tableName}) on a table that is not resident`);
    return [...table.rows.values()].filter((row): row is Row => row !== null);
  }

  /** The changes since the last commit, and forgets them (they are about to be committed). */
  takeChanges(): TableChanges[] {
    const changes: TableChanges[] = [];
    for (const table of this.tables.values()) {
      if (table.dirty.size === 0) continue;
      const upserts: Row[] = [];
      const deletes: KeyValue[] = [];
      for (const { key, row } of table.dirty.values()) {
        if (row === null) deletes.push(key);
        else upserts.push(row);
      }
      table.dirty.clear();
      changes.push({ table: table.spec, upserts, deletes });
    }
    return changes;
  }

  /** Drops the oldest cached rows beyond the capacity (only after a commit: nothing is dirty). */
  evict(): void {
    if (this.dirtyRows > 0) return;
    let cached = 0;
    for (const table of this.tables.values()) if (table.spec.resident !== true) cached += table.rows.size;
    if (cached <= this.capacity) return;
    let excess = cached - Math.floor(this.capacity * 0.8);
    for (const table of this.tables.values()) {
      if (table.spec.resident === true) continue;
      const share = Math.ceil((excess * table.rows.size) / cached);
      let dropped = 0;
      for (const key of table.rows.keys()) {
        if (dropped >= share) break;
        table.rows.delete(key);
        dropped += 1;
      }
      if (dropped > 0) table.evicted = true;
      excess -= dropped;
    }
  }

  private table(name: string): TableState {
    const table = this.tables.get(name);
    if (table === undefined) throw new Error(`projection bug: unknown table ${name}`);
    return table;
  }
}
