import { operationalWebhook } from './operational-webhook';
import { parseIngestCommand } from './ingest-command';

const occurredAt = '2026-11-30T10:00:00.000Z';
const disabled = { id: 'evt_01', type: 'endpoint.disabled', occurred_at: occurredAt, data: { tenant_id: 'acme', endpoint_id: 'ep_1', reason: 'gone', by: 'system' } };

describe('operationalWebhook', () => {
  it('turns an operational event into a hookledger.<type> message of its tenant, with the event id and occurred_at', () => {
    expect(operationalWebhook(disabled)).toEqual({
      webhook: {
        v: 1, id: 'evt_01', type: 'hookledger.endpoint.disabled', timestamp: occurredAt, tenant_id: 'acme', channels: null,
        data: { tenant_id: 'acme', endpoint_id: 'ep_1', reason: 'gone', by: 'system', occurred_at: occurredAt },
      },
    });
  });

  it('forwards a delivery outcome of an ordinary event', () => {
    const exhausted = { id: 'evt_02', type: 'delivery.exhausted', occurred_at: occurredAt, data: { tenant_id: 'acme', delivery_id: 'dlv_1', event_type: 'invoice.paid', attempts: 3, reason: 'exhausted' } };
    expect(operationalWebhook(exhausted)).toMatchObject({ webhook: { type: 'hookledger.delivery.exhausted', data: { delivery_id: 'dlv_1', attempts: 3 } } });
  });

  it('never forwards an outcome of an operational webhook (the loop rule)', () => {
    const aboutItself = { id: 'evt_03', type: 'delivery.exhausted', occurred_at: occurredAt, data: { tenant_id: 'acme', delivery_id: 'dlv_2', event_type: 'hookledger.delivery.failed' } };
    expect(operationalWebhook(aboutItself)).toEqual({ skipped: expect.stringContaining('loop rule') });
  });

  it.each([
    ['a system-wide event', { ...disabled, type: 'ledger.checkpoint' }],
    ['a tenant key event', { ...disabled, type: 'tenant.erased' }],
    ['an event without tenant', { ...disabled, data: { endpoint_id: 'ep_1' } }],
    ['an event without data', { ...disabled, data: null }],
    ['something else', ['not', 'an', 'event']],
  ])('skips %s', (_, body) => {
    expect(operationalWebhook(body)).toEqual({ skipped: expect.any(String) });
  });
});

describe('the reserved prefix on the ingest paths', () => {
  const now = new Date(occurredAt);
  const body = { type: 'hookledger.endpoint.disabled', data: { endpoint_id: 'ep_1' }, tenant_id: 'acme' };

  it('is refused from the inbound bus, as the API refuses it', () => {
    expect(parseIngestCommand(body, 'hookledger.endpoint.disabled', now)).toEqual({ rejected: expect.stringContaining('reserved') });
    expect(parseIngestCommand({ ...body, type: 'HookLedger.x' }, 'anything', now)).toEqual({ rejected: expect.stringContaining('reserved') });
  });

  it('is taken from <ns>.cmd.ingest, where the forwarder puts operational webhooks', () => {
    expect(parseIngestCommand(body, null, now)).toMatchObject({ command: { type: 'hookledger.endpoint.disabled', tenant_id: 'acme' } });
  });
});
