import type { CrmEvent, EventType } from '@eventcrm/domain';

/**
 * The projection framework: a projection is pure logic over rows of typed
 * tables. The runner (in `@eventcrm/runtime`) reads events in batches, asks
 * each projection which rows the batch needs (`rowsNeeded`), fetches them in
 * bulk, applies the events synchronously (`apply`), then writes the changed
 * rows and the checkpoint in one transaction. Projections never do I/O and
 * never see the store; the same definition runs on memory, SQLite and
 * PostgreSQL, and a rebuild is the same code as live processing.
 */

/** An event as projections receive it: the domain event plus its place in the log. */
export type ProjectedEvent = CrmEvent & {
  readonly stream: string;
  readonly revision: number;
  /** Global position, a decimal string. */
  readonly position: string;
  readonly eventId: string;
};

/** Column types, mapped to each database's native types by the read-model stores. */
export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'json';

/** A JSON value stored in a `json` column. */
export type JsonCell = null | boolean | number | string | readonly JsonCell[] | { readonly [key: string]: JsonCell };

/** A cell value. `text` holds strings (times are ISO strings, money minor units decimal strings); `integer` safe integers. */
export type Cell = JsonCell;

/** A row: column name → value. Every column of the table is present (`null` when empty). */
export type Row = { readonly [column: string]: Cell };

/** A primary key value: the key columns' values, in key order. */
export type KeyValue = readonly (string | number)[];

/** A table of a read model. Names are SQL identifiers (`[a-z][a-z0-9_]*`), unique across projections. */
export interface TableSpec {
  readonly name: string;
  readonly columns: { readonly [column: string]: ColumnType };
  /** Primary key columns (text or integer). */
  readonly key: readonly string[];
  /** Secondary indexes for the queries, as column lists. */
  readonly indexes?: readonly (readonly string[])[];
  /**
   * A small table (the team directory, configuration) the runner keeps wholly
   * in memory: `rowsNeeded` may read it, and it never needs prefetching.
   */
  readonly resident?: boolean;
}

/** A row of a table, by key. */
export interface RowRef {
  readonly table: string;
  readonly key: KeyValue;
}

/** Read access to rows (resident tables always; other tables once fetched). */
export interface RowView {
  get(table: string, key: KeyValue): Row | undefined;
}

/** A row a projection may change in place: a draft (see `RowWriter.draft` and `draftRow`). */
export type DraftRow = { [column: string]: Cell };

/** Read-write access to the working set of rows while applying events. */
export interface RowWriter extends RowView {
  /**
   * Inserts or replaces a row (its key is read from its key columns). The
   * row belongs to the writer from then on: the projection must not change
   * it or keep it, except a draft, which it may change and `put` again.
   */
  put(table: string, row: Row): void;
  delete(table: string, key: KeyValue): void;
  /** Every row of a resident table. */
  all(table: string): readonly Row[];
  /**
   * The row with this key as a draft the projection changes in place, its
   * JSON cells included, and then hands back with `put`; `undefined` when
   * there is no such row. Optional: projections call `draftRow`, which
   * falls back on a copy. The runner's working set copies a row only on
   * its first draft after a commit, so a row changed by many events costs
   * one copy per commit instead of one per event. A draft is the cached row
   * itself: a row read earlier with `get` under the same key may change
   * with it (read what you need first), and its key columns must not change.
   */
  draft?(table: string, key: KeyValue): DraftRow | undefined;
}

/** A projection: tables, the events it consumes, and how it changes rows. */
export interface ProjectionDefinition {
  /** Stable name: `funnel`, `ownership`, `rankings`, `reminders`. */
  readonly name: string;
  /** Bumped whenever the tables or the logic change: a different stored version means a rebuild. */
  readonly version: number;
  readonly tables: readonly TableSpec[];
  /** The event types it consumes; the runner skips the rest. */
  readonly eventTypes: readonly EventType[];
  /** Whether it needs personal fields decrypted (default: opaque, never read). */
  readonly personalData?: 'decrypt' | 'opaque';
  /**
   * With `personalData: 'decrypt'`, the personal fields it reads, by event
   * type, as the domain's dotted paths (`contact.birthday`); events of other
   * types reach it with their personal fields opaque. Decryption is most of
   * what decoding an event costs, so a projection that reads a few fields
   * declares them. Without it every personal field is decrypted.
   */
  readonly personalFields?: { readonly [Type in EventType]?: readonly string[] };
  /** The non-resident rows `apply` will read for this event (resident rows may be consulted). */
  rowsNeeded(event: ProjectedEvent, resident: RowView): readonly RowRef[];
  /** Applies one event. Must be deterministic and total (never throw on a valid event). */
  apply(event: ProjectedEvent, rows: RowWriter): void;
}

/** A condition on one column in a scan. */
export type Condition =
  | string
  | number
  | boolean
  | null
  | { readonly in: readonly (string | number)[] }
  | { readonly gte?: string | number; readonly gt?: string | number; readonly lte?: string | number; readonly lt?: string | number }
  | { readonly notNull: true };

/** A scan of one table: equality/range/IN conditions combined with AND, an order and a limit. */
export interface ScanQuery {
  readonly where?: { readonly [column: string]: Condition };
  readonly orderBy?: readonly (readonly [column: string, direction: 'asc' | 'desc'])[];
  readonly limit?: number;
}

/** Read access to the live read models, for queries. */
export interface ReadModelReader {
  get(table: string, key: KeyValue): Promise<Row | undefined>;
  scan(table: string, query?: ScanQuery): Promise<readonly Row[]>;
}
