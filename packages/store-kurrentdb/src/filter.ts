import type { LogFilter } from '@eventcrm/runtime';
import { internalMarker } from './naming.ts';
import type { StreamNaming } from './naming.ts';

/**
 * A server-side `$all` filter as both clients take it (`RegexFilter` in
 * `types/index.d.ts`). `filterOn` is the value of the clients' `STREAM_NAME`
 * / `EVENT_TYPE` constants. Without `maxSearchWindow` the server keeps
 * scanning until it has found `maxCount` matches.
 */
export interface ServerFilter {
  readonly filterOn: 'streamName' | 'eventType';
  readonly regex: string;
  /** Required by the clients (> 0); the adapter registers no checkpoint callback, so it has no effect. */
  readonly checkpointInterval: number;
}

/**
 * Which events of `$all` a read returns, in two layers:
 * - `server`: one filter the server applies (KurrentDB filters on stream
 *   name or on event type, not both, and EventStoreDB 6.x clients cannot
 *   filter reads at all), chosen to cut the most traffic;
 * - `matches`: the complete rule, applied to every event the server sends.
 *   Correctness rests on this one; the server filter only saves bandwidth.
 *
 * The complete rule: the stream is a port stream of this store (under the
 * prefix, not internal, not a `$` system stream), the event type is not a
 * `$` system type (tombstone and link records), and the caller's filter
 * holds. Empty lists in the caller's filter match nothing, as on every store.
 */
export interface LogSelection {
  readonly server: ServerFilter | undefined;
  /** True when the caller's filter excludes every event (an empty list), so no read is needed. */
  readonly matchesNothing: boolean;
  matches(serverStream: string, type: string): boolean;
}

/**
 * Escapes a literal for a regular expression that both .NET (the server) and
 * JavaScript (the tests) read the same way: every metacharacter gets a
 * backslash, which both treat as "this character literally"; everything
 * else (letters, digits, `-`, `/`, spaces, non-ASCII) is literal in both
 * already, unless the pattern is compiled with an option such as .NET's
 * IgnorePatternWhitespace; the adapter assumes the server compiles filter
 * patterns without such options.
 */
export const escapeRegex = (literal: string): string => literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

const alternatives = (literals: readonly string[]): string => `(?:${literals.map(escapeRegex).join('|')})`;

/**
 * The stream-name regex for a store: the prefix, then not the internal
 * marker (a negative lookahead, which .NET regular expressions support),
 * then one of the caller's prefixes. Without a store prefix the stream must
 * also not be a system stream.
 */
export function streamRegex(naming: StreamNaming, streamPrefixes: readonly string[] | undefined): string {
  const system = naming.prefix === '' ? '(?!\\$)' : '';
  const callerPrefixes = streamPrefixes === undefined ? '' : alternatives(streamPrefixes);
  return `^${system}${escapeRegex(naming.prefix)}(?!${escapeRegex(internalMarker)})${callerPrefixes}`;
}

/** The event-type regex for a list of exact types. */
export const eventTypeRegex = (eventTypes: readonly string[]): string => `^${alternatives(eventTypes)}$`;

/**
 * Plans the selection for a log read. `serverCanFilter` is false for the
 * EventStoreDB 6.x client, whose `readAll` has no filter option.
 */
export function planLogSelection(naming: StreamNaming, filter: LogFilter | undefined, serverCanFilter: boolean): LogSelection {
  const streamPrefixes = filter?.streamPrefixes;
  const eventTypes = filter?.eventTypes;
  if (streamPrefixes !== undefined && !isStringList(streamPrefixes)) throw new RangeError('filter.streamPrefixes must be an array of strings');
  if (eventTypes !== undefined && !isStringList(eventTypes)) throw new RangeError('filter.eventTypes must be an array of strings');
  const types = eventTypes === undefined ? undefined : new Set(eventTypes);
  const matchesNothing = streamPrefixes?.length === 0 || eventTypes?.length === 0;

  const matches = (serverStream: string, type: string): boolean => {
    if (type.startsWith('$')) return false;
    const stream = naming.fromServer(serverStream);
    if (stream === undefined) return false;
    if (streamPrefixes !== undefined && !streamPrefixes.some((prefix) => stream.startsWith(prefix))) return false;
    return types === undefined || types.has(type);
  };

  let server: ServerFilter | undefined;
  if (serverCanFilter && !matchesNothing) {
    // A store prefix or the caller's prefixes narrow by stream name; with
    // neither, the caller's event types (if any) are the narrower cut.
    const byType = eventTypes !== undefined && naming.prefix === '' && streamPrefixes === undefined;
    server = byType
      ? { filterOn: 'eventType', regex: eventTypeRegex(eventTypes), checkpointInterval: 1 }
      : { filterOn: 'streamName', regex: streamRegex(naming, streamPrefixes), checkpointInterval: 1 };
  }
  return { server, matchesNothing, matches };
}

const isStringList = (value: unknown): value is readonly string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
