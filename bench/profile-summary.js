'use strict';
// Top self-time functions of a .cpuprofile, with bundle positions mapped back to the TypeScript
// sources through the bundle's source map. CLI: node bench/profile-summary.js <file.cpuprofile> [top]
const fs = require('node:fs');
const path = require('node:path');

const B64 = Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Decodes one VLQ segment ("AAgBC") into its fields. */
function decodeSegment(segment) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = B64[char];
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

/** generated line (0-based) → "source:line" of its first mapped segment. */
function lineMap(mapFile) {
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
  const lines = [];
  let [source, line] = [0, 0];
  for (const generated of map.mappings.split(';')) {
    let first = null;
    for (const segment of generated.split(',').filter(Boolean)) {
      const fields = decodeSegment(segment);
      if (fields.length < 4) continue;
      source += fields[1];
      line += fields[2];
      first ??= `${map.sources[source].replace(/^webpack:\/\/[^/]*\//, '').replace(/^\.\//, '')}:${line + 1}`;
    }
    lines.push(first);
  }
  return lines;
}

const maps = new Map();
function where(url, lineNumber) {
  const file = url.replace(/^file:\/\//, '');
  if (!file) return '(native)';
  if (file.includes('/node_modules/')) return `${file.slice(file.lastIndexOf('/node_modules/') + 14)}:${lineNumber + 1}`;
  if (!maps.has(file)) maps.set(file, fs.existsSync(`${file}.map`) ? lineMap(`${file}.map`) : null);
  return maps.get(file)?.[lineNumber] ?? `${path.basename(file)}:${lineNumber + 1}`;
}

function summarise(file, top = 15) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const intervals = profile.timeDeltas;
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (intervals[i + 1] ?? 0)));
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const key = name.startsWith('(') ? name : `${name} ${where(callFrame.url, callFrame.lineNumber)}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const idle = functions.get('(idle)') ?? 0;
  const busyUs = totalUs - idle;
  const rows = [...functions].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    file: path.basename(file),
    seconds: totalUs / 1e6,
    busyPercent: (100 * busyUs) / totalUs,
    top: rows.map(([fn, us]) => ({ fn, selfMs: Math.round(us / 1000), percentOfBusy: Math.round((1000 * us) / busyUs) / 10 })),
  };
}

function format(summary) {
  const lines = [`${summary.file}: ${summary.seconds.toFixed(1)} s sampled, busy ${summary.busyPercent.toFixed(0)} % (self time, % of busy)`];
  for (const row of summary.top) lines.push(`  ${String(row.percentOfBusy).padStart(5)} %  ${String(row.selfMs).padStart(7)} ms  ${row.fn}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(format(summarise(file, Number(top) || 15)));
}

module.exports = { summarise, format };
