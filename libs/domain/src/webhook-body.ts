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
