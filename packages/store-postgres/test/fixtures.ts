/**
 * Shared test fixtures for the PostgreSQL store specs and child processes.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject, NewEvent, StoredEvent } from '@eventcrm/runtime';

/** A valid event with fresh ids; `data` defaults to a small object. */
export function newEvent(type = 'CustomerRegistered', data: JsonObject = { name: 'Ada' }): NewEvent {
  const commandId = randomUUID();
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: { commandId, actor: 'tester', at: '2024-05-01T10:00:00.000Z', correlationId: commandId, causationId: null },
  };
}

/** Drains an async iterable of batches. */
export async function collect(batches: AsyncIterable<readonly StoredEvent[]>): Promise<StoredEvent[][]> {
  const all: StoredEvent[][] = [];
  for await (const batch of batches) all.push([...batch]);
  return all;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
