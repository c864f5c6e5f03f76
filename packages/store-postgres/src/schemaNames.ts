import { createHash } from 'node:crypto';
import pg from 'pg';

/** The schema the store uses when the caller names none. */
export const defaultSchema = 'eventcrm';

/**
 * Fully quoted names of everything the store keeps in its schema, computed
 * once per store so that no SQL text is ever built from unquoted input.
 */
export interface SchemaNames {
  readonly schema: string;
  readonly quotedSchema: string;
  readonly events: string;
  readonly commands: string;
  readonly reservations: string;
  readonly encryptionKeys: string;
  readonly migrations: string;
  /** The position sequence as a SQL string literal naming it (for `nextval`/`setval`). */
  readonly positionSequenceLiteral: string;
  /** `LISTEN`/`NOTIFY` channel, short enough for PostgreSQL's 63-byte names. */
  readonly channel: string;
  /** Advisory lock key (bigint as decimal) serialising position assignment. */
  readonly positionLockKey: string;
  /** Advisory lock key (bigint as decimal) serialising migrations. */
  readonly migrationLockKey: string;
}

/**
 * A signed 64-bit advisory lock key derived from the schema name and a
 * purpose, so that stores in different schemas of one database never wait on
 * each other's locks.
 */
export function advisoryLockKey(schema: string, purpose: string): string {
  return createHash('sha256').update(`eventcrm:${schema}:${purpose}`).digest().readBigInt64BE(0).toString(10);
}

/** Derives every quoted name from a schema name (any string PostgreSQL accepts as an identifier). */
export function schemaNames(schema: string): SchemaNames {
  if (schema.length === 0 || schema.includes('\u0000') || Buffer.byteLength(schema) > 63) {
    throw new TypeError(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: 1 to 63 bytes, no NUL`);
  }
  const quotedSchema = pg.escapeIdentifier(schema);
  const table = (name: string): string => `${quotedSchema}.${pg.escapeIdentifier(name)}`;
  return {
    schema,
    quotedSchema,
    events: table('events'),
    commands: table('commands'),
    reservations: table('reservations'),
    encryptionKeys: table('encryption_keys'),
    migrations: table('schema_migrations'),
    positionSequenceLiteral: pg.escapeLiteral(table('event_positions')),
    channel: `eventcrm_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`,
    positionLockKey: advisoryLockKey(schema, 'position'),
    migrationLockKey: advisoryLockKey(schema, 'migrate'),
  };
}
