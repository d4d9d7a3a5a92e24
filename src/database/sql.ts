import type pg from 'pg';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

import { likePattern, type Page } from '../common/pagination.js';

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

/** A list query over one organization's rows of an entity, as `alias`. */
export function organizationRows<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  alias: string,
  organizationId: string,
): SelectQueryBuilder<T> {
  return dataSource
    .getRepository(entity)
    .createQueryBuilder(alias)
    .where(`${alias}.organization_id = :organizationId`, { organizationId });
}

/** One page of a list query's rows in a stable order (by `column`, then the row's id), and how many match in all. */
export async function pageOf<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  direction: 'ASC' | 'DESC',
  page: { limit: number; offset: number },
): Promise<Page<T>> {
  const [items, total] = await qb
    .orderBy(column, direction)
    .addOrderBy(`${qb.alias}.id`, 'ASC')
    .take(page.limit)
    .skip(page.offset)
    .getManyAndCount();
  return { items, total };
}

/**
 * pageOf in one round trip, for a list whose joins never repeat a row (each to one row, selecting nothing): the
 * total rides on each row as `count(*) OVER ()`, where TypeORM's take/skip would pick the page's distinct ids,
 * then read them, then count. A page past the end has no row to carry it, and counts apart.
 */
export async function pageInOneQuery<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  direction: 'ASC' | 'DESC',
  page: { limit: number; offset: number },
): Promise<Page<T>> {
  const { entities, raw } = await qb
    .clone()
    .addSelect('count(*) OVER ()', 'page_total')
    .orderBy(column, direction)
    .addOrderBy(`${qb.alias}.id`, 'ASC')
    .limit(page.limit)
    .offset(page.offset)
    .getRawAndEntities<{ page_total: string }>();
  if (raw.length) return { items: entities, total: Number(raw[0].page_total) };
  return { items: [], total: page.offset === 0 ? 0 : await qb.getCount() };
}

/** A list's search: rows where any of the columns contains the text, ignoring case (wildcards taken literally). */
export function whereContains<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  columns: string[],
  text: string | undefined,
): void {
  if (!text) return;
  qb.andWhere(`(${columns.map((c) => `${c} ILIKE :q ESCAPE '\\'`).join(' OR ')})`, { q: likePattern(text) });
}
