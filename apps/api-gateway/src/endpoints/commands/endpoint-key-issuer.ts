import { HttpStatus, Injectable } from '@nestjs/common';
import {
  EndpointAuthReference, EndpointProviderOptions, EndpointType, generateSecret, generateSigningKeyPair, keyKindOf, newId, SignatureProfile, TelegramOptions,
  validateSecret,
} from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { EndpointKeyRow, EndpointKeys } from '@hookledger/secrets';
import type { EndpointAuthDto } from '../endpoint.dto';

/** A new signing key: its sealed row for the key table, and what the answer shows of it once. */
export interface IssuedSigningKey {
  readonly row: EndpointKeyRow;
  readonly shown: { readonly secret: string } | { readonly public_key: string };
}

/**
 * Makes the sealed keys a command names. HMAC secrets are sealed; for standard-ed25519 the sealed
 * value is the whsk_ private key, which is never shown, next to its public key. Nothing is stored
 * here: the handler inserts the rows in the transaction that appends the event naming them.
 */
@Injectable()
export class EndpointKeyIssuer {
  constructor(private readonly keys: EndpointKeys) {}

  /** A key of the kind `profile` signs with; `given` is a client's own HMAC secret. */
  signingKey(endpointId: string, profile: SignatureProfile, given: string | undefined): IssuedSigningKey {
    const keyId = newId('key');
    if (keyKindOf(profile) === 'ed25519') {
      if (given !== undefined) throw invalid('secret', 'standard-ed25519 signs with a key pair Hookledger generates; omit secret and verify with the public_key in the answer');
      const pair = generateSigningKeyPair();
      return { row: this.keys.seal(endpointId, keyId, 'signing', pair.secretKey, pair.publicKey), shown: { public_key: pair.publicKey } };
    }
    if (given !== undefined) {
      const check = validateSecret(given);
      if (!check.valid) throw invalid('secret', check.reason);
    }
    const secret = given ?? generateSecret();
    return { row: this.keys.seal(endpointId, keyId, 'signing', secret), shown: { secret } };
  }

  /** The password or token sealed in its own key row; answers and events only ever see the type, user name and key id. */
  auth(endpointId: string, auth: EndpointAuthDto | null): { reference: EndpointAuthReference | null; row: EndpointKeyRow | null } {
    if (!auth) return { reference: null, row: null };
    const keyId = newId('key');
    if (auth.type === 'basic') {
      return { reference: { type: 'basic', username: auth.username ?? '', key_id: keyId }, row: this.keys.seal(endpointId, keyId, 'auth', auth.password ?? '') };
    }
    if (auth.username !== undefined || auth.password !== undefined) throw invalid('auth', 'username and password are for basic auth; bearer takes a token');
    return { reference: { type: 'bearer', key_id: keyId }, row: this.keys.seal(endpointId, keyId, 'auth', auth.token ?? '') };
  }

  /**
   * A chat provider's options as events hold them (checked by checkChatSettings): a Telegram bot
   * token sealed in its own key row, named by `bot_token_key_id`; one left out of a PATCH keeps the
   * sealed one `current` names.
   */
  provider(endpointId: string, type: EndpointType, given: unknown, current: EndpointProviderOptions | null): { reference: EndpointProviderOptions | null; row: EndpointKeyRow | null } {
    if (given === undefined || given === null || type === 'webhook') return { reference: null, row: null };
    if (type !== 'telegram') return { reference: given as EndpointProviderOptions, row: null };
    const { bot_token: token, chat_id } = given as { bot_token?: string; chat_id: string };
    if (token === undefined) return { reference: { chat_id, bot_token_key_id: (current as TelegramOptions).bot_token_key_id }, row: null };
    const keyId = newId('key');
    return { reference: { chat_id, bot_token_key_id: keyId }, row: this.keys.seal(endpointId, keyId, 'auth', token) };
  }
}

const invalid = (field: string, message: string) =>
  new ProblemException(HttpStatus.BAD_REQUEST, `${field}: ${message}`, { errors: [{ field, message }] });
