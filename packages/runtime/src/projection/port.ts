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

/** Another runner committed these projections since this one read their checkpoints; nothing was written. */
export class CheckpointMovedError extends Error {
  readonly code = 'CHECKPOINT_MOVED';
  constructor(
    readonly namespace: Namespace,
    readonly projection: string,
    readonly expected: Position | null,
    readonly actual: Position | null,
  ) {
    super(`${namespace} checkpoint of ${projection} moved from ${expected ?? 'none'} to ${actual ?? 'none'} under this runner`);
    this.name = 'CheckpointMovedError';
  }
}

/** True for a `CheckpointMovedError` (also across package copies). */
export const isCheckpointMovedError = (error: unknown): error is CheckpointMovedError =>
  error instanceof Error && (error as { code?: unknown }).code === 'CHECKPOINT_MOVED';

/**
 * Checks expected checkpoints against the stored ones (for adapters to call
 * inside their commit transaction); throws `CheckpointMovedError` on the first
 * that differs.
 */
export function assertCheckpoints(namespace: Namespace, stored: ReadonlyMap<string, Position | null>, expected: ReadonlyMap<string, Position | null> | undefined): void {
  for (const [projection, position] of expected ?? []) {
    const actual = stored.get(projection) ?? null;
    if (actual !== position) throw new CheckpointMovedError(namespace, projection, position, actual);
  }
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
  /**
   * Writes row changes and checkpoints atomically. With `expected` (the
   * position each projection's checkpoint had when the caller read it, `null`
   * for none), the commit first checks that no other runner moved those
   * checkpoints meanwhile; if one did, it throws `CheckpointMovedError` and
   * writes nothing — so two processes catching up the same read models never
   * apply the same events twice.
   */
  commit(namespace: Namespace, changes: readonly TableChanges[], checkpoints: readonly Checkpoint[], expected?: ReadonlyMap<string, Position | null>): Promise<void>;
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
