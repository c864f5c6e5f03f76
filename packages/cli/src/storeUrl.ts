import { resolve } from 'node:path';
import { createInMemoryEventStore, createInMemoryReadModelStore, Crm, isStoreError, type Clock, type EventStore, type ReadModelStore } from '@eventcrm/runtime';
import { CliError, EXIT_USAGE, usageError } from './errors.ts';

/** The default store: the embedded SQLite file in the working directory. */
export const DEFAULT_STORE = 'sqlite:./eventcrm.db';

/** A parsed `--store` URL. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'postgres'; readonly connectionString: string }
  | { readonly kind: 'kurrentdb'; readonly connectionString: string };

const tenantPattern = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * Parses a store URL: `sqlite:PATH`, `memory:`, `postgres://…`
 * (`postgresql://`), `kurrentdb://…` / `esdb://…` (and their `+discover`
 * forms). Anything else is a usage error.
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw usageError('sqlite: needs a file path, e.g. sqlite:./eventcrm.db');
    return { kind: 'sqlite', path };
  }
  if (url === 'memory:' || url === 'memory') return { kind: 'memory' };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', connectionString: url };
  if (/^(kurrentdb|esdb|kdb)(\+discover)?:\/\//.test(url)) return { kind: 'kurrentdb', connectionString: url.replace(/^esdb/, 'kurrentdb').replace(/^kdb/, 'kurrentdb') };
  throw usageError(`unknown store URL ${JSON.stringify(url)}: use sqlite:PATH, memory:, postgres://… or kurrentdb://…`);
}

/** A store location with its tenant applied: the SQLite file, PostgreSQL schema or KurrentDB stream prefix that holds the data. */
export interface TenantLocation {
  readonly location: StoreLocation;
  readonly schema?: string;
  readonly streamPrefix?: string;
}

/**
 * Where a tenant's data lives: its own SQLite file (`x.db` becomes
 * `x.TENANT.db`), PostgreSQL schema or KurrentDB stream prefix. Commands that
 * touch files (the demo replacing an earlier demo) must use this, not the
 * bare `--store` path, or they would touch another tenant's file.
 */
export function withTenant(location: StoreLocation, tenant: string | undefined): TenantLocation {
  if (tenant === undefined) return { location };
  if (!tenantPattern.test(tenant)) throw usageError(`--tenant must be 1-41 characters of a-z 0-9 _ starting with a letter, got ${JSON.stringify(tenant)}`);
  switch (location.kind) {
    case 'sqlite': {
      const path = location.path.replace(/(\.db)?$/, (extension) => `.${tenant}${extension === '' ? '.db' : extension}`);
      return { location: { kind: 'sqlite', path } };
    }
    case 'postgres':
      return { location, schema: `eventcrm_${tenant}` };
    case 'kurrentdb':
      return { location, streamPrefix: `${tenant}-` };
    case 'memory':
      return { location };
  }
}

/** A human description of where the data lives (for messages). */
export function describeLocation(location: StoreLocation): string {
  switch (location.kind) {
    case 'sqlite':
      return `SQLite file ${resolve(location.path)}`;
    case 'memory':
      return 'a process-local memory store';
    case 'postgres':
      return `PostgreSQL ${location.connectionString.replace(/\/\/[^@/]*@/, '//')}`;
    case 'kurrentdb':
      return `KurrentDB ${location.connectionString.replace(/\/\/[^@/]*@/, '//')}`;
  }
}

/**
 * Opens the event store and its read models for a `--store` URL. SQLite and
 * PostgreSQL keep read models beside the events; KurrentDB and memory keep
 * them in this process (rebuilt on demand). An unreachable store is a
 * `CliError` with exit code 2. Adapters are imported only when their URL is
 * used: loading the PostgreSQL and KurrentDB clients costs every invocation
 * a few hundred milliseconds of start-up otherwise.
 */
export async function openCrm(url: string, options: { readonly tenant?: string; readonly clock?: Clock; readonly cwd?: string } = {}): Promise<Crm> {
  const { location, schema, streamPrefix } = withTenant(parseStoreUrl(url), options.tenant);
  let store: EventStore | undefined;
  let readModels: ReadModelStore;
  try {
    switch (location.kind) {
      case 'sqlite': {
        const { createSqliteEventStore, createSqliteReadModelStore } = await import('@eventcrm/store-sqlite');
        const sqlite = createSqliteEventStore({ path: options.cwd === undefined ? location.path : resolve(options.cwd, location.path) });
        store = sqlite;
        readModels = createSqliteReadModelStore({ store: sqlite });
        break;
      }
      case 'memory':
        store = createInMemoryEventStore();
        readModels = createInMemoryReadModelStore();
        break;
      case 'postgres': {
        const { createPostgresEventStore, createPostgresReadModelStore } = await import('@eventcrm/store-postgres');
        const postgres = createPostgresEventStore({ connectionString: location.connectionString, ...(schema === undefined ? {} : { schema }) });
        store = postgres;
        await postgres.migrate();
        readModels = createPostgresReadModelStore({ store: postgres });
        break;
      }
      case 'kurrentdb': {
        const { createKurrentDbEventStore } = await import('@eventcrm/store-kurrentdb');
        store = createKurrentDbEventStore({ connectionString: location.connectionString, ...(streamPrefix === undefined ? {} : { streamPrefix }) });
        await store.headPosition();
        readModels = createInMemoryReadModelStore();
        break;
      }
    }
  } catch (error) {
    // A half-opened store (a pool, a gRPC channel) would keep the process alive after the error is reported.
    await store?.close().catch(() => undefined);
    if (isStoreError(error)) throw new CliError(error.code, `cannot open ${describeLocation(location)}: ${error.message}`, EXIT_USAGE, { cause: error });
    throw error;
  }
  return new Crm({ store, readModels, ...(options.clock === undefined ? {} : { clock: options.clock }) });
}
