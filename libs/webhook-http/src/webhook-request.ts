import { payloadBody, PayloadFormat, signatureHeaders, SignatureProfile } from '@hookledger/domain';

export interface WebhookRequestInput {
  readonly messageId: string;
  readonly eventType: string;
  readonly messageTimestamp: Date;
  readonly data: Record<string, unknown>;
  readonly payloadFormat: PayloadFormat;
  readonly signatureProfile: SignatureProfile;
  /** The endpoint's custom headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `authorization` value from the endpoint's auth, already unsealed; null without auth. */
  readonly authorization: string | null;
  /** Every key valid now, newest first. */
  readonly secrets: readonly string[];
  /** When this attempt is made: its signature timestamp. */
  readonly now: Date;
}

/**
 * The body and headers of one attempt. The body is the envelope, or with `payload_format: data`
 * the data object alone, as it was published (`messages.data` is a json column: key order is
 * kept). Custom headers go first and never override ours: a custom header named like one of ours
 * (in any case) is dropped rather than sent twice.
 */
export function webhookRequest(input: WebhookRequestInput): { headers: Record<string, string>; body: string } {
  const body = payloadBody(input.payloadFormat, { id: input.messageId, type: input.eventType, timestamp: input.messageTimestamp, data: input.data });
  const ours: Record<string, string> = {
    'content-type': 'application/json',
    ...(input.authorization === null ? {} : { authorization: input.authorization }),
    ...signatureHeaders(input.signatureProfile, {
      msgId: input.messageId,
      eventType: input.eventType,
      timestamp: Math.floor(input.now.getTime() / 1000),
      body,
      secrets: input.secrets,
    }),
  };
  const taken = new Set([...Object.keys(ours), 'user-agent'].map((name) => name.toLowerCase()));
  const custom = Object.entries(input.headers).filter(([name]) => !taken.has(name.toLowerCase()));
  return { headers: { ...Object.fromEntries(custom), ...ours }, body };
}
