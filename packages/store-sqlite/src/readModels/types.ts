import type { ReadModelStore, TableChanges } from '@eventcrm/runtime';

/*
 * The read-model vocabulary (`TableSpec`, `Row`, `ScanQuery`, ...) belongs to
 * `@eventcrm/projections`, which this package does not depend on (its only
 * eventcrm dependency is the runtime). Rather than add a dependency, the
 * types are read off the runtime's read-model port, which is written in
 * exactly these terms, so they can never drift from it.
 */

/** A table of a read model, as the port hands it over. */
export type TableSpec = TableChanges['table'];
/** A row: column name → cell. */
export type Row = TableChanges['upserts'][number];
/** A primary key value: the key columns' values, in key order. */
export type KeyValue = TableChanges['deletes'][number];
/** A cell value (JSON). */
export type Cell = Row[string];
/** The column types of a `TableSpec`. */
export type ColumnType = TableSpec['columns'][string];
/** Read access to the live read models. */
export type ReadModelReader = ReturnType<ReadModelStore['reader']>;
/** A scan of one table. */
export type ScanQuery = NonNullable<Parameters<ReadModelReader['scan']>[1]>;
/** A condition on one column in a scan. */
export type Condition = NonNullable<ScanQuery['where']>[string];
