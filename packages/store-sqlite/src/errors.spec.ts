import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { isStoreError } from '@eventcrm/runtime';
import { createSqliteEventStore } from './index.ts';
import { newEvent, temporaryDirectory } from '../test/fixtures.ts';

const directory = temporaryDirectory();
afterAll(() => directory.remove());

/** The error `fn` throws, so its code and message can be checked together. */
const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('opening a file that cannot serve as an event store', () => {
  it('reports a file that is not an SQLite database as STORE_CORRUPTED', () => {
    const path = directory.file();
    writeFileSync(path, 'these are the minutes of the sales meeting, not a database '.repeat(200));
    const error = thrownBy(() => createSqliteEventStore({ path }));
    expect(isStoreError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_CORRUPTED', message: expect.stringContaining(path) as unknown });
  });

  it('reports a database whose pages were overwritten as STORE_CORRUPTED', async () => {
    const path = directory.file();
    const store = createSqliteEventStore({ path });
    await store.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
    await store.close();
    const pageSize = readFileSync(path).readUInt16BE(16);
    const file = openSync(path, 'r+');
    // Keep the 100-byte header, so SQLite recognises the file, and wreck the schema page behind it.
    writeSync(file, Buffer.alloc(pageSize - 100, 0xab), 0, pageSize - 100, 100);
    closeSync(file);
    const error = thrownBy(() => createSqliteEventStore({ path }));
    expect(error).toMatchObject({ code: 'STORE_CORRUPTED' });
  });

  it('reports a missing directory and a path that is a directory as STORE_UNAVAILABLE', () => {
    expect(thrownBy(() => createSqliteEventStore({ path: join(directory.path, 'no-such-dir', 'store.sqlite') }))).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('cannot be opened') as unknown,
    });
    const folder = join(directory.path, 'a-folder');
    mkdirSync(folder);
    expect(thrownBy(() => createSqliteEventStore({ path: folder }))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('reports a file whose event store tables were dropped as STORE_CORRUPTED', async () => {
    const path = directory.file();
    await createSqliteEventStore({ path }).close();
    new Database(path).exec('DROP TABLE events').close();
    const error = thrownBy(() => createSqliteEventStore({ path }));
    expect(isStoreError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_CORRUPTED', message: expect.stringContaining('no such table: events') as unknown });
  });
});

describe('a read-only store', () => {
  it('reads an existing store and refuses appends as STORE_UNAVAILABLE, writing nothing', async () => {
    const path = directory.file();
    const writer = createSqliteEventStore({ path });
    await writer.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] });
    await writer.close();

    const reader = createSqliteEventStore({ path, readonly: true });
    try {
      expect(await reader.streamRevision('s')).toBe(0);
      await expect(reader.append({ writes: [{ stream: 's', expected: 'any', events: [newEvent()] }] })).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining('read-only') as unknown,
      });
      expect(await reader.headPosition()).toBe('1');
    } finally {
      await reader.close();
    }
  });

  it('is refused for a missing file or one without the event store schema', () => {
    expect(thrownBy(() => createSqliteEventStore({ path: directory.file(), readonly: true }))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    const path = directory.file();
    new Database(path).exec('CREATE TABLE unrelated (x)').close();
    expect(thrownBy(() => createSqliteEventStore({ path, readonly: true }))).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('no event store schema') as unknown,
    });
  });
});
