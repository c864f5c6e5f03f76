import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, NewEvent } from '@eventcrm/runtime';

/** A valid event with a fresh id; metadata fixed so tests stay deterministic apart from ids. */
export const newEvent = (type = 'CustomerRegistered', data: JsonObject = { name: 'Ada' }, commandId = 'command-1'): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { commandId, actor: 'user-1', at: '2024-05-01T10:00:00.000Z', correlationId: commandId, causationId: null },
});

/** A temporary directory per test file, removed by the returned cleanup. */
export function temporaryDirectory(): { readonly path: string; file(name?: string): string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'eventcrm-sqlite-test-'));
  return {
    path,
    file: (name = `${randomUUID()}.sqlite`) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
