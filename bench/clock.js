'use strict';
// Wall-clock milliseconds with sub-millisecond resolution, comparable across the bench's processes
// (the driver stamps `sent_at`, the receiver stamps arrivals; both read the same system clock).
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { now, sleep };
