import { createHash } from 'node:crypto';

/**
 * Every stream the adapter keeps for its own bookkeeping (command records,
 * reservations, encryption keys) starts with the store prefix followed by
 * this marker. Port streams may not start with it, so the two never collide,
 * and log reads exclude it server-side.
 */
export const internalMarker = '__eventcrm-';

/** What an internal stream is for; the planner decodes its last event accordingly. */
export type InternalStreamKind = 'command' | 'reservation' | 'key';

/**
 * How port stream names map to KurrentDB stream names. Port streams map 1:1
 * to `${prefix}${stream}`; the prefix isolates one store (a tenant, a test
 * run) inside a shared server, so prefixes of two stores on one server must
 * not be prefixes of each other (end them with a separator such as `/`).
 *
 * Internal streams are named by the SHA-256 of their id instead of the id
 * itself: reservation keys are normalised phone numbers and e-mail
 * addresses, and a KurrentDB stream name can never be shredded, encrypted or
 * renamed. Hashing also keeps names short and free of awkward characters.
 * (A hash of a phone number can be brute-forced; this keeps the plain value
 * out of stream listings and logs, it does not make it secret.)
 */
export interface StreamNaming {
  readonly prefix: string;
  /** The KurrentDB name of a port stream. */
  toServer(stream: string): string;
  /** The port name of a KurrentDB stream, or `undefined` when it is not a port stream of this store. */
  fromServer(serverStream: string): string | undefined;
  /** Why a port stream name cannot be used, or `undefined` when it can. */
  problemWith(stream: string): string | undefined;
  internalStream(kind: InternalStreamKind, id: string): string;
  /** True when the KurrentDB stream belongs to this store's bookkeeping. */
  isInternal(serverStream: string): boolean;
}

/** Why a store prefix cannot be used (it would put the store's streams among KurrentDB's system streams), or `undefined`. */
export function checkStreamPrefix(prefix: string): string | undefined {
  if (typeof prefix !== 'string') return 'streamPrefix must be a string';
  if (prefix.startsWith('$')) return 'streamPrefix must not start with `$`: KurrentDB reserves such streams for the system';
  return undefined;
}

const digest = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** The naming scheme for one store; see `StreamNaming`. */
export function createStreamNaming(prefix: string): StreamNaming {
  const problem = checkStreamPrefix(prefix);
  if (problem !== undefined) throw new RangeError(problem);
  const internalPrefix = `${prefix}${internalMarker}`;
  const isInternal = (serverStream: string): boolean => serverStream.startsWith(internalPrefix);
  return {
    prefix,
    toServer: (stream) => `${prefix}${stream}`,
    fromServer(serverStream) {
      if (!serverStream.startsWith(prefix) || isInternal(serverStream)) return undefined;
      const stream = serverStream.slice(prefix.length);
      return stream.length === 0 || stream.startsWith('$') ? undefined : stream;
    },
    problemWith(stream) {
      if (typeof stream !== 'string' || stream.length === 0) return 'a stream name must be a non-empty string';
      if (stream.startsWith('$')) return `stream ${stream} starts with \`$\`, which KurrentDB reserves for system streams`;
      if (stream.startsWith(internalMarker)) return `stream ${stream} starts with \`${internalMarker}\`, which the KurrentDB adapter reserves for its own streams`;
      return undefined;
    },
    internalStream: (kind, id) => `${internalPrefix}${kind}-${digest(id)}`,
    isInternal,
  };
}
