import { completeRow, keyString, type KeyValue, type ProjectionDefinition, type Row, type RowRef, type RowWriter, type TableSpec } from '@eventcrm/projections';
import type { Namespace, ReadModelStore, TableChanges } from './port.ts';

interface TableState {
  readonly spec: TableSpec;
  readonly resident: boolean;
  /** The table's columns and key columns, listed once: `put` runs per event. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  /** Cached rows; `null` marks a key known to be absent. */
  readonly rows: Map<string, Row | null>;
  /** Rows changed since the last commit; a `Deletion` marks a deleted key. */
  readonly dirty: Map<string, Row | Deletion>;
  /** Once rows were evicted, an uncached key may exist in the database. */
  evicted: boolean;
  /** Written since `beginBatch` (see `changedInBatch`). */
  changed: boolean;
}

/** A deleted row in the pending changes (the key is kept for the store's delete). */
class Deletion {
  constructor(readonly key: KeyValue) {}
}

/** One key part as `keyString` writes it (`keyOf` turns anything but text and numbers into JSON text first). */
const keyPartText = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? `#${value}` : JSON.stringify(value ?? null));

/** `keyString(keyOf(spec, row))` without the intermediate arrays. */
function rowKeyText(keyColumns: readonly string[], row: Row): string {
  if (keyColumns.length === 1) return keyPartText(row[keyColumns[0]!]);
  let text = '';
  for (let index = 0; index < keyColumns.length; index += 1) text += (index === 0 ? '' : '\u0000') + keyPartText(row[keyColumns[index]!]);
  return text;
}

/** True when a row holds every column of the table and nothing else, so it can be kept as it is. */
function isComplete(columns: readonly string[], row: Row): boolean {
  for (let index = 0; index < columns.length; index += 1) if (row[columns[index]!] === undefined) return false;
  let count = 0;
  for (const column in row) if (Object.hasOwn(row, column)) count += 1;
  return count === columns.length;
}

/**
 * The rows a projection run works on: resident tables in full, other tables
 * as a bounded cache filled in bulk per batch. Memory is bounded by the
 * cache capacity and the resident tables, never by the number of events.
 *
 * Rows are never mutated here: a row handed to `put` is kept as it is when
 * it is complete (projections build a new row per change and never touch
 * it again), so the cache, the pending changes and the store see one
 * object, and the per-event cost is a key and two map writes.
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
      for (const spec of projection.tables) {
        this.tables.set(spec.name, {
          spec,
          resident: spec.resident === true,
          columns: Object.keys(spec.columns),
          keyColumns: spec.key,
          rows: new Map(),
          dirty: new Map(),
          evicted: false,
          changed: false,
        });
      }
    }
  }

  /** Every table of the run. */
  get specs(): readonly TableSpec[] {
    return [...this.tables.values()].map((table) => table.spec);
  }

  /** Loads the resident tables in full. */
  async loadResident(): Promise<void> {
    for (const table of this.tables.values()) {
      if (!table.resident) continue;
      for (const row of await this.readModels.loadAll(this.namespace, table.spec)) table.rows.set(rowKeyText(table.keyColumns, row), row);
    }
  }

  /** Fetches, in one round trip per table, the rows of `refs` not yet cached. */
  async prefetch(refs: readonly RowRef[]): Promise<void> {
    const missing = new Map<TableState, Map<string, KeyValue>>();
    for (const ref of refs) {
      const table = this.table(ref.table);
      if (table.resident) continue;
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
      for (const row of found) table.rows.set(rowKeyText(table.keyColumns, row), row);
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
      return !table.resident && !table.rows.has(keyString(ref.key));
    });
  }

  /** Starts a batch: `changedInBatch` reports writes from here on. */
  beginBatch(): void {
    for (const table of this.tables.values()) table.changed = false;
  }

  /** True when any of these tables was written since `beginBatch`. */
  changedInBatch(tables: Iterable<string>): boolean {
    for (const name of tables) if (this.table(name).changed) return true;
    return false;
  }

  get(tableName: string, key: KeyValue): Row | undefined {
    const table = this.table(tableName);
    const cached = table.rows.get(keyString(key));
    if (cached === undefined && !table.resident) {
      throw new Error(`projection bug: ${tableName} ${keyString(key)} was read but not declared in rowsNeeded`);
    }
    return cached ?? undefined;
  }

  put(tableName: string, row: Row): void {
    const table = this.table(tableName);
    const complete = isComplete(table.columns, row) ? row : completeRow(table.spec, row);
    const text = rowKeyText(table.keyColumns, complete);
    table.rows.set(text, complete);
    table.dirty.set(text, complete);
    table.changed = true;
  }

  delete(tableName: string, key: KeyValue): void {
    const table = this.table(tableName);
    const text = keyString(key);
    table.rows.set(text, null);
    table.dirty.set(text, new Deletion(key));
    table.changed = true;
  }

  all(tableName: string): readonly Row[] {
    const table = this.table(tableName);
    if (!table.resident) throw new Error(`projection bug: all(${tableName}) on a table that is not resident`);
    return [...table.rows.values()].filter((row): row is Row => row !== null);
  }

  /** The changes since the last commit, and forgets them (they are about to be committed). */
  takeChanges(): TableChanges[] {
    const changes: TableChanges[] = [];
    for (const table of this.tables.values()) {
      if (table.dirty.size === 0) continue;
      const upserts: Row[] = [];
      const deletes: KeyValue[] = [];
      for (const change of table.dirty.values()) {
        if (change instanceof Deletion) deletes.push(change.key);
        else upserts.push(change);
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
    for (const table of this.tables.values()) if (!table.resident) cached += table.rows.size;
    if (cached <= this.capacity) return;
    let excess = cached - Math.floor(this.capacity * 0.8);
    for (const table of this.tables.values()) {
      if (table.resident) continue;
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
