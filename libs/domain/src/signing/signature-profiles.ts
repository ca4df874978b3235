import type { SignatureProfile } from '../endpoints/endpoint-options';
import { webhookHeaders } from './webhook-signature';

export interface ProfileSigningInput {
  /** The message id (webhook-id): the same on every attempt. */
  readonly msgId: string;
  readonly eventType: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  /** The exact bytes sent. */
  readonly body: string;
  /** Every key valid now (several during a rotation's grace period), newest first. */
  readonly secrets: readonly string[];
}

/** The signature headers of one attempt, in the endpoint's signature profile. */
export function signatureHeaders(profile: SignatureProfile, input: ProfileSigningInput): Record<string, string> {
  switch (profile) {
    case 'standard':
      return { ...webhookHeaders(input) };
    default:
      throw new Error(`signature profile ${profile} is not supported yet`);
  }
}
