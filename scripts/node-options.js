'use strict';
// The V8 heap limit each app runs with, wherever it is started (npm start, the bench, the tests,
// the Docker image). Without one, V8 sizes the heap from the machine's memory and lets it grow
// lazily to hundreds of MB on a large host; with 160 MB the apps stay near 130–180 MB of RSS at
// full load and throughput does not change (see BENCHMARKS.md). Payloads waiting to be handled
// are raw bytes outside this heap, and every batch parsed at once is bounded (MAX_BATCH_BYTES).
const APP_HEAP_MB = 160;

/** NODE_OPTIONS for an app: the caller's own, plus the heap limit unless it sets one. */
function appNodeOptions(existing = process.env.NODE_OPTIONS || '') {
  return /--max-old-space-size/.test(existing) ? existing : `${existing} --max-old-space-size=${APP_HEAP_MB}`.trim();
}

module.exports = { APP_HEAP_MB, appNodeOptions };
