'use strict';
// What Postgres did for a run, from its statistics views on the bench database: commits, rows
// written, and calls of the event store's append functions (tracked with track_functions = all —
// hl_append_heads is an SQL function — which the bench turns on for its own database only): the
// app's append is hl_append_heads + hl_append_chained, other writers call hl_append_events.

async function trackAppends(db, database) {
  await db.query(`ALTER DATABASE "${database.replace(/"/g, '""')}" SET track_functions = 'all'`);
}

/** Counters so far; backends flush their statistics at most once a second, so read after a pause. */
async function pgCounters(db) {
  await db.query('SELECT pg_stat_clear_snapshot()');
  const { rows: [database] } = await db.query(
    `SELECT xact_commit::float8 AS commits, tup_inserted::float8 AS inserted, tup_updated::float8 AS updated
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const { rows: [append] } = await db.query(
    `SELECT coalesce(sum(calls) FILTER (WHERE funcname <> 'hl_append_heads'), 0)::float8 AS calls, coalesce(sum(total_time), 0)::float8 AS ms
       FROM pg_stat_user_functions WHERE funcname IN ('hl_append_events', 'hl_append_heads', 'hl_append_chained')`,
  );
  const { rows: [events] } = await db.query('SELECT coalesce(max(global_position), 0)::float8 AS appended FROM events');
  return { ...database, appendCalls: append.calls, appendMs: append.ms, appended: events.appended };
}

/** Per delivered event: commits, rows inserted and updated, store events appended, append calls and their time. */
function perEvent(before, after, n) {
  const d = (key) => (after[key] - before[key]) / n;
  const calls = after.appendCalls - before.appendCalls;
  return {
    commits: d('commits'),
    rowsInserted: d('inserted'),
    rowsUpdated: d('updated'),
    storeEvents: d('appended'),
    eventsPerAppend: calls > 0 ? (after.appended - before.appended) / calls : null,
    appendMs: d('appendMs'),
  };
}

module.exports = { trackAppends, pgCounters, perEvent };
