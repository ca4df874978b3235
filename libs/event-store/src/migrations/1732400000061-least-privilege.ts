import type { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND = 'hl_append_events(text[], text[], integer[], text[], text[], smallint[], jsonb[], jsonb[])';
const LOCK = 'hl_lock_streams(text[])';

/**
 * The apps connect as a role that may read the store but never write `events` or `streams`
 * directly (docs/database-roles.md): the store is written only through these two functions, which
 * run as their owner (SECURITY DEFINER). A direct INSERT would let the apps put an event beside the
 * chain or ahead of its stream's version; a direct UPDATE of `streams` would move a stream's head.
 *
 * - `hl_append_events` keeps its body; it now runs as the owner, so the app role needs no write
 *   privilege on `events` or `streams` at all.
 * - `hl_lock_streams` takes the row locks the circuit breaker holds while it reads and decides
 *   (SELECT … FOR UPDATE needs UPDATE privilege, which the app role must not have). The lock is
 *   the transaction's, so it outlives the call.
 *
 * Both pin their search_path (pg_catalog first, then the store's schema, pg_temp last): a definer
 * function that resolved names through the caller's path would run the caller's look-alike
 * `streams` table or `sha256` function with the owner's rights. EXECUTE is revoked from PUBLIC and
 * granted to the app role by the grants every migration run ends with (app-role.ts).
 */
export class LeastPrivilege1732400000061 implements MigrationInterface {
  name = 'LeastPrivilege1732400000061';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION hl_lock_streams(p_stream_ids text[])
      RETURNS TABLE (stream_id text, version integer) LANGUAGE sql AS $$
        SELECT s.stream_id, s.version FROM streams s WHERE s.stream_id = ANY (p_stream_ids) ORDER BY s.stream_id FOR UPDATE
      $$`);
    await db.query(`
      DO $$ BEGIN
        EXECUTE format('ALTER FUNCTION ${APPEND} SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', current_schema());
        EXECUTE format('ALTER FUNCTION ${LOCK} SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', current_schema());
      END $$`);
    await db.query(`REVOKE EXECUTE ON FUNCTION ${APPEND}, ${LOCK} FROM PUBLIC`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS ${LOCK}`);
    await db.query(`ALTER FUNCTION ${APPEND} SECURITY INVOKER RESET search_path`);
    await db.query(`GRANT EXECUTE ON FUNCTION ${APPEND} TO PUBLIC`);
  }
}
