import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, StoreHarness } from '@eventcrm/runtime';
import { createSqliteEventStore } from './store.ts';
import type { SqliteEventStore, SqliteEventStoreOptions } from './store.ts';

/**
 * The contract suite's view of the SQLite store (test-only, exported as
 * `@eventcrm/store-sqlite/testing`): every `create()` opens a new file in
 * `dir` (a fresh temporary directory when omitted), `dispose()` closes them
 * and removes what it made. The tamper hooks edit rows with raw SQL behind
 * the adapter's back, as someone with write access to the file could.
 * Options other than `path` are passed to every store.
 */
export function sqliteHarness(dir?: string, options: Omit<SqliteEventStoreOptions, 'path'> = {}): StoreHarness {
  const ownsDirectory = dir === undefined;
  const directory = dir ?? mkdtempSync(join(tmpdir(), 'eventcrm-sqlite-'));
  const stores: SqliteEventStore[] = [];
  const files: string[] = [];

  return {
    create: () =>
      settle(() => {
        const path = join(directory, `store-${randomUUID()}.sqlite`);
        const store = createSqliteEventStore({ ...options, path });
        stores.push(store);
        files.push(path);
        return store;
      }),
    async dispose() {
      for (const store of stores) await store.close();
      if (ownsDirectory) {
        rmSync(directory, { recursive: true, force: true });
      } else {
        for (const file of files) for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      }
    },
    tamper: {
      replaceData: (store, stream, revision, data) =>
        settle(() => {
          const { changes } = databaseOf(store).prepare('UPDATE events SET data = ? WHERE stream = ? AND revision = ?').run(JSON.stringify(data), stream, revision);
          if (changes !== 1) throw new Error(`tamper.replaceData: no event ${stream}@${revision}`);
        }),
      deleteEvent: (store, stream, revision) =>
        settle(() => {
          const { changes } = databaseOf(store).prepare('DELETE FROM events WHERE stream = ? AND revision = ?').run(stream, revision);
          if (changes !== 1) throw new Error(`tamper.deleteEvent: no event ${stream}@${revision}`);
        }),
      swapEvents: (store, stream, revisionA, revisionB) =>
        settle(() => {
          const database = databaseOf(store);
          const read = database.prepare<[string, number], EventContent>(
            'SELECT event_id, type, schema_version, data, metadata, previous_hash, hash FROM events WHERE stream = ? AND revision = ?',
          );
          const write = database.prepare<[EventContent & { stream: string; revision: number }]>(
            `UPDATE events SET event_id = @event_id, type = @type, schema_version = @schema_version, data = @data, metadata = @metadata,
               previous_hash = @previous_hash, hash = @hash WHERE stream = @stream AND revision = @revision`,
          );
          database.transaction(() => {
            const a = read.get(stream, revisionA);
            const b = read.get(stream, revisionB);
            if (a === undefined || b === undefined) throw new Error(`tamper.swapEvents: no event ${stream}@${a === undefined ? revisionA : revisionB}`);
            // event_id is UNIQUE and checked row by row, so A steps aside under a temporary id first.
            write.run({ ...b, event_id: `swapping-${randomUUID()}`, stream, revision: revisionA });
            write.run({ ...a, stream, revision: revisionB });
            write.run({ ...b, stream, revision: revisionA });
          })();
        }),
    },
  };
}

/** The columns `swapEvents` moves between two rows. */
interface EventContent {
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly previous_hash: string | null;
  readonly hash: string;
}

const databaseOf = (store: EventStore): SqliteEventStore['database'] => {
  const candidate = (store as Partial<SqliteEventStore>).database;
  if (store.kind !== 'sqlite' || candidate === undefined) throw new Error('the SQLite harness can only tamper with SQLite event stores');
  return candidate;
};

/** Raw edits are synchronous; the harness hands them out as promises, with throws as rejections. */
const settle = <T>(work: () => T): Promise<T> => new Promise<T>((resolve) => resolve(work()));
