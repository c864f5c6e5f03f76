import { completeRow, keyString, type Cell, type KeyValue, type ProjectionDefinition, type Row, type RowRef, type RowWriter, type TableSpec } from '@eventcrm/projections';
import type { Namespace, ReadModelStore, TableChanges } from './port.ts';

/** A row a projection changes in place (the projections package's `DraftRow`). */
type Draft = { [column: string]: Cell };

/** One cached key: its row (`null`: known absent or deleted) and what the working set knows about it. */
class Slot {
  /**
   * True when nobody but the working set holds `row`: a copy it made for a
   * draft, not yet handed to the store. Only such a row is changed in place.
   */
  owned = false;
  /** Changed since the last commit (and listed in the table's `dirty`). */
  dirty = false;
  /** The key to delete, when `row` is `null` because the projection deleted it. */
  deleted: KeyValue | null = null;
  constructor(public row: Row | null) {}
}

interface TableState {
  readonly spec: TableSpec;
  readonly resident: boolean;
  /** The table's columns, key columns and JSON columns, listed once: `put` runs per event. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  readonly jsonColumns: readonly string[];
  /** Cached keys, in the order they were first cached (eviction drops the oldest). */
  readonly rows: Map<string, Slot>;
  /** The slots changed since the last commit, in the order they were first changed. */
  readonly dirty: Slot[];
  /** Once rows were evicted, an uncached key may exist in the database. */
  evicted: boolean;
  /** Written since `beginBatch` (see `changedInBatch`). */
  changed: boolean;
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

/** A JSON value copied deeply (its own objects and arrays). */
function cloneJson(value: Cell): Cell {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as readonly Cell[]).map(cloneJson);
  const copy: Record<string, Cell> = {};
  for (const key of Object.keys(value)) copy[key] = cloneJson((value as { readonly [key: string]: Cell })[key]!);
  return copy;
}

/**
 * The rows a projection run works on: resident tables in full, other tables
 * as a bounded cache filled in bulk per batch. Memory is bounded by the
 * cache capacity and the resident tables, never by the number of events.
 *
 * Rows handed to the store are never changed afterwards. A row `put` by a
 * projection is kept as it is when complete (projections build it and
 * never touch it again); a draft is the working set's own copy, made on the
 * row's first draft after a commit and changed in place by the projection
 * until the next commit hands it to the store, after which the next draft
 * copies it again. So a row changed by many events between two commits is
 * copied once, not once per event.
 */
export class WorkingSet implements RowWriter {
  private readonly tables = new Map<string, TableState>();
  /** The slot of the last draft: a draft is nearly always put back next, and then its key need not be built again. */
  private lastDraft: Slot | null = null;
  private lastDraftTable: TableState | null = null;

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
        const columns = Object.keys(spec.columns);
        this.tables.set(spec.name, {
          spec,
          resident: spec.resident === true,
          columns,
          keyColumns: spec.key,
          jsonColumns: columns.filter((column) => spec.columns[column] === 'json'),
          rows: new Map(),
          dirty: [],
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
      for (const row of await this.readModels.loadAll(this.namespace, table.spec)) table.rows.set(rowKeyText(table.keyColumns, row), new Slot(row));
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
        table.rows.set(key, new Slot(null));
        continue;
      }
      const keys = missing.get(table) ?? new Map<string, KeyValue>();
      keys.set(key, ref.key);
      missing.set(table, keys);
    }
    for (const [table, keys] of missing) {
      const found = await this.readModels.fetch(this.namespace, table.spec, [...keys.values()]);
      for (const key of keys.keys()) table.rows.set(key, new Slot(null));
      for (const row of found) {
        const text = rowKeyText(table.keyColumns, row);
        const slot = table.rows.get(text);
        if (slot === undefined) table.rows.set(text, new Slot(row));
        else slot.row = row;
      }
    }
  }

  /** How many changed rows wait for the next commit. */
  get dirtyRows(): number {
    let count = 0;
    for (const table of this.tables.values()) count += table.dirty.length;
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
  changedInBatch(tables: readonly string[]): boolean {
    for (let index = 0; index < tables.length; index += 1) if (this.table(tables[index]!).changed) return true;
    return false;
  }

  get(tableName: string, key: KeyValue): Row | undefined {
    const table = this.table(tableName);
    const slot = table.rows.get(keyString(key));
    if (slot === undefined) {
      if (table.resident) return undefined;
      throw undeclared(tableName, key);
    }
    return slot.row ?? undefined;
  }

  draft(tableName: string, key: KeyValue): Draft | undefined {
    const table = this.table(tableName);
    const slot = table.rows.get(keyString(key));
    if (slot === undefined) {
      if (table.resident) return undefined;
      throw undeclared(tableName, key);
    }
    const row = slot.row;
    if (row === null) return undefined;
    this.lastDraft = slot;
    this.lastDraftTable = table;
    if (slot.owned) {
      this.changed(table, slot);
      return row;
    }
    const copy: Draft = { ...row };
    for (const column of table.jsonColumns) {
      const value = copy[column];
      if (value !== null && typeof value === 'object') copy[column] = cloneJson(value);
    }
    slot.row = copy;
    slot.owned = true;
    // Changed from now on: a projection that forgets to put its draft back still commits what the cache shows.
    this.changed(table, slot);
    return copy;
  }

  put(tableName: string, row: Row): void {
    const table = this.table(tableName);
    const last = this.lastDraft;
    if (last !== null && last.row === row && last.owned && this.lastDraftTable === table) {
      // The draft just handed out, put back.
      this.changed(table, last);
      return;
    }
    const text = rowKeyText(table.keyColumns, row);
    let slot = table.rows.get(text);
    if (slot !== undefined && slot.owned && slot.row === row) {
      // A draft handed back.
      this.changed(table, slot);
      return;
    }
    const complete = isComplete(table.columns, row) ? row : completeRow(table.spec, row);
    if (slot === undefined) {
      slot = new Slot(complete);
      table.rows.set(text, slot);
    } else {
      slot.row = complete;
      slot.deleted = null;
    }
    // The projection's own object: never changed in place (it might share it).
    slot.owned = false;
    this.changed(table, slot);
  }

  delete(tableName: string, key: KeyValue): void {
    const table = this.table(tableName);
    const text = keyString(key);
    let slot = table.rows.get(text);
    if (slot === undefined) {
      slot = new Slot(null);
      table.rows.set(text, slot);
    }
    slot.row = null;
    slot.owned = false;
    slot.deleted = key;
    this.changed(table, slot);
  }

  all(tableName: string): readonly Row[] {
    const table = this.table(tableName);
    if (!table.resident) throw new Error(`projection bug: all(${tableName}) on a table that is not resident`);
    const rows: Row[] = [];
    for (const slot of table.rows.values()) if (slot.row !== null) rows.push(slot.row);
    return rows;
  }

  /** The changes since the last commit, and forgets them (they are about to be committed: from now on the store may hold the rows). */
  takeChanges(): TableChanges[] {
    const changes: TableChanges[] = [];
    for (const table of this.tables.values()) {
      if (table.dirty.length === 0) continue;
      const upserts: Row[] = [];
      const deletes: KeyValue[] = [];
      for (const slot of table.dirty) {
        slot.dirty = false;
        slot.owned = false;
        if (slot.row === null) deletes.push(slot.deleted!);
        else upserts.push(slot.row);
      }
      table.dirty.length = 0;
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

  private changed(table: TableState, slot: Slot): void {
    table.changed = true;
    if (slot.dirty) return;
    slot.dirty = true;
    table.dirty.push(slot);
  }

  private table(name: string): TableState {
    const table = this.tables.get(name);
    if (table === undefined) throw new Error(`projection bug: unknown table ${name}`);
    return table;
  }
}

const undeclared = (table: string, key: KeyValue): Error => new Error(`projection bug: ${table} ${keyString(key)} was read but not declared in rowsNeeded`);
