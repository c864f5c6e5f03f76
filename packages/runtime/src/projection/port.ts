import type { KeyValue, ReadModelReader, Row, TableSpec } from '@eventcrm/projections';
import type { Position } from '../store/port.ts';

/**
 * Where read models live: `live` answers queries; `rebuild` is the fresh copy
 * a rebuild fills beside it, swapped in atomically at the end.
 */
export type Namespace = 'live' | 'rebuild';

/** A projection's checkpoint: the last log position its rows reflect, and the projection version that wrote them. */
export interface Checkpoint {
  readonly projection: string;
  readonly position: Position;
  readonly version: number;
}

/** The changes of one table in one commit. */
export interface TableChanges {
  readonly table: TableSpec;
  readonly upserts: readonly Row[];
  readonly deletes: readonly KeyValue[];
}

/**
 * The read-model storage port. SQLite and PostgreSQL keep read models in
 * the same database as the events; the in-memory store keeps them in maps.
 * Every commit writes the row changes and the checkpoints of one batch in a
 * single transaction, so a crash at any point leaves a consistent state.
 */
export interface ReadModelStore {
  readonly kind: string;
  /** Creates the tables (and indexes) of a namespace if they do not exist. */
  prepare(namespace: Namespace, tables: readonly TableSpec[]): Promise<void>;
  /** Empties a namespace's tables and forgets its checkpoints for these projections (a rebuild starts here). */
  reset(namespace: Namespace, tables: readonly TableSpec[], projections: readonly string[]): Promise<void>;
  /** The stored checkpoints of a namespace. */
  checkpoints(namespace: Namespace): Promise<readonly Checkpoint[]>;
  /** The rows with these keys (absent ones are left out). */
  fetch(namespace: Namespace, table: TableSpec, keys: readonly KeyValue[]): Promise<readonly Row[]>;
  /** Every row of a table (for resident tables). */
  loadAll(namespace: Namespace, table: TableSpec): Promise<readonly Row[]>;
  /** Writes row changes and checkpoints atomically. */
  commit(namespace: Namespace, changes: readonly TableChanges[], checkpoints: readonly Checkpoint[]): Promise<void>;
  /**
   * Replaces the live tables and checkpoints of these projections with the
   * rebuilt ones, atomically: a reader sees either the old or the new copy.
   */
  swap(tables: readonly TableSpec[], projections: readonly string[]): Promise<void>;
  /** A reader over the live namespace. */
  reader(): ReadModelReader;
  /** Releases resources the store opened itself. */
  close(): Promise<void>;
}
