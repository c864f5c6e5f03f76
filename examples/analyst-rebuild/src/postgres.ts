import { Crm } from '@eventcrm/runtime';
import { createPostgresEventStore, createPostgresReadModelStore } from '@eventcrm/store-postgres';
import pg from 'pg';

/**
 * Where the analysis runs: a PostgreSQL server and a tenant. The CLI gives
 * each tenant its own schema `eventcrm_<tenant>` (docs/stores.md), with the
 * events and the read-model tables side by side, so the demo written by
 * `eventcrm --tenant T demo`, the library and plain SQL all meet there.
 */
export interface Target {
  /** A `postgres://` connection string. */
  readonly url: string;
  readonly tenant: string;
}

const tenantPattern = /^[a-z][a-z0-9_]{0,40}$/;

/** The schema of a tenant, as the CLI names it. */
export function schemaOf(tenant: string): string {
  if (!tenantPattern.test(tenant)) throw new RangeError(`a tenant is 1-41 characters of a-z 0-9 _ starting with a letter, got ${JSON.stringify(tenant)}`);
  return `eventcrm_${tenant}`;
}

/**
 * The library side: a `Crm` over the tenant's schema, its read models in the
 * same schema. `projectionBatchSize` is the runner's batch (events read and
 * applied at a time; progress is reported after each).
 */
export function openCrm(target: Target, options: { readonly projectionBatchSize?: number } = {}): Crm {
  const store = createPostgresEventStore({ connectionString: target.url, schema: schemaOf(target.tenant) });
  return new Crm({ store, readModels: createPostgresReadModelStore({ store }), ...(options.projectionBatchSize === undefined ? {} : { projectionBatchSize: options.projectionBatchSize }) });
}

/**
 * The analyst's side: a plain `pg` client with the tenant's schema first on
 * the search path, so the SQL names tables as the analysts' guide does
 * (`FROM funnel_opportunities`), as in psql after `SET search_path`.
 */
export async function connectSql(target: Target): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: target.url, application_name: 'eventcrm-analyst-example' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`SET search_path TO ${pg.escapeIdentifier(schemaOf(target.tenant))}`);
  } catch (error) {
    await client.end();
    throw error;
  }
  return client;
}
