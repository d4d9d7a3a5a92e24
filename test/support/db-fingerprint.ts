import type { DataSource } from 'typeorm';

/** Row count and an md5 of the contents of every application table, by table name. */
export type Fingerprint = Record<string, string>;

/**
 * A snapshot of everything stored, in one round trip: a rejected request must leave it as it was.
 * (API keys note when they were last used, at most once a minute: use each key once before the first snapshot.)
 */
export async function fingerprint(dataSource: DataSource): Promise<Fingerprint> {
  const tables: Array<{ name: string }> = await dataSource.query(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'typeorm_metadata') ORDER BY tablename`,
  );
  // names come from the catalogue, quoted as identifiers
  const sql = tables
    .map(
      ({ name }) =>
        `SELECT '${name}' AS t, count(*)::int || ':' || coalesce(md5(string_agg(x::text, '' ORDER BY x::text)), '') AS h FROM "${name}" x`,
    )
    .join(' UNION ALL ');
  const rows: Array<{ t: string; h: string }> = await dataSource.query(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

/** The tables whose contents differ between two snapshots. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}
