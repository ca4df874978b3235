import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { IngestCommand, ingestMessageId, topology, Topology } from '@hookledger/contracts';
import { newId } from '@hookledger/domain';
import { EndpointProjection } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { ProblemException } from '@hookledger/observability';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import type { AttemptRow, DeliveryRow } from '../deliveries/delivery.resource';
import type { EndpointTestDto, EndpointTestResult } from './endpoint-test.dto';
import { DeliveryOutcomeWatch, OutcomeWatcher } from './delivery-outcome-watch';
import { notFound } from '../http/not-found';

const TEST_EVENT_TYPE = 'webhook.test';
/** Beyond the endpoint's own timeout: ingest, the dispatch queue, a rate-limit wait, recording the attempt. */
const PIPELINE_MARGIN_MS = 10_000;
/**
 * How often to look anyway when no news comes (a notice lost while NATS reconnected): the wait
 * itself is woken by the dispatcher's outcome events, not by polling the database.
 */
const LOOK_ANYWAY_MS = 2_000;

/**
 * "Try it now": a test event published through the real pipeline, targeted at this one endpoint,
 * so it is signed, sent and recorded like any other delivery (and retried like one if it fails).
 * The answer waits for the first attempt. An endpoint that would not be sent to now (disabled,
 * paused, circuit not closed) is refused with 409 rather than left holding the test.
 */
@Injectable()
export class EndpointTestService {
  private readonly logger = new Logger(EndpointTestService.name);
  private readonly topology: Topology;

  constructor(
    private readonly endpoints: EndpointProjection,
    private readonly deliveries: DeliveriesRepository,
    private readonly publisher: JetStreamPublisher,
    private readonly outcomes: DeliveryOutcomeWatch,
    private readonly config: HookledgerConfig,
  ) {
    this.topology = topology(config.natsNamespace);
  }

  async send(id: string, input: EndpointTestDto): Promise<EndpointTestResult> {
    const endpoint = await this.endpoints.find(id);
    if (!endpoint) throw notFound('endpoint', id);
    if (!endpoint.active) throw conflict(`Endpoint ${id} is disabled; enable it (POST /v1/endpoints/${id}/enable) to send a test event.`);
    if (endpoint.paused) throw conflict(`Endpoint ${id} is paused; resume it (POST /v1/endpoints/${id}/resume) to send a test event.`);
    const circuit = endpoint.circuit_state;
    if (circuit !== 'closed') throw conflict(`Endpoint ${id} has its circuit ${circuit.replace('_', '-')} after repeated failures; deliveries are held until a probe succeeds.`);

    const event: IngestCommand = {
      v: 1,
      id: newId('msg'),
      type: input.event_type ?? TEST_EVENT_TYPE,
      timestamp: new Date().toISOString(),
      data: input.data ?? { message: 'This is a test event from Hookledger.', endpoint_id: id },
      tenant_id: endpoint.tenant_id,
      channels: null,
      endpoint_ids: [id],
    };
    const waitMs = (endpoint.timeout_ms ?? this.config.delivery.timeoutMs) + PIPELINE_MARGIN_MS;
    const watcher = this.outcomes.watch(event.id);
    let first: { delivery?: DeliveryRow; attempt?: AttemptRow };
    try {
      await this.publish(event, endpoint.tenant_id);
      first = await this.firstAttempt(endpoint.tenant_id, event.id, id, Date.now() + waitMs, watcher);
    } finally {
      watcher.close();
    }
    const { delivery, attempt } = first;
    if (!delivery || !attempt) {
      throw new ProblemException(HttpStatus.GATEWAY_TIMEOUT,
        `No attempt of the test event ${event.id} was recorded within ${waitMs} ms; it may still be sent. Follow it with GET /v1/deliveries?event_id=${event.id}.`,
        { event_id: event.id, delivery_id: delivery?.id ?? null });
    }
    return {
      success: attempt.outcome === 'http_2xx',
      status_code: attempt.status_code,
      response_time_ms: attempt.duration_ms,
      error: attempt.error,
      event_id: event.id,
      delivery_id: delivery.id,
      attempt_id: attempt.id,
    };
  }

  private async publish(event: IngestCommand, tenantId: string): Promise<void> {
    try {
      await this.publisher.publish(this.topology.subjects.ingest, event, ingestMessageId(tenantId, event.id));
    } catch (error) {
      this.logger.error({ msg: 'test event not published', endpoint_id: event.endpoint_ids?.[0], err: error });
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The event bus did not acknowledge the test event; nothing was sent. Try again.', { retry_after: 1 });
    }
  }

  /**
   * Reads the delivery's first attempt when the dispatcher announces an outcome (or every
   * LOOK_ANYWAY_MS without news), until it is recorded, the delivery ended without one, or the
   * deadline. Between looks the request waits on the bus, holding no database connection.
   */
  private async firstAttempt(
    tenantId: string, eventId: string, endpointId: string, deadline: number, watcher: OutcomeWatcher,
  ): Promise<{ delivery?: DeliveryRow; attempt?: AttemptRow }> {
    let delivery: DeliveryRow | undefined;
    while (Date.now() < deadline) {
      delivery = (await this.deliveries.forMessage(tenantId, eventId)).find((row) => row.endpoint_id === endpointId);
      if (delivery) {
        const [attempt] = await this.deliveries.attempts(delivery.id, null, 1);
        if (attempt || delivery.status === 'failed') return { delivery, attempt };
      }
      await watcher.next(Math.min(LOOK_ANYWAY_MS, Math.max(0, deadline - Date.now())));
    }
    return { delivery };
  }
}

const conflict = (detail: string) => new ProblemException(HttpStatus.CONFLICT, detail);
