import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_TENANT, LEDGER_STREAM_ID, LEDGER_STREAM_TYPE, ledgerPayloadsSealed, messagePayloadContext, RechainedStreams } from '@hookledger/domain';
import type { RebuildsProjections } from '../migrate';
import { legacySealing, LegacyPlaintext } from './legacy-payload-sealing';

const PAGE = 5_000;

/** The one context a response body is sealed for (cl-history's `attemptBodyContext`). */
const attemptContext = (attemptId: string) => `attempt:${attemptId}`;

interface LegacyRow {
  global_position: string;
  stream_id: string;
  type: 'MessageReceived' | 'MessagePayloadPreserved' | 'DeliveryAttempted';
  schema_version: number;
  data: Record<string, unknown>;
  recorded_at: Date;
  /** DeliveryAttempted only: the tenant its DeliveryScheduled names. */
  delivery_tenant: string | null;
}

// Every event that still holds a payload or response body in plain text: MessageReceived before
// version 3, MessagePayloadPreserved with its `payload`, DeliveryAttempted with a `response_body`.
const LEGACY = `
  SELECT e.global_position::text, e.stream_id, e.type, e.schema_version, e.data, e.recorded_at,
         CASE WHEN e.type = 'DeliveryAttempted'
              THEN coalesce((SELECT s.data->>'tenant_id' FROM events s WHERE s.stream_id = e.stream_id AND s.stream_version = 1), '${DEFAULT_TENANT}') END AS delivery_tenant
    FROM events e
   WHERE e.global_position > $1
     AND ((e.type = 'MessageReceived' AND e.schema_version < 3)
       OR (e.type = 'MessagePayloadPreserved' AND e.data ? 'payload')
       OR (e.type = 'DeliveryAttempted' AND jsonb_typeof(e.data->'response_body') = 'string'))
   ORDER BY e.global_position
   LIMIT ${PAGE}`;

// Each stream's chain recomputed from its first event, and its head with it: the same digest
// hl_append_events writes, over the events as they now are.
const RECHAIN = `
  DO $$
  DECLARE s text; r record; v_prev bytea;
  BEGIN
    FOR s IN SELECT stream_id FROM hl_rechained ORDER BY stream_id LOOP
      v_prev := NULL;
      FOR r IN SELECT global_position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at
                 FROM events WHERE stream_id = s ORDER BY stream_version LOOP
        v_prev := hl_event_digest(v_prev, r.stream_id, r.stream_version, r.type, r.schema_version, r.data, r.metadata, r.recorded_at);
        UPDATE events SET hash = v_prev WHERE global_position = r.global_position;
      END LOOP;
      UPDATE streams SET last_hash = v_prev WHERE stream_id = s;
    END LOOP;
  END $$`;

/**
 * Seals, in place, every payload and response body that events appended before sealing existed
 * hold in plain text (MessageReceived v1/v2 become v3; MessagePayloadPreserved and DeliveryAttempted
 * keep their version with `sealed_payload` / `sealed_response_body` in place of the text), each
 * with its tenant's data key of the retention day it was recorded on, so retention and erasure
 * cover them like any other. A plaintext payload in an append-only ledger could never be erased:
 * this is the one time the store is edited. In this migration's one transaction, with the
 * append-only trigger disabled, it recomputes the affected streams' hashes (hl_event_digest) and
 * heads, appends LedgerPayloadsSealed on `ledger` saying what and why, and has the runner rebuild
 * `messages` and `deliveries` (attempts) from the sealed events, so no projection keeps the text.
 *
 * Signed checkpoints cover event hashes: re-chaining after one was signed would make it fail for
 * every verifier. So, when `ledger_checkpoints` has rows, it refuses unless
 * HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS=true (docs/payload-encryption.md). It needs
 * HOOKS_ENCRYPTION_KEY (the migration CLI gives it a sealer when the key is configured); a store
 * with no plaintext left needs neither, and the migration does nothing.
 */
export class SealLegacyPayloads1732400000069 implements MigrationInterface, RebuildsProjections {
  name = 'SealLegacyPayloads1732400000069';
  rebuilds: string[] = [];

  async up(db: QueryRunner): Promise<void> {
    const [first]: LegacyRow[] = await db.query(LEGACY.replace(`LIMIT ${PAGE}`, 'LIMIT 1'), ['0']);
    if (!first) return;
    const { sealer, allowAfterCheckpoints } = legacySealing();
    const [{ checkpoints }]: { checkpoints: number }[] = await db.query(`SELECT count(*)::int AS checkpoints FROM ledger_checkpoints`);
    if (checkpoints > 0 && !allowAfterCheckpoints) {
      throw new Error(`the store holds plaintext payloads from before sealing, and ${checkpoints} signed checkpoint(s) already cover them: sealing them re-chains their streams, which those checkpoints would no longer verify. Set HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS=true to seal anyway (see docs/payload-encryption.md)`);
    }
    if (!sealer) throw new Error('the store holds plaintext payloads from before sealing: run the migration with HOOKS_ENCRYPTION_KEY (and HOOKS_LEDGER_SIGNING_KEY in production) set, so they can be sealed with the tenants\' data keys');

    await db.query(`ALTER TABLE events DISABLE TRIGGER events_append_only`);
    await db.query(`CREATE TEMP TABLE hl_rechained (stream_id text PRIMARY KEY, reason text NOT NULL) ON COMMIT DROP`);
    const counts = { message_payloads: 0, preserved_payloads: 0, response_bodies: 0 };
    for (let after = '0'; ;) {
      const rows: LegacyRow[] = await db.query(LEGACY, [after]);
      if (rows.length === 0) break;
      const sealed = await sealer.seal(rows.map(plaintextOf));
      const rewritten = rows.map((row, n) => rewrite(row, sealed[n]));
      await db.query(
        `UPDATE events e SET data = v.data, schema_version = v.schema_version
           FROM unnest($1::bigint[], $2::jsonb[], $3::smallint[]) AS v(position, data, schema_version) WHERE e.global_position = v.position`,
        [rows.map((row) => row.global_position), rewritten.map((event) => JSON.stringify(event.data)), rewritten.map((event) => event.schema_version)]);
      await db.query(
        `INSERT INTO hl_rechained (stream_id, reason) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (stream_id) DO NOTHING`,
        [rows.map((row) => row.stream_id), rows.map((row) => (row.type === 'DeliveryAttempted' ? 'response bodies sealed' : 'message payloads sealed'))]);
      for (const row of rows) {
        if (row.type === 'MessageReceived') counts.message_payloads++;
        else if (row.type === 'MessagePayloadPreserved') counts.preserved_payloads++;
        else counts.response_bodies++;
      }
      after = rows[rows.length - 1].global_position;
    }
    await db.query(RECHAIN);
    await db.query(`ALTER TABLE events ENABLE TRIGGER events_append_only`);

    const rechained = await this.rechainedGroups(db);
    const event = ledgerPayloadsSealed({ ...counts, rechained, checkpoints_invalidated: checkpoints });
    const [{ version }]: { version: number }[] = await db.query(`SELECT coalesce((SELECT version FROM streams WHERE stream_id = $1), 0) AS version`, [LEDGER_STREAM_ID]);
    await db.query(
      `SELECT count(*) FROM hl_append_events($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::smallint[], $7::jsonb[], $8::jsonb[])`,
      [[LEDGER_STREAM_ID], [LEDGER_STREAM_TYPE], [version], [LEDGER_STREAM_ID], [event.type], [event.schema_version], [JSON.stringify(event.data)],
        [JSON.stringify({ actor: 'system:migration', migration: this.name })]]);
    // Today's projectors write the sealed values: no projection keeps the text.
    this.rebuilds = ['messages', 'deliveries'];
  }

  async down(): Promise<void> {
    // Sealing cannot be undone without the plaintext, which is gone: by design.
  }

  private async rechainedGroups(db: QueryRunner): Promise<RechainedStreams[]> {
    const groups: { reason: string; ids: string[] }[] = await db.query(
      `SELECT reason, array_agg(stream_id ORDER BY stream_id COLLATE "C") AS ids FROM hl_rechained GROUP BY reason ORDER BY reason`);
    return groups.map(({ reason, ids }) => ({
      reason,
      streams: ids.length,
      streams_digest: createHash('sha256').update(ids.join('\n')).digest('hex'),
      stream_ids: ids.length <= 1000 ? ids : null,
    }));
  }
}

function plaintextOf(row: LegacyRow): LegacyPlaintext {
  const at = row.recorded_at;
  const data = row.data;
  switch (row.type) {
    case 'MessageReceived': {
      const tenantId = (data.tenant_id as string | null) ?? DEFAULT_TENANT;
      // What the messages projection made of it: version 2's text, version 1's value re-serialised (upcastMessageReceived).
      const plaintext = row.schema_version === 1 ? JSON.stringify(data.data) : (data.payload as string);
      return { tenantId, plaintext, context: messagePayloadContext(tenantId, data.id as string), at };
    }
    case 'MessagePayloadPreserved':
      return { tenantId: data.tenant_id as string, plaintext: data.payload as string, context: messagePayloadContext(data.tenant_id as string, data.id as string), at };
    case 'DeliveryAttempted':
      return { tenantId: row.delivery_tenant ?? DEFAULT_TENANT, plaintext: data.response_body as string, context: attemptContext(data.attempt_id as string), at };
  }
}

function rewrite(row: LegacyRow, sealed: string): { schema_version: number; data: Record<string, unknown> } {
  const { payload: _payload, data: _value, response_body: _body, ...rest } = row.data;
  switch (row.type) {
    case 'MessageReceived':
      return {
        schema_version: 3,
        data: { id: rest.id, type: rest.type, timestamp: rest.timestamp, sealed_payload: sealed, tenant_id: rest.tenant_id ?? DEFAULT_TENANT, channels: rest.channels ?? null },
      };
    case 'MessagePayloadPreserved':
      return { schema_version: row.schema_version, data: { ...rest, sealed_payload: sealed } };
    case 'DeliveryAttempted':
      return { schema_version: row.schema_version, data: { ...rest, sealed_response_body: sealed } };
  }
}
