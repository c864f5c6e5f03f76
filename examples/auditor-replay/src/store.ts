import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Crm } from '@eventcrm/runtime';
import { createPostgresEventStore, createPostgresReadModelStore } from '@eventcrm/store-postgres';
import { createSqliteEventStore, createSqliteReadModelStore } from '@eventcrm/store-sqlite';

/**
 * A store named the way the `eventcrm` CLI names it, so that this program
 * and `eventcrm --store URL [--tenant ID]` look at the same data:
 * `sqlite:PATH` (a tenant's file is `PATH` with `.ID` before `.db`) or
 * `postgres://…` (schema `eventcrm`, a tenant's is `eventcrm_ID`), as
 * docs/stores.md describes.
 */
export interface StoreSelection {
  readonly url: string;
  readonly tenant?: string;
}

/** A store selection this program cannot use (exit code 2, like the CLI's usage errors). */
export class StoreSelectionError extends Error {
  readonly code = 'USAGE';
  override readonly name = 'StoreSelectionError';
}

const tenantPattern = /^[a-z][a-z0-9_]{0,40}$/;

/** The global options that point the CLI at the same store. */
export const cliStoreArgs = (selection: StoreSelection): string[] => ['--store', selection.url, ...(selection.tenant === undefined ? [] : ['--tenant', selection.tenant])];

/**
 * Opens the event store and the read models kept beside it. A SQLite path
 * that does not exist is refused rather than created: an auditor who
 * mistypes a path must get an error, not an empty store that "verifies".
 */
export function openStore(selection: StoreSelection, cwd: string = process.cwd()): Crm {
  const { url, tenant } = selection;
  if (tenant !== undefined && !tenantPattern.test(tenant)) throw new StoreSelectionError(`--tenant must be 1-41 characters of a-z 0-9 _ starting with a letter, got ${JSON.stringify(tenant)}`);
  if (url.startsWith('sqlite:')) {
    const given = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (given === '') throw new StoreSelectionError('sqlite: needs a file path, e.g. sqlite:./eventcrm.db');
    const path = resolve(cwd, tenant === undefined ? given : given.replace(/(\.db)?$/, (extension) => `.${tenant}${extension === '' ? '.db' : extension}`));
    if (!existsSync(path)) throw new StoreSelectionError(`no SQLite file at ${path}`);
    const store = createSqliteEventStore({ path });
    return new Crm({ store, readModels: createSqliteReadModelStore({ store }) });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const store = createPostgresEventStore({ connectionString: url, schema: tenant === undefined ? 'eventcrm' : `eventcrm_${tenant}` });
    return new Crm({ store, readModels: createPostgresReadModelStore({ store }) });
  }
  throw new StoreSelectionError(`unknown store URL ${JSON.stringify(url)}: use sqlite:PATH or postgres://…`);
}
