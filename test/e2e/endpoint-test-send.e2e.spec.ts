import { Webhook } from 'standardwebhooks';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';

describe('POST /v1/endpoints/:id/test', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function createEndpoint(path: string, extra: Record<string, unknown> = {}) {
    // Subscribed to something else entirely: the test event is sent regardless.
    const created = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(path), event_types: ['never.published'], retry_schedule: [600], ...extra } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  }

  it('sends a signed test event now and answers with its first attempt', async () => {
    const endpoint = await createEndpoint('/test/ok');

    const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      success: true, status_code: 200, response_time_ms: expect.any(Number), error: null,
      event_id: expect.stringMatching(/^msg_/), delivery_id: expect.stringMatching(/^dlv_/), attempt_id: expect.stringMatching(/^att_/),
    });
    const [request] = receiver.received('/test/ok');
    const payload = new Webhook(endpoint.secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ id: answer.body.event_id, type: 'webhook.test', data: expect.any(Object) });
  });

  it('records the attempt like any other, under the delivery and the event', async () => {
    const endpoint = await createEndpoint('/test/recorded');
    const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`, { body: { event_type: 'invoice.paid', data: { amount: 4200 } } });
    expect(answer.body.success).toBe(true);

    const attempts = await system.request('GET', `/v1/deliveries/${answer.body.delivery_id}/attempts`);
    expect(attempts.body.data).toEqual([expect.objectContaining({ id: answer.body.attempt_id, attempt: 1, status_code: 200 })]);
    const deliveries = await system.request('GET', `/v1/deliveries?endpoint_id=${endpoint.id}`);
    expect(deliveries.body.data).toEqual([expect.objectContaining({ id: answer.body.delivery_id, event_id: answer.body.event_id, event_type: 'invoice.paid' })]);
    expect(JSON.parse(receiver.received('/test/recorded')[0].body)).toMatchObject({ type: 'invoice.paid', data: { amount: 4200 } });
  });

  it('answers success false with the status when the receiver fails', async () => {
    receiver.answer('/test/failing', () => ({ status: 500, body: 'boom' }));
    const endpoint = await createEndpoint('/test/failing');

    const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false, status_code: 500 });
  });

  it('answers success false with the error when the receiver does not answer in time', async () => {
    receiver.answer('/test/hanging', () => ({ hang: true }));
    const endpoint = await createEndpoint('/test/hanging', { timeout_ms: 1000 });

    const answer = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false, status_code: null, error: expect.stringContaining('1000 ms') });
  });

  it('answers 404 for an unknown endpoint and 400 for a bad event type', async () => {
    const unknown = await system.request('POST', '/v1/endpoints/ep_01JDZZZZZZZZZZZZZZZZZZZZZZ/test');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const endpoint = await createEndpoint('/test/bad');
    const bad = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`, { body: { event_type: 'not a type' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'event_type' })]);
  });

  it('refuses with 409, sending nothing, while the endpoint is paused or disabled', async () => {
    const endpoint = await createEndpoint('/test/held');
    expect((await system.request('POST', `/v1/endpoints/${endpoint.id}/pause`)).status).toBe(200);
    const paused = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);
    expect(paused.status).toBe(409);
    expect(paused.body.detail).toContain('paused');

    await system.request('POST', `/v1/endpoints/${endpoint.id}/resume`);
    await system.request('POST', `/v1/endpoints/${endpoint.id}/disable`);
    const disabled = await system.request('POST', `/v1/endpoints/${endpoint.id}/test`);
    expect(disabled.status).toBe(409);
    expect(disabled.body.detail).toContain('disabled');

    expect(receiver.received('/test/held')).toEqual([]);
    expect((await system.request('GET', `/v1/deliveries?endpoint_id=${endpoint.id}`)).body.data).toEqual([]);
  });
});
