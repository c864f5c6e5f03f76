import pg from 'pg';
import { rowTypes } from './cells.ts';
import { catalogTypes } from './layout.ts';
import type { ExistingTable } from './layout.ts';
import type { ColumnInfo, TableInfo } from './scanPlan.ts';
import type { ColumnType } from './types.ts';

/**
 * Columns (name, `format_type`, collation), primary key columns in key
 * order, the primary key's name and secondary index names of tables of one schema, in one query.
 * Reads the catalog only: takes no lock on the tables.
 */
const describeSql = `
  SELECT c.relname AS relation,
    (SELECT coalesce(json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), co.collname) ORDER BY a.attnum), '[]')
       FROM pg_attribute AS a LEFT JOIN pg_collation AS co ON co.oid = a.attcollation
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
    (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]')
       FROM pg_index AS i
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = c.oid AND i.indisprimary) AS key,
    (SELECT coalesce(json_agg(ic.relname), '[]')
       FROM pg_index AS i JOIN pg_class AS ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = c.oid AND NOT i.indisprimary) AS indexes,
    (SELECT ic.relname
       FROM pg_index AS i JOIN pg_class AS ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`;

interface DescribeRow {
  readonly relation: string;
  readonly columns: [string, string, string | null][];
  readonly key: string[];
  readonly indexes: string[];
  readonly primary_key: string | null;
}

/** The existing tables among `relations` in `schema`, by relation name (absent ones are missing from the map). */
export async function describeTables(client: pg.ClientBase | pg.Pool, schema: string, relations: readonly string[]): Promise<Map<string, ExistingTable>> {
  const result = await client.query<DescribeRow>({ text: describeSql, values: [schema, relations], types: rowTypes });
  return new Map(
    result.rows.map((row) => [
      row.relation,
      { relation: row.relation, columns: new Map(row.columns.map(([name, type, collation]) => [name, [type, collation] as const])), key: row.key, indexes: row.indexes, primaryKey: row.primary_key },
    ]),
  );
}

const typesByCatalogName: ReadonlyMap<string, ColumnType> = new Map(Object.entries(catalogTypes).map(([type, name]) => [name, type as ColumnType]));

/** What the reader needs to know of a live table, from its catalog description. */
export function tableInfo(quotedSchema: string, existing: ExistingTable): TableInfo {
  const columns = new Map<string, ColumnInfo>();
  for (const [name, [type, collation]] of existing.columns) {
    columns.set(name, { name, quoted: pg.escapeIdentifier(name), type: typesByCatalogName.get(type), bytewise: collation === 'C' });
  }
  const key = existing.key.flatMap((name) => {
    const column = columns.get(name);
    return column === undefined ? [] : [column];
  });
  return { qualified: `${quotedSchema}.${pg.escapeIdentifier(existing.relation)}`, columns, key };
}
