'use strict';
// API accept rate: a few clients publish back to back for a fixed time, single events through
// POST /v1/events or batches through POST /v1/events/batch. The events match no endpoint, but
// ingest stores them meanwhile, as it would in production.
const { now } = require('../clock.js');
const { BenchSystem } = require('../system.js');
const { eventData } = require('../webhook.js');

async function runAccept({ api, system }, { batchSize, clients, seconds }) {
  await system.quiesce();
  const events = Array.from({ length: batchSize }, (_, i) => ({ type: 'bench.accept', data: eventData(i, 0) }));
  let requests = 0;
  let accepted = 0;
  let failures = 0;
  const cpuBefore = system.cpuSnapshot();
  const started = now();
  const deadline = started + seconds * 1000;
  const client = async () => {
    while (now() < deadline) {
      try {
        if (batchSize === 1) await api.publish(events[0]);
        else await api.publishBatch(events);
        requests++;
        accepted += batchSize;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (now() - started) / 1000;
  system.assertRunning();
  // The API's own CPU per request while it was the bottleneck (ingest runs meanwhile, on its own clock).
  const apiCpuMsPerRequest = (BenchSystem.cpuPerEvent(cpuBefore, system.cpuSnapshot(), 1)['api-gateway']) / requests;
  return { batchSize, clients, requestsPerSecond: requests / elapsed, eventsPerSecond: accepted / elapsed, apiCpuMsPerRequest, failures };
}

module.exports = { runAccept };
