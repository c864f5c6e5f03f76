import { describe, expect, it } from 'vitest';
import { StoreError, WrongExpectedRevisionError } from '@eventcrm/runtime';
import { isConnectionFailure, isTransientConflict, serverLabel, toStoreError } from './errors.ts';

const withCode = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });
const server = serverLabel({ connectionString: 'postgres://app:secret@db.example:6543/crm' });

describe('serverLabel', () => {
  it('names host, port and database, never the password', () => {
    expect(server.text).toBe('PostgreSQL at db.example:6543/crm');
    expect(server.text).not.toContain('secret');
  });

  it('falls back to explicit settings and libpq defaults', () => {
    expect(serverLabel({ host: 'pg', port: 5433, database: 'x' }).text).toBe('PostgreSQL at pg:5433/x');
    expect(serverLabel({}).text).toBe('PostgreSQL at localhost:5432');
    expect(serverLabel({ connectionString: 'host=elsewhere dbname=y', host: 'pg' }).text).toBe('PostgreSQL at pg:5432');
    expect(serverLabel({ connectionString: 'postgres:///crm?host=/var/run/postgresql' }).text).toBe('PostgreSQL at /var/run/postgresql:5432/crm');
  });
});

describe('toStoreError', () => {
  it('passes store errors through unchanged', () => {
    const conflict = new WrongExpectedRevisionError('s', 0, 1);
    expect(toStoreError(conflict, server, 'appending')).toBe(conflict);
  });

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6543'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND db.example'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['53300', 'sorry, too many clients already'],
    ['28P01', 'password authentication failed'],
    ['3D000', 'database "crm" does not exist'],
    ['08006', 'connection failure'],
  ])('maps %s to STORE_UNAVAILABLE naming the server', (code, message) => {
    const error = toStoreError(withCode(code, message), server, 'appending');
    expect(error).toBeInstanceOf(StoreError);
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toContain('db.example:6543');
    expect(error.message).toContain(message);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('recognises connection failures that pg reports without a code', () => {
    expect(isConnectionFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionFailure(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectionFailure(new AggregateError([withCode('ECONNREFUSED')]))).toBe(true);
    expect(isConnectionFailure(withCode('23505'))).toBe(false);
  });

  it('reports a missing schema or table as STORE_CORRUPTED', () => {
    expect(toStoreError(withCode('42P01', 'relation "eventcrm.events" does not exist'), server, 'reading').code).toBe('STORE_CORRUPTED');
    expect(toStoreError(withCode('3F000'), server, 'reading').code).toBe('STORE_CORRUPTED');
  });

  it('reports any other failure as STORE_UNAVAILABLE with its SQLSTATE', () => {
    const error = toStoreError(withCode('XX000', 'internal error'), server, 'reading the log');
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toContain('SQLSTATE XX000');
    expect(error.message).toContain('reading the log');
  });

  it('treats deadlocks and serialisation failures as transient', () => {
    expect(isTransientConflict(withCode('40P01'))).toBe(true);
    expect(isTransientConflict(withCode('40001'))).toBe(true);
    expect(isTransientConflict(withCode('23505'))).toBe(false);
  });
});
