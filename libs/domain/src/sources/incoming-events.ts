import { createHash } from 'node:crypto';
import { MESSAGE_ID, validateEventTypeName } from '../subscriptions/event-type-pattern';
import type { SourceType } from './source-events';

/** One verified provider event, as it enters the pipeline. */
export interface IncomingEvent {
  /** The message id: `<source id>:<delivery id>`, so a provider's retry is the same message (deduplicated) and two sources never share one. */
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  /** The provider's own id of this delivery, as the ledger records it. */
  readonly delivery_id: string;
}

export type IncomingEvents = { readonly events: IncomingEvent[] } | { readonly invalid: string; readonly field: string };

/** HubSpot batches up to 100 events per request. */
export const MAX_HUBSPOT_BATCH = 100;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const invalid = (field: string, message: string): IncomingEvents => ({ invalid: message, field });

/**
 * The events a verified request carries, named and identified the provider's way:
 * GitHub `github.<X-GitHub-Event>` by X-GitHub-Delivery; HubSpot one `hubspot.<subscriptionType>`
 * per array element by its `eventId`; Stripe `stripe.<type>` by the event's `id`; Standard Webhooks
 * the body's `type` by `webhook-id`; hmac-hex `X-Webhook-Event` (else the body's `type`) by
 * `webhook-id`, else the SHA-256 of the body (an identical body is the same delivery).
 */
export function incomingEvents(type: SourceType, sourceId: string, headers: Readonly<Record<string, string | undefined>>, body: unknown, rawBody: string): IncomingEvents {
  switch (type) {
    case 'github': {
      if (!isObject(body)) return invalid('body', 'a GitHub delivery must be a JSON object (set the webhook\'s content type to application/json)');
      const event = headers['x-github-event'];
      const delivery = headers['x-github-delivery'];
      if (!event) return invalid('X-GitHub-Event', 'the X-GitHub-Event header is missing');
      if (!delivery) return invalid('X-GitHub-Delivery', 'the X-GitHub-Delivery header is missing');
      return one(sourceId, `github.${event}`, delivery, body, 'X-GitHub-Event');
    }
    case 'hubspot': {
      if (!Array.isArray(body) || body.length === 0 || body.length > MAX_HUBSPOT_BATCH) return invalid('body', `a HubSpot delivery must be an array of 1–${MAX_HUBSPOT_BATCH} events`);
      const events: IncomingEvent[] = [];
      for (const [n, element] of body.entries()) {
        if (!isObject(element)) return invalid(`[${n}]`, 'each HubSpot event must be a JSON object');
        const eventId = element.eventId;
        if ((typeof eventId !== 'number' && typeof eventId !== 'string') || String(eventId) === '') return invalid(`[${n}].eventId`, 'eventId is missing');
        if (typeof element.subscriptionType !== 'string') return invalid(`[${n}].subscriptionType`, 'subscriptionType is missing');
        const made = one(sourceId, `hubspot.${element.subscriptionType}`, String(eventId), element, `[${n}].subscriptionType`);
        if ('invalid' in made) return made;
        events.push(...made.events);
      }
      return { events };
    }
    case 'stripe':
      if (!isObject(body)) return invalid('body', 'a Stripe event must be a JSON object');
      if (typeof body.id !== 'string' || body.id === '') return invalid('id', 'the Stripe event has no id');
      if (typeof body.type !== 'string') return invalid('type', 'the Stripe event has no type');
      return one(sourceId, `stripe.${body.type}`, body.id, body, 'type');
    case 'standard':
      if (!isObject(body)) return invalid('body', 'the payload must be a JSON object');
      if (typeof body.type !== 'string') return invalid('type', 'the payload has no type');
      return one(sourceId, body.type, headers['webhook-id'] ?? '', body, 'type');
    case 'hmac-hex': {
      if (!isObject(body)) return invalid('body', 'the payload must be a JSON object');
      const eventType = headers['x-webhook-event'] ?? body.type;
      if (typeof eventType !== 'string') return invalid('X-Webhook-Event', 'name the event type in X-Webhook-Event or the body\'s type');
      const delivery = headers['webhook-id'] ?? `sha256-${createHash('sha256').update(rawBody).digest('hex')}`;
      return one(sourceId, eventType, delivery, body, 'X-Webhook-Event');
    }
  }
}

function one(sourceId: string, type: string, delivery: string, data: Record<string, unknown>, typeField: string): IncomingEvents {
  const check = validateEventTypeName(type);
  if (!check.valid) return invalid(typeField, check.reason);
  if (delivery === '' || delivery.length > 200) return invalid('delivery id', 'the delivery id is missing or longer than 200 characters');
  return { events: [{ id: messageIdOf(sourceId, delivery), type, data, delivery_id: delivery }] };
}

/** A delivery id that is not a valid message id as it is (spaces, slashes…) is identified by its digest. */
function messageIdOf(sourceId: string, delivery: string): string {
  const id = `${sourceId}:${delivery}`;
  return MESSAGE_ID.test(id) ? id : `${sourceId}:sha256-${createHash('sha256').update(delivery).digest('hex')}`;
}
