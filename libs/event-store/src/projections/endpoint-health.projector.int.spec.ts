import {
  AttemptReason, DEFAULT_ENDPOINT_SETTINGS, DeliveryAttempted, DeliveryEventType, deliveryScheduled, deliveryStreamId, endpointCreated,
  EndpointCreatedData, endpointDeleted, endpointDisabled, endpointEnabled, endpointPaused, endpointStreamId, endpointUpdated,
} from '@hookledger/domain';
import { endpointHealthProjector, EventStore } from '@hookledger/event-store';
import { GivenEvent, projectorSpec, specDataSource } from '@hookledger/testing';

const database = specDataSource();

const at = (second: number, ms = 0) => new Date(Date.UTC(2024, 0, 1, 0, 0, second, ms));
const spec = () => projectorSpec(endpointHealthProjector, database.current);

/** Which endpoint each delivery goes to: said only by its DeliveryScheduled, which the projector reads from the store. */
const DELIVERIES: Record<string, string> = { dlv_a1: 'ep_a', dlv_a2: 'ep_a', dlv_b1: 'ep_b', dlv_c1: 'ep_c', dlv_x1: 'ep_unknown' };

beforeAll(async () => {
  // The store alone: the inline projections of these deliveries are not this spec's subject.
  await database.current.transaction((tx) => new EventStore([]).append(tx, Object.entries(DELIVERIES).map(([delivery, endpoint]) => ({
    streamId: deliveryStreamId(delivery), streamType: 'delivery', expectedVersion: 0,
    events: [deliveryScheduled({ delivery_id: delivery, message_id: `msg_${delivery}`, endpoint_id: endpoint, event_type: 'order.paid', tenant_id: 'acme' })],
  }))));
});

const created = (id: string, fields: Partial<EndpointCreatedData> = {}) => endpointCreated({
  ...DEFAULT_ENDPOINT_SETTINGS, url: `https://receiver.example/${id}`, id, tenant_id: 'acme', auth: null, adhoc: false, secret_key_id: `${id}.k1`, ...fields,
});
const onEndpoint = (id: string, event: GivenEvent['event'], second: number): GivenEvent => ({ streamId: endpointStreamId(id), event, recordedAt: at(second) });

/** An attempt of `delivery` started at `second`, 250 ms long, recorded a second later. */
function attempt(delivery: string, outcome: AttemptReason, second: number): GivenEvent {
  const event: DeliveryAttempted = {
    type: DeliveryEventType.DeliveryAttempted, schema_version: 1,
    data: {
      attempt_id: `att_${delivery}_${second}`, attempt: 1, trigger: 'scheduled', url: 'https://receiver.example/hooks', started_at: at(second).toISOString(),
      duration_ms: 250, status_code: outcome === 'http_2xx' ? 200 : outcome === 'gone' ? 410 : 500, outcome, error: null, response_body: null,
    },
  };
  return { streamId: deliveryStreamId(delivery), event, recordedAt: at(second + 1) };
}
/** The same attempt as the dispatcher records it since issue 13 (schema_version 2: the request as sent, the body sealed). */
function attemptV2(delivery: string, outcome: AttemptReason, second: number): GivenEvent {
  const { data } = attempt(delivery, outcome, second).event as DeliveryAttempted & { schema_version: 1 };
  const { response_body: _, ...facts } = data;
  const event: DeliveryAttempted = {
    type: DeliveryEventType.DeliveryAttempted, schema_version: 2,
    data: { ...facts, request: { method: 'POST', headers: { 'content-type': 'application/json' }, body_sha256: '00'.repeat(32), signature: null }, sealed_response_body: null },
  };
  return { streamId: deliveryStreamId(delivery), event, recordedAt: at(second + 1) };
}
/**
 * As the dispatcher records it since issue 16 (schema_version 3): it names its endpoint itself, so
 * the projector needs no DeliveryScheduled — this spec's stream `dlv_v3_*` has none.
 */
function attemptV3(delivery: string, endpoint: string, outcome: AttemptReason, second: number): GivenEvent {
  const { data } = attemptV2(delivery, outcome, second).event as DeliveryAttempted & { schema_version: 2 };
  const event: DeliveryAttempted = { type: DeliveryEventType.DeliveryAttempted, schema_version: 3, data: { ...data, endpoint_id: endpoint, delivered: outcome === 'http_2xx' } };
  return { streamId: deliveryStreamId(delivery), event, recordedAt: at(second + 1) };
}
/** When an attempt started at `second` ended. */
const ended = (second: number) => at(second, 250);

const healthy = { active: true, consecutive_failures: 0, failing_since: null, last_success_at: null, last_failure_at: null, gone_at: null };
const row = (id: string, fields: Record<string, unknown>) => ({ endpoint_id: id, ...healthy, ...fields });
const failingA = [onEndpoint('ep_a', created('ep_a'), 1), attempt('dlv_a1', 'http_5xx', 10), attempt('dlv_a2', 'gone', 20)];
/** ep_a after failingA: two failures, the second a 410. */
const failedA = { consecutive_failures: 2, failing_since: ended(10), last_failure_at: ended(20), gone_at: ended(20) };

describe('the endpoint-health projection', () => {
  it('a created endpoint is a healthy row, active as created (in either schema version), stamped with the event time', async () => {
    const v1Created = {
      type: 'EndpointCreated', schema_version: 1,
      data: {
        id: 'ep_c', url: 'https://receiver.example/ep_c', description: '', event_types: null, active: false, headers: {}, retry_schedule: null,
        timeout_ms: null, rate_limit_per_s: null, channels: null, metadata: {},
      },
    };
    await spec()
      .given(onEndpoint('ep_a', created('ep_a'), 1), onEndpoint('ep_b', created('ep_b', { active: false }), 2), onEndpoint('ep_c', v1Created, 3))
      .then('endpoint_health', [
        row('ep_a', { updated_at: at(1) }), row('ep_b', { active: false, updated_at: at(2) }), row('ep_c', { active: false, updated_at: at(3) }),
      ]);
  });

  it('failures count up from when the run began, until a success ends the run', async () => {
    const failures = [onEndpoint('ep_a', created('ep_a'), 1), attempt('dlv_a1', 'http_5xx', 10), attempt('dlv_a2', 'timeout', 20)];
    await spec()
      .given(...failures)
      .then('endpoint_health', [row('ep_a', { consecutive_failures: 2, failing_since: ended(10), last_failure_at: ended(20), updated_at: at(21) })]);
    await spec()
      .given(...failures, attempt('dlv_a1', 'http_2xx', 30))
      .then('endpoint_health', [row('ep_a', { last_success_at: ended(30), last_failure_at: ended(20), updated_at: at(31) })]);
  });

  it('reads attempts of either schema version alike', async () => {
    const mixed = [onEndpoint('ep_a', created('ep_a'), 1), attempt('dlv_a1', 'http_5xx', 10), attemptV2('dlv_a2', 'gone', 20)];
    await spec().given(...mixed).then('endpoint_health', [row('ep_a', { ...failedA, updated_at: at(21) })]);
    await spec()
      .given(...mixed, attemptV2('dlv_a1', 'http_2xx', 30))
      .then('endpoint_health', [row('ep_a', { last_success_at: ended(30), last_failure_at: ended(20), gone_at: ended(20), updated_at: at(31) })]);
  });

  it('reads a version 3 attempt\'s endpoint from the attempt itself, mixed with older attempts looked up by their delivery', async () => {
    const mixed = [onEndpoint('ep_a', created('ep_a'), 1), attempt('dlv_a1', 'http_5xx', 10), attemptV3('dlv_v3_1', 'ep_a', 'gone', 20)];
    await spec().given(...mixed).then('endpoint_health', [row('ep_a', { ...failedA, updated_at: at(21) })]);
    await spec()
      .given(...mixed, attemptV3('dlv_v3_2', 'ep_a', 'http_2xx', 30))
      .then('endpoint_health', [row('ep_a', { last_success_at: ended(30), last_failure_at: ended(20), gone_at: ended(20), updated_at: at(31) })]);
  });

  it('a 410 Gone marks the endpoint gone, and a later success keeps the mark for the disabler', async () => {
    await spec().given(...failingA).then('endpoint_health', [row('ep_a', { ...failedA, updated_at: at(21) })]);
    await spec()
      .given(...failingA, attempt('dlv_a1', 'http_2xx', 30))
      .then('endpoint_health', [row('ep_a', { last_success_at: ended(30), last_failure_at: ended(20), gone_at: ended(20), updated_at: at(31) })]);
  });

  it.each([
    ['EndpointEnabled', endpointEnabled({ id: 'ep_a', by: 'operator' })],
    ['EndpointUpdated {active: true}', endpointUpdated({ id: 'ep_a', changes: { active: true } })],
  ])('an enable (%s) of a disabled endpoint starts its health afresh, keeping the last outcomes', async (_, enable) => {
    await spec()
      .given(
        ...failingA,
        onEndpoint('ep_a', endpointDisabled({ id: 'ep_a', reason: 'disabled by an operator', by: 'operator' }), 30),
        onEndpoint('ep_a', enable, 40),
      )
      .then('endpoint_health', [row('ep_a', { last_failure_at: ended(20), updated_at: at(40) })]);
  });

  it('a version 1 PATCH that recorded active: true on an endpoint already active resets nothing', async () => {
    const v1Patch = { type: 'EndpointUpdated', schema_version: 1, data: { id: 'ep_a', changes: { active: true, description: 'renamed' } } };
    await spec()
      .given(...failingA, onEndpoint('ep_a', v1Patch, 30))
      .then('endpoint_health', [row('ep_a', { ...failedA, updated_at: at(21) })]);
  });

  it('the system’s disable clears the 410 it acted on; an operator’s disable, or PATCH {active: false}, leaves it', async () => {
    await spec()
      .given(...failingA, onEndpoint('ep_a', endpointDisabled({ id: 'ep_a', reason: 'the endpoint answered 410 Gone', by: 'system' }), 30))
      .then('endpoint_health', [row('ep_a', { ...failedA, active: false, gone_at: null, updated_at: at(30) })]);
    await spec()
      .given(...failingA, onEndpoint('ep_a', endpointDisabled({ id: 'ep_a', reason: 'disabled by an operator', by: 'operator' }), 30))
      .then('endpoint_health', [row('ep_a', { ...failedA, active: false, updated_at: at(30) })]);
    await spec()
      .given(...failingA, onEndpoint('ep_a', endpointUpdated({ id: 'ep_a', changes: { active: false } }), 30))
      .then('endpoint_health', [row('ep_a', { ...failedA, active: false, updated_at: at(30) })]);
  });

  it('a deleted endpoint has no health, and its late attempts make none', async () => {
    await spec()
      .given(...failingA, onEndpoint('ep_a', endpointDeleted({ id: 'ep_a' }), 30), attempt('dlv_a1', 'http_5xx', 40))
      .then('endpoint_health', []);
  });

  it('folds the attempts of several endpoints in one batch, each in order; attempts of endpoints without a row change nothing', async () => {
    await spec()
      .given(
        onEndpoint('ep_a', created('ep_a'), 1), onEndpoint('ep_b', created('ep_b'), 2), onEndpoint('ep_c', created('ep_c'), 3),
        attempt('dlv_a1', 'http_5xx', 10), attempt('dlv_b1', 'http_2xx', 11), attempt('dlv_x1', 'http_5xx', 12), attempt('dlv_c1', 'http_5xx', 13),
        attempt('dlv_a2', 'http_5xx', 14), onEndpoint('ep_b', endpointPaused({ id: 'ep_b' }), 15), attempt('dlv_b1', 'http_5xx', 16),
        attempt('dlv_c1', 'http_2xx', 17), attempt('dlv_unscheduled', 'http_5xx', 18),
      )
      .then('endpoint_health', [
        row('ep_a', { consecutive_failures: 2, failing_since: ended(10), last_failure_at: ended(14), updated_at: at(15) }),
        row('ep_b', { consecutive_failures: 1, failing_since: ended(16), last_success_at: ended(11), last_failure_at: ended(16), updated_at: at(17) }),
        row('ep_c', { last_success_at: ended(17), last_failure_at: ended(13), updated_at: at(18) }),
      ]);
  });
});
