import { PAYLOAD_FORMATS, PayloadFormat } from './endpoints/endpoint-options';

export interface WebhookPayload {
  readonly id: string;
  readonly type: string;
  /** ISO-8601 time the event was accepted. */
  readonly timestamp: string | Date;
  readonly data: unknown;
}

/** The request body: these exact bytes are signed and sent, identically on every attempt. */
export function webhookBody(payload: WebhookPayload): string {
  return JSON.stringify({
    id: payload.id,
    type: payload.type,
    timestamp: typeof payload.timestamp === 'string' ? payload.timestamp : payload.timestamp.toISOString(),
    data: payload.data,
  });
}

/**
 * The body in an endpoint's payload format: the envelope, or with `data` the data object alone,
 * as it was published. The dispatcher sends this and the verification route compares with it, so
 * both must render the same bytes.
 */
export function payloadBody(format: PayloadFormat, payload: WebhookPayload): string {
  return format === 'data' ? JSON.stringify(payload.data) : webhookBody(payload);
}

/** The body in every payload format, for when the endpoint (and so its format) is unknown. */
export const payloadBodies = (payload: WebhookPayload): string[] => PAYLOAD_FORMATS.map((format) => payloadBody(format, payload));
