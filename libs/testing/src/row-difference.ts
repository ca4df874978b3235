import type { DataSource } from 'typeorm';

/**
 * The rows of `a` missing from `b` and of `b` missing from `a` (EXCEPT both ways), each with
 * `only_in` naming the side it is on: empty when the two tables hold the same rows. How the
 * rebuild specs show that a projection rebuilt from the store equals the live one row for row.
 * `columns` picks what is compared (json columns need `col::text`: json has no equality).
 */
export function rowDifference(db: Pick<DataSource, 'query'>, a: string, b: string, columns = '*'): Promise<unknown[]> {
  return db.query(`(SELECT ${columns}, '${a}' AS only_in FROM ${a} EXCEPT SELECT ${columns}, '${a}' FROM ${b})
         UNION ALL (SELECT ${columns}, '${b}' FROM ${b} EXCEPT SELECT ${columns}, '${b}' FROM ${a})`);
}
