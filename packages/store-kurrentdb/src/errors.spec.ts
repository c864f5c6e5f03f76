import * as esdb from '@eventstore/db-client';
import * as kurrent from '@kurrent/kurrentdb-client';
import { StoreError } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import { RejectedAppend, classifyClientError, toStoreError } from './errors.ts';

/** The gRPC ServiceError the v2 error classes wrap; only its message is read. */
type ServiceError = ConstructorParameters<typeof kurrent.AppendConsistencyViolationError>[0];

// The clients' own error classes, constructed the way the clients construct them.
describe('classifying client errors', () => {
  it('reads a KurrentDB WrongExpectedVersionError as a conflict with the actual state', () => {
    const error = new kurrent.WrongExpectedVersionError(undefined, { streamName: 't/customer-1', expected: 2n, current: 5n });
    expect(classifyClientError(error)).toEqual({ kind: 'conflict', conflicts: [{ serverStream: 't/customer-1', actual: 5n }] });
    const missing = new kurrent.WrongExpectedVersionError(undefined, { streamName: 't/x', expected: 'stream_exists', current: 'no_stream' });
    expect(classifyClientError(missing)).toEqual({ kind: 'conflict', conflicts: [{ serverStream: 't/x', actual: 'no_stream' }] });
  });

  it('reads an EventStoreDB 6.x WrongExpectedVersionError (actualVersion) the same way', () => {
    const error = new esdb.WrongExpectedVersionError(undefined, { streamName: 'customer-1', expected: 'no_stream', current: 0n });
    expect(classifyClientError(error)).toEqual({ kind: 'conflict', conflicts: [{ serverStream: 'customer-1', actual: 0n }] });
  });

  it('reads an appendRecords consistency violation as a conflict on every violated stream', () => {
    const error = new kurrent.AppendConsistencyViolationError({ message: 'violated' } as ServiceError, {
      violationsList: [
        { checkIndex: 0, streamState: { stream: 't/a', expectedState: '-1', actualState: '3' } },
        { checkIndex: 2, streamState: { stream: 't/b', expectedState: '4', actualState: '-1' } },
      ],
    });
    expect(classifyClientError(error)).toEqual({
      kind: 'conflict',
      conflicts: [
        { serverStream: 't/a', actual: 3n },
        { serverStream: 't/b', actual: 'no_stream' },
      ],
    });
  });

  it('reads the adapter’s own RejectedAppend (clients with throwOnAppendFailure: false) as a conflict', () => {
    expect(classifyClientError(new RejectedAppend('s', 7n))).toEqual({ kind: 'conflict', conflicts: [{ serverStream: 's', actual: 7n }] });
  });

  it('tells a missing stream from a deleted one', () => {
    expect(classifyClientError(new kurrent.StreamNotFoundError(undefined, 's'))).toEqual({ kind: 'not_found' });
    expect(classifyClientError(new esdb.StreamNotFoundError(undefined, 's'))).toEqual({ kind: 'not_found' });
    expect(classifyClientError(kurrent.StreamDeletedError.fromStreamName('s'))).toEqual({ kind: 'deleted', serverStream: 's' });
    expect(classifyClientError(esdb.StreamDeletedError.fromStreamName('s'))).toEqual({ kind: 'deleted', serverStream: 's' });
    expect(classifyClientError(new kurrent.StreamTombstonedError({ message: 'gone' } as ServiceError, { stream: 's' }))).toEqual({ kind: 'deleted', serverStream: 's' });
  });

  it('recognises an unreachable server in every form the clients report it', () => {
    expect(classifyClientError(new kurrent.UnavailableError())).toEqual({ kind: 'unavailable' });
    expect(classifyClientError(new esdb.UnavailableError())).toEqual({ kind: 'unavailable' });
    expect(classifyClientError(new kurrent.DeadlineExceededError())).toEqual({ kind: 'unavailable' });
    // An append to a refused port arrives as a raw gRPC ServiceError (code 14 UNAVAILABLE), not converted by the client.
    expect(classifyClientError(Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED'), { code: 14 }))).toEqual({ kind: 'unavailable' });
    expect(classifyClientError(new Error('Failed to discover after 10 attempts.'))).toEqual({ kind: 'unavailable' });
    expect(classifyClientError(Object.assign(new Error('denied'), { code: 16 }))).toEqual({ kind: 'access_denied' });
    expect(classifyClientError(new kurrent.AccessDeniedError())).toEqual({ kind: 'access_denied' });
  });

  it('recognises a server too old for an operation', () => {
    expect(classifyClientError(new kurrent.UnsupportedError('multiStreamAppend', '25.1'))).toEqual({ kind: 'unsupported', feature: 'multiStreamAppend', minimumVersion: '25.1' });
  });

  it('leaves anything else unknown', () => {
    expect(classifyClientError(new Error('boom'))).toEqual({ kind: 'unknown' });
    expect(classifyClientError('boom')).toEqual({ kind: 'unknown' });
    expect(classifyClientError(null)).toEqual({ kind: 'unknown' });
  });
});

describe('mapping client errors to store errors', () => {
  it('maps an unreachable server to STORE_UNAVAILABLE, keeping the cause', () => {
    const cause = new kurrent.UnavailableError();
    const error = toStoreError(cause, 'reading a stream');
    expect(error).toBeInstanceOf(StoreError);
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.cause).toBe(cause);
    expect(toStoreError(Object.assign(new Error('x'), { code: 14 }), 'appending').code).toBe('STORE_UNAVAILABLE');
    expect(toStoreError(new kurrent.AccessDeniedError(), 'appending').message).toMatch(/credentials/);
  });

  it('maps operations the server lacks and size limits to INVALID_APPEND (nothing was written)', () => {
    expect(toStoreError(new kurrent.UnsupportedError('appendRecords', '26.1'), 'appending').code).toBe('INVALID_APPEND');
    expect(toStoreError(kurrent.MaxAppendSizeExceededError.fromMaxAppendSize(1024), 'appending').code).toBe('INVALID_APPEND');
  });

  it('passes store errors through and types everything else', () => {
    const own = new StoreError('STORE_CORRUPTED', 'x');
    expect(toStoreError(own, 'x')).toBe(own);
    expect(toStoreError(new Error('boom'), 'x').code).toBe('STORE_UNAVAILABLE');
    expect(toStoreError(kurrent.StreamDeletedError.fromStreamName('s'), 'x').code).toBe('STORE_CORRUPTED');
  });
});
