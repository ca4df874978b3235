import { specDataSource } from '@hookledger/testing';
import { epochMicros, eventDigest } from './event-digest';
import { jsonbText } from './jsonb-text';

const db = specDataSource();

// Values whose jsonb text differs from what JSON.stringify or a naive canonicaliser would write.
const TRICKY: readonly string[] = [
  '{}', '[]', '""', 'null', 'true', '0', '-0', '-0.0', '0.000', '1.50', '-1.50', '1e400', '1E-5', '-2.5e-3', '1.0e2', '1.50e1', '123e-2',
  '12345678901234567890123456789', '0.1000000000000000055511151231257827', '9007199254740993', '-1e0',
  '{"b": 1, "a": 2, "aa": 3, "10": 4, "9": 5, "a1": 6, "B": 7, "_": 8, "": 9}',
  '{"é": 1, "z": 2, "日本": 3, "ab": 4, "😀": 5}',
  '{"a": 1, "a": 2}', '{"a": {"x": 1}, "b": [], "a": [1, {"c": {}}]}',
  '"quote \\" backslash \\\\ slash \\/ controls \\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f del"',
  '"unicode \\u00e9 é \\ud83d\\ude00 😀 \\u2028 \u2028 日本"',
  '{"nested":{"deeper":{"deepest":[1,[2,[3,{"k":"v"}]],{}]}},"list":[true,false,null,1.0,"s"]}',
  '  { "spaced" :  [ 1 , 2 ] ,"x":{ } }  ',
  '[{"b": 1, "a": 1}, {"a": 1, "b": 1}]',
  '{"__proto__": {"polluted": true}, "constructor": 1}',
];

describe('jsonb::text rebuilt in JS', () => {
  it.each(TRICKY.map((json) => [json]))('matches Postgres for %s', async (json) => {
    const [{ text }]: { text: string }[] = await db.current.query(`SELECT $1::jsonb::text AS text`, [json]);

    expect(jsonbText(json)).toBe(text);
    expect(jsonbText(text)).toBe(text);
  });
});

describe("the store's own hashes", () => {
  it('come out identical from the exported fields, chain included', async () => {
    const data = TRICKY.map((json) => `{"value": ${json}}`);
    await db.current.query(
      `SELECT * FROM hl_append_events($1, $2, $3, $4, $5, $6, $7::jsonb[], $8::jsonb[])`,
      [['endpoint-tricky'], ['endpoint'], [null], data.map(() => 'endpoint-tricky'), data.map(() => 'EndpointUpdated'), data.map(() => 2), data,
        data.map((_, i) => `{"actor": "api-key:key_${i}", "tenant_id": "t", "n": ${i}.10}`)],
    );
    const rows: { stream_id: string; stream_version: number; type: string; schema_version: number; recorded_at: string; data: string; metadata: string; hash: Buffer }[] =
      await db.current.query(
        `SELECT stream_id, stream_version, type, schema_version, data::text, metadata::text, hash,
                to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at
           FROM events WHERE stream_id = 'endpoint-tricky' ORDER BY stream_version`,
      );

    let prev: Buffer | null = null;
    for (const row of rows) {
      const digest = eventDigest(prev, {
        stream_id: row.stream_id, version: row.stream_version, type: row.type, schema_version: row.schema_version,
        recorded_at_us: epochMicros(row.recorded_at), data: jsonbText(row.data), metadata: jsonbText(row.metadata),
      });
      expect(digest.toString('hex')).toBe(row.hash.toString('hex'));
      prev = row.hash;
    }
    expect(rows).toHaveLength(TRICKY.length);
  });

  it('reads the time as the database hashes it, to the microsecond', async () => {
    const [row]: { iso: string; micros: string }[] = await db.current.query(
      `SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS iso, (extract(epoch FROM t) * 1000000)::bigint::text AS micros
         FROM (SELECT '2026-11-30 12:34:56.000007+05'::timestamptz AS t) AS x`,
    );
    expect(epochMicros(row.iso)).toBe(BigInt(row.micros));
  });
});
