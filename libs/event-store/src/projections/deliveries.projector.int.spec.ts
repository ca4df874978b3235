import {
  DeliveryEvent, deliveryDeferred, deliveryFailed, deliveryRequeued, deliveryScheduled, deliveryStreamId, fannedOutMessageReceived, messageStreamId,
} from '@hookledger/domain';
import { deliveriesProjector } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second));
const spec = () => projectorSpec(deliveriesProjector, database.current);
const on = (id: string, event: DeliveryEvent, second: number): GivenEvent => ({ streamId: deliveryStreamId(id), event, recordedAt: at(second) });
const scheduled = (id: string) => deliveryScheduled({ delivery_id: id, message_id: `msg_${id}`, endpoint_id: 'ep_1', event_type: 'order.created', tenant_id: 'acme' });
const attempted = (n: number, status_code: number | null, error: string | null = null): DeliveryEvent => ({
  type: 'DeliveryAttempted', schema_version: 1,
  data: {
    attempt_id: `att_${n}`, attempt: n, trigger: 'scheduled', url: 'https://example.com/hooks', started_at: at(10 + n).toISOString(), duration_ms: 12,
    status_code, outcome: status_code === 200 ? 'http_2xx' : status_code ? 'http_5xx' : 'timeout', error, response_body: status_code ? 'ok' : null,
  },
});
const retry = (n: number, second: number): DeliveryEvent => ({ type: 'DeliveryRetryScheduled', schema_version: 1, data: { attempt: n, next_attempt_at: at(second).toISOString(), reason: 'http_5xx' } });
const succeeded = (n: number): DeliveryEvent => ({ type: 'DeliverySucceeded', schema_version: 1, data: { attempt: n, status_code: 200 } });

const COLUMNS = `id, status, attempts, last_status_code, last_error, next_attempt_at, due_at, delivered_at, version, created_at, updated_at`;
const row = (fields: Record<string, unknown>) => ({
  status: 'pending', attempts: 0, last_status_code: null, last_error: null, next_attempt_at: null, due_at: null, delivered_at: null, ...fields,
});

describe('the deliveries projection', () => {
  it('a scheduled delivery is a pending row at version 1, created at its record time, not due (ingest publishes its dispatch)', async () => {
    const rows = await spec().given(on('dlv_1', scheduled('dlv_1'), 1)).query(`SELECT message_id, endpoint_id, tenant_id, event_type, ${COLUMNS} FROM deliveries`);
    expect(rows).toEqual([{
      message_id: 'msg_dlv_1', endpoint_id: 'ep_1', tenant_id: 'acme', event_type: 'order.created',
      ...row({ id: 'dlv_1', version: 1, created_at: at(1), updated_at: at(1) }),
    }]);
  });

  it('a failed attempt: the attempt is a row naming its endpoint, the delivery retries and is due at the retry time', async () => {
    const given = spec().given(on('dlv_1', scheduled('dlv_1'), 1), on('dlv_1', attempted(1, 500), 2), on('dlv_1', retry(1, 60), 2));
    expect(await given.query(`SELECT ${COLUMNS} FROM deliveries`)).toEqual([
      row({ id: 'dlv_1', status: 'retrying', attempts: 1, last_status_code: 500, next_attempt_at: at(60), due_at: at(60), version: 3, created_at: at(1), updated_at: at(2) }),
    ]);
    expect(await given.query(`SELECT id, delivery_id, endpoint_id, attempt, trigger, started_at, duration_ms, status_code, outcome, error, response_body FROM attempts`)).toEqual([
      { id: 'att_1', delivery_id: 'dlv_1', endpoint_id: 'ep_1', attempt: 1, trigger: 'scheduled', started_at: at(11), duration_ms: 12, status_code: 500, outcome: 'http_5xx', error: null, response_body: 'ok' },
    ]);
  });

  it('then a success: delivered at the attempt start, no longer due; a timeout before it left its error', async () => {
    await spec()
      .given(
        on('dlv_1', scheduled('dlv_1'), 1), on('dlv_1', attempted(1, null, 'timed out'), 2), on('dlv_1', retry(1, 60), 2),
        on('dlv_1', attempted(2, 200), 61), on('dlv_1', succeeded(2), 61),
      )
      .query(`SELECT ${COLUMNS} FROM deliveries`)
      .then((rows) => expect(rows).toEqual([
        row({ id: 'dlv_1', status: 'succeeded', attempts: 2, last_status_code: 200, delivered_at: at(12), version: 5, created_at: at(1), updated_at: at(61) }),
      ]));
  });

  describe('a version 3 attempt (issue 16): a delivered one ends the delivery without a DeliverySucceeded', () => {
    const attemptedV3 = (n: number, status_code: number): DeliveryEvent => {
      const { data } = attempted(n, status_code) as DeliveryEvent & { type: 'DeliveryAttempted'; schema_version: 1 };
      const { response_body: _, ...facts } = data;
      return {
        type: 'DeliveryAttempted', schema_version: 3,
        data: { ...facts, endpoint_id: 'ep_1', delivered: status_code === 200, request: { method: 'POST', headers: {}, body_sha256: '00'.repeat(32), signature: null }, sealed_response_body: 'sealed' },
      };
    };
    const history = [
      on('dlv_1', scheduled('dlv_1'), 1), on('dlv_1', attemptedV3(1, 500), 2), on('dlv_1', retry(1, 60), 2), on('dlv_1', attemptedV3(2, 200), 61),
    ];
    const delivered = row({ id: 'dlv_1', status: 'succeeded', attempts: 2, last_status_code: 200, delivered_at: at(12), version: 4, created_at: at(1), updated_at: at(61) });

    it('in one batch (a rebuild) and one by one (live, the lean path): the same row, delivered at the attempt start', async () => {
      expect(await spec().given(...history).query(`SELECT ${COLUMNS} FROM deliveries`)).toEqual([delivered]);
      expect(await spec().givenOneByOne(...history).query(`SELECT ${COLUMNS} FROM deliveries`)).toEqual([delivered]);
    });

    it('the lean path writes only the delivered row of its batch, and the attempt row names its endpoint', async () => {
      const given = spec().givenOneByOne(
        on('dlv_1', scheduled('dlv_1'), 1), on('dlv_2', scheduled('dlv_2'), 1), on('dlv_1', attemptedV3(1, 200), 2),
      );
      expect(await given.query(`SELECT ${COLUMNS} FROM deliveries ORDER BY id`)).toEqual([
        row({ id: 'dlv_1', status: 'succeeded', attempts: 1, last_status_code: 200, delivered_at: at(11), version: 2, created_at: at(1), updated_at: at(2) }),
        row({ id: 'dlv_2', version: 1, created_at: at(1), updated_at: at(1) }),
      ]);
      expect(await given.query(`SELECT id, endpoint_id, status_code, sealed_response_body FROM attempts`)).toEqual([
        { id: 'att_1', endpoint_id: 'ep_1', status_code: 200, sealed_response_body: 'sealed' },
      ]);
    });

    it('a requeue after the delivered attempt in the same batch is folded after it (a manual retry of a delivered delivery)', async () => {
      const rows = await spec()
        .givenInBatchesOf(2, on('dlv_1', scheduled('dlv_1'), 1), on('dlv_2', scheduled('dlv_2'), 1),
          on('dlv_1', attemptedV3(1, 200), 2), on('dlv_1', deliveryRequeued({ attempt: 2, replay_id: null }), 3))
        .query(`SELECT ${COLUMNS} FROM deliveries WHERE id = 'dlv_1'`);
      expect(rows).toEqual([
        row({ id: 'dlv_1', status: 'succeeded', attempts: 1, last_status_code: 200, delivered_at: at(11), version: 3, created_at: at(1), updated_at: at(3) }),
      ]);
    });
  });

  describe('a MessageReceived version 5 (issue 16): the fan-out recorded on the message creates the rows, at version 0', () => {
    const fanOut = (second: number, ...ids: string[]): GivenEvent => ({
      streamId: messageStreamId('acme', 'msg_1'), recordedAt: at(second),
      event: fannedOutMessageReceived({
        id: 'msg_1', type: 'order.created', timestamp: at(0).toISOString(), tenant_id: 'acme', sealed_payload: 'sealed',
        deliveries: ids.map((id, n) => ({ delivery_id: id, endpoint_id: `ep_${n + 1}` })),
      }),
    });
    const delivered: DeliveryEvent = {
      type: 'DeliveryAttempted', schema_version: 3,
      data: {
        attempt_id: 'att_1', attempt: 1, trigger: 'scheduled', url: 'https://example.com/hooks', started_at: at(11).toISOString(), duration_ms: 12,
        status_code: 200, outcome: 'http_2xx', error: null, request: { method: 'POST', headers: {}, body_sha256: '00'.repeat(32), signature: null },
        sealed_response_body: '', endpoint_id: 'ep_1', delivered: true,
      },
    };
    const fresh = (id: string, endpoint: string) => ({
      message_id: 'msg_1', endpoint_id: endpoint, tenant_id: 'acme', event_type: 'order.created', ...row({ id, version: 0, created_at: at(1), updated_at: at(1) }),
    });

    it('a pending row per delivery, named as its message says, created at the message\'s record time, not due', async () => {
      const rows = await spec().given(fanOut(1, 'dlv_1', 'dlv_2')).query(`SELECT message_id, endpoint_id, tenant_id, event_type, ${COLUMNS} FROM deliveries ORDER BY id`);
      expect(rows).toEqual([fresh('dlv_1', 'ep_1'), fresh('dlv_2', 'ep_2')]);
    });

    it('a message before version 5 creates no row (its deliveries\' DeliveryScheduled do); an empty fan-out none', async () => {
      const v3 = { ...fanOut(1), event: { type: 'MessageReceived', schema_version: 3, data: { id: 'msg_1', type: 'order.created', timestamp: at(0).toISOString(), tenant_id: 'acme', sealed_payload: 's', channels: null } } };
      expect(await spec().given(v3, fanOut(2)).query(`SELECT id FROM deliveries`)).toEqual([]);
    });

    it('the delivery\'s first event is version 1 of its stream: live (one by one) and rebuilt (one batch) give the same rows', async () => {
      const history = [fanOut(1, 'dlv_1', 'dlv_2'), on('dlv_1', delivered, 2), on('dlv_2', deliveryDeferred({ attempt: 1, reason: 'circuit_open' }), 3)];
      const expected = [
        { ...fresh('dlv_1', 'ep_1'), status: 'succeeded', attempts: 1, last_status_code: 200, delivered_at: at(11), version: 1, updated_at: at(2) },
        { ...fresh('dlv_2', 'ep_2'), due_at: at(1), version: 1, updated_at: at(3) },
      ];
      const query = `SELECT message_id, endpoint_id, tenant_id, event_type, ${COLUMNS} FROM deliveries ORDER BY id`;
      expect(await spec().givenOneByOne(...history).query(query)).toEqual(expected);
      expect(await spec().given(...history).query(query)).toEqual(expected);
      expect(await spec().givenOneByOne(...history).query(`SELECT id, delivery_id, endpoint_id, tenant_id, message_id, event_type FROM attempts`)).toEqual([
        { id: 'att_1', delivery_id: 'dlv_1', endpoint_id: 'ep_1', tenant_id: 'acme', message_id: 'msg_1', event_type: 'order.created' },
      ]);
    });
  });

  it('a held delivery is due at its creation time; a requeue moves only the version; failing ends it', async () => {
    const held = [on('dlv_1', scheduled('dlv_1'), 1), on('dlv_1', deliveryDeferred({ attempt: 1, reason: 'endpoint_paused' }), 2)];
    expect(await spec().given(...held).query(`SELECT ${COLUMNS} FROM deliveries`)).toEqual([
      row({ id: 'dlv_1', due_at: at(1), version: 2, created_at: at(1), updated_at: at(2) }),
    ]);
    expect(await spec().given(...held, on('dlv_1', deliveryRequeued({ attempt: 1, replay_id: null }), 3)).query(`SELECT ${COLUMNS} FROM deliveries`)).toEqual([
      row({ id: 'dlv_1', due_at: at(1), version: 3, created_at: at(1), updated_at: at(3) }),
    ]);
    expect(await spec().given(...held, on('dlv_1', deliveryFailed({ attempts: 0, reason: 'endpoint_deleted' }), 4)).query(`SELECT ${COLUMNS} FROM deliveries`)).toEqual([
      row({ id: 'dlv_1', status: 'failed', version: 3, created_at: at(1), updated_at: at(4) }),
    ]);
  });

  describe('attempts, as the delivery history reads them', () => {
    const HISTORY = `id, tenant_id, message_id, event_type, ledger_position, url, request_method, request_headers, body_sha256, signature,
                     response_body, sealed_response_body`;
    const request = {
      method: 'POST' as const, body_sha256: 'ab'.repeat(32), signature: { header: 'webhook-signature', value: 'v1,c2ln' },
      headers: { 'x-region': 'eu', authorization: '[redacted]', 'webhook-signature': 'v1,c2ln' },
    };
    const attemptedV2 = (n: number, sealed: string | null): DeliveryEvent => ({
      type: 'DeliveryAttempted', schema_version: 2,
      data: {
        attempt_id: `att_${n}`, attempt: n, trigger: 'scheduled', url: 'https://example.com/hooks', started_at: at(10 + n).toISOString(), duration_ms: 12,
        status_code: 500, outcome: 'http_5xx', error: null, request, sealed_response_body: sealed,
      },
    });

    it('a version 2 attempt: the request as sent, the sealed body, the delivery\'s tenant, message and type, and its event\'s position', async () => {
      const rows = await spec()
        .given(on('dlv_1', scheduled('dlv_1'), 1), on('dlv_1', attemptedV2(1, 'hlp1.dk_1.aXY.dGFn.Y2lwaGVy'), 2), on('dlv_1', retry(1, 60), 2),
          on('dlv_1', attemptedV2(2, null), 61))
        .query(`SELECT ${HISTORY} FROM attempts ORDER BY id`);
      expect(rows).toEqual([
        {
          id: 'att_1', tenant_id: 'acme', message_id: 'msg_dlv_1', event_type: 'order.created', ledger_position: '2', url: 'https://example.com/hooks',
          request_method: 'POST', request_headers: request.headers, body_sha256: request.body_sha256, signature: request.signature,
          response_body: null, sealed_response_body: 'hlp1.dk_1.aXY.dGFn.Y2lwaGVy',
        },
        {
          id: 'att_2', tenant_id: 'acme', message_id: 'msg_dlv_1', event_type: 'order.created', ledger_position: '4', url: 'https://example.com/hooks',
          request_method: 'POST', request_headers: request.headers, body_sha256: request.body_sha256, signature: request.signature,
          response_body: null, sealed_response_body: null,
        },
      ]);
    });

    it('a version 1 attempt keeps its plain body and has no request; it too names its event\'s position — one by one as in a live append', async () => {
      const rows = await spec()
        .givenOneByOne(on('dlv_1', scheduled('dlv_1'), 1), on('dlv_1', attempted(1, 500), 2), on('dlv_1', retry(1, 60), 2), on('dlv_1', attemptedV2(2, ''), 61))
        .query(`SELECT ${HISTORY} FROM attempts ORDER BY id`);
      expect(rows).toEqual([
        {
          id: 'att_1', tenant_id: 'acme', message_id: 'msg_dlv_1', event_type: 'order.created', ledger_position: '2', url: 'https://example.com/hooks',
          request_method: null, request_headers: null, body_sha256: null, signature: null, response_body: 'ok', sealed_response_body: null,
        },
        {
          id: 'att_2', tenant_id: 'acme', message_id: 'msg_dlv_1', event_type: 'order.created', ledger_position: '4', url: 'https://example.com/hooks',
          request_method: 'POST', request_headers: request.headers, body_sha256: request.body_sha256, signature: request.signature,
          response_body: null, sealed_response_body: '',
        },
      ]);
    });
  });

  it('keeps each delivery to its own row and skips event types it does not know', async () => {
    const rows = await spec()
      .given(on('dlv_a', scheduled('dlv_a'), 1), on('dlv_b', scheduled('dlv_b'), 2), on('dlv_a', { type: 'DeliveryArchived', data: {} } as unknown as DeliveryEvent, 3))
      .query(`SELECT id, version FROM deliveries ORDER BY id`);
    expect(rows).toEqual([{ id: 'dlv_a', version: 1 }, { id: 'dlv_b', version: 1 }]);
  });
});
