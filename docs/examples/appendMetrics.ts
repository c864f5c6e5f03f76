/**
 * A small adapter of the event store port (docs/stores.md): it wraps any
 * store and counts what is appended, for a metrics endpoint. Every method
 * keeps the wrapped store's behaviour, which the contract suite proves.
 */
import type { AppendRequest, EventStore } from '@eventcrm/runtime';

/** What the adapter counts. */
export interface AppendMetrics {
  appends: number;
  events: number;
}

// #region adapter
export function withAppendMetrics(inner: EventStore, metrics: AppendMetrics): EventStore {
  const count = (requests: number, events: number): void => {
    metrics.appends += requests;
    metrics.events += events;
  };
  return {
    kind: `${inner.kind}+metrics`,
    async append(request: AppendRequest) {
      const result = await inner.append(request);
      count(1, result.events.length);
      return result;
    },
    async appendBatch(requests) {
      const results = await inner.appendBatch(requests);
      count(results.length, results.reduce((sum, result) => sum + result.events.length, 0));
      return results;
    },
    readStream: (stream, options) => inner.readStream(stream, options),
    streamRevision: (stream) => inner.streamRevision(stream),
    readAll: (options) => inner.readAll(options),
    subscribe: (options) => inner.subscribe(options),
    headPosition: () => inner.headPosition(),
    findCommand: (commandId) => inner.findCommand(commandId),
    lookupReservations: (keys) => inner.lookupReservations(keys),
    loadKeys: (subjects) => inner.loadKeys(subjects),
    close: () => inner.close(),
  };
}
// #endregion adapter
