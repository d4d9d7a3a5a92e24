import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of an `UPDATE … RETURNING` or `DELETE … RETURNING`. TypeORM's `query` answers those two
 * commands with `[rows, rowCount]` instead of the rows, unlike every other statement.
 */
export async function returningRows<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}

/**
 * A hot-path statement outside any transaction, as a named prepared statement straight on the pool:
 * PostgreSQL parses and plans it once per connection, and TypeORM's query wrapper is skipped.
 * Errors are pg's own (with `code`), which the exception filter reads like TypeORM's.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  const result = await pool.query<T & pg.QueryResultRow>({ name, text, values });
  return result.rows;
}
