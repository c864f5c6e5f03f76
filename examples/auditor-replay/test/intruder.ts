/**
 * Someone with write access to the SQLite file and no eventcrm code: raw
 * SQL on the `events` table, as an insider or a broken script would do it.
 * The store adapter is only used to open the file (its `database` handle);
 * `hashEvent` is the public hash function, which is all a careful intruder
 * needs to recompute a chain.
 */
import { hashEvent, type EventMetadata, type JsonObject } from '@eventcrm/runtime';
import { createSqliteEventStore } from '@eventcrm/store-sqlite';

type Database = ReturnType<typeof createSqliteEventStore>['database'];

interface EventRow {
  readonly revision: number;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly previous_hash: string | null;
}

async function withDatabase<T>(path: string, work: (database: Database) => T): Promise<T> {
  const store = createSqliteEventStore({ path });
  try {
    return work(store.database);
  } finally {
    await store.close();
  }
}

/** Overwrites one event's stored data (hashes untouched): what `verify` is for. */
export function editEventData(path: string, stream: string, revision: number, edit: (data: JsonObject) => JsonObject): Promise<void> {
  return withDatabase(path, (database) => {
    const row = database.prepare('SELECT data FROM events WHERE stream = ? AND revision = ?').get(stream, revision) as { data: string } | undefined;
    if (row === undefined) throw new Error(`no event ${stream}@${revision}`);
    const changed = database.prepare('UPDATE events SET data = ? WHERE stream = ? AND revision = ?').run(JSON.stringify(edit(JSON.parse(row.data) as JsonObject)), stream, revision).changes;
    if (changed !== 1) throw new Error(`tampering with ${stream}@${revision} changed ${changed} rows`);
  });
}

/**
 * Edits one event's data and then recomputes its hash and the links and
 * hashes of every later event of the stream: a rewritten chain that
 * `verify` finds intact.
 */
export function rewriteChain(path: string, stream: string, revision: number, edit: (data: JsonObject) => JsonObject): Promise<void> {
  return withDatabase(path, (database) =>
    database.transaction(() => {
      const rows = database.prepare('SELECT revision, type, schema_version, data, metadata, previous_hash FROM events WHERE stream = ? AND revision >= ? ORDER BY revision').all(stream, revision) as EventRow[];
      if (rows[0]?.revision !== revision) throw new Error(`no event ${stream}@${revision}`);
      let previousHash = rows[0].previous_hash;
      for (const row of rows) {
        const data = row.revision === revision ? edit(JSON.parse(row.data) as JsonObject) : (JSON.parse(row.data) as JsonObject);
        const hash = hashEvent({ stream, revision: row.revision, type: row.type, schemaVersion: row.schema_version, data, metadata: JSON.parse(row.metadata) as EventMetadata, previousHash });
        database.prepare('UPDATE events SET data = ?, previous_hash = ?, hash = ? WHERE stream = ? AND revision = ?').run(JSON.stringify(data), previousHash, hash, stream, row.revision);
        previousHash = hash;
      }
    })(),
  );
}

/** Deletes the newest event of a stream: nothing points at what is missing. */
export function cutNewestEvent(path: string, stream: string): Promise<void> {
  return withDatabase(path, (database) => {
    const changed = database.prepare('DELETE FROM events WHERE stream = ? AND revision = (SELECT MAX(revision) FROM events WHERE stream = ?)').run(stream, stream).changes;
    if (changed !== 1) throw new Error(`no event to cut from ${stream}`);
  });
}
