'use strict';
// `node bench/filter-cost.js`: the worst-case CPU cost of one payload-filter match (issue 11 point 3).
// Builds the costliest filters the limits accept and the events that hurt most at the default
// HOOKS_MAX_BODY_BYTES (256 KiB), and prints each filter's step bound, the steps taken and the CPU
// time per match. Reads the TypeScript source directly (no build step). Reports; never asserts.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 }, fileName: filename });
  module._compile(outputText, filename);
};
const { compilePayloadFilter, validatePayloadFilter, PAYLOAD_FILTER_LIMITS: LIMITS } = require(path.join(__dirname, '../libs/domain/src/subscriptions/payload-filter.ts'));

function orOf(branch, max = LIMITS.values) {
  const branches = [];
  while (branches.length < max && JSON.stringify({ $or: [...branches, branch(branches.length)] }).length <= LIMITS.bytes) branches.push(branch(branches.length));
  return { $or: branches };
}
const keys20k = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 0]));
const deepChain = (depth) => (depth === 0 ? 'leaf' : { a: deepChain(depth - 1) });
const path32 = Array.from({ length: LIMITS.pathSegments }, () => 'a').join('.');
const long = 'x'.repeat(15_000);
const quarter = 'x'.repeat(3_900);

const events = {
  '20k keys in data.b (the reported event)': { b: keys20k },
  '20k keys at the top + prototype names': { ...keys20k, __proto__: 1, constructor: 2 },
  '20k-element array + 200 KB string': { b: Array.from({ length: 20_000 }, () => 0), s: 'x'.repeat(200_000) },
  '32-deep path, near-equal list and string': { ...deepChain(LIMITS.pathSegments), b: [...Array(99).fill(0), 1], s: `${long.slice(0, -1)}y` },
};
const filters = {
  'reported shape, scalar $in operands': orOf((i) => ({ b: { $in: Array.from({ length: LIMITS.values }, (_, j) => `v${i}-${j}`) } })),
  '100 conditions on 32-segment paths': { $and: Array.from({ length: LIMITS.conditions }, () => ({ [path32]: { $exists: true } })) },
  'lists of 100 compared whole': orOf(() => ({ b: Array(LIMITS.values).fill(0) })),
  '15,000-character string $eq': orOf(() => ({ s: { $eq: long } }), 1),
  'long strings $gt/$lt/$in/$nin': { $or: [{ s: { $gt: quarter } }, { s: { $lt: quarter } }, { s: { $in: [quarter] } }, { s: { $nin: [quarter] } }] },
  '5,000 filter objects': { $and: Array.from({ length: 52 }, () => ({ $and: Array.from({ length: 99 }, () => ({})) })) },
  'prototype names on 20k-key objects': orOf((i) => ({ [['__proto__', 'constructor', 'toString', 'k19999', 'b.k19999'][i % 5]]: { $neq: i } })),
};

const attack = orOf(() => ({ b: { $in: Array.from({ length: LIMITS.values }, () => ({})) } }));
const refused = validatePayloadFilter(attack);
console.log(`reported attack (${JSON.stringify(attack).length} B, ${attack.$or.length} branches of 100 {} operands): ${refused.valid ? 'ACCEPTED' : `refused (${refused.refusal}) at ${refused.field}`}`);
console.log(`step budget per match: ${LIMITS.steps}`);

const reps = Number(process.argv[2]) || 200;
let worst = { us: 0 };
for (const [filterName, filter] of Object.entries(filters)) {
  const check = validatePayloadFilter(filter);
  if (!check.valid) throw new Error(`${filterName} is refused: ${check.field}: ${check.reason}`);
  const matcher = compilePayloadFilter(filter);
  for (const [eventName, event] of Object.entries(events)) {
    const data = JSON.parse(JSON.stringify(event));
    const { steps } = matcher.measure(data);
    for (let i = 0; i < 20; i++) matcher(data);
    const start = process.cpuUsage();
    for (let i = 0; i < reps; i++) matcher(data);
    const used = process.cpuUsage(start);
    const us = (used.user + used.system) / reps;
    if (us > worst.us) worst = { us, filterName, eventName };
    console.log(`${filterName.padEnd(38)} ${eventName.padEnd(42)} bound ${String(matcher.cost).padStart(6)}  steps ${String(steps).padStart(6)}  cpu ${us.toFixed(1).padStart(7)} µs/match`);
  }
}
console.log(`worst: ${worst.us.toFixed(1)} µs of CPU per match (${worst.filterName} × ${worst.eventName})`);
