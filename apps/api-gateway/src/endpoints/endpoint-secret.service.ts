import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { generateSecret, generateSigningKeyPair, keyKindOf, SignatureProfile, validateSecret } from '@hookledger/domain';
import { EndpointProjection, EndpointRow, SealedSecret } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { SecretCipher, sealedAt } from '@hookledger/secrets';
import { changeMetadata, Principal } from '../auth/principal';
import { DEFAULT_GRACE_PERIOD_S, EndpointSecretResource, RotateSecretDto } from './endpoint-secret.dto';
import { notFound } from '../http/not-found';

/** A new signing key: sealed for the row, and what the answer shows of it once. */
export interface IssuedKey {
  readonly stored: SealedSecret;
  readonly shown: { readonly secret: string } | { readonly public_key: string };
}

/**
 * An endpoint's signing keys: issued at creation, rotated with a grace period during which the
 * previous keys keep signing, and shown to admins. HMAC secrets are sealed; for standard-ed25519
 * the sealed value is the whsk_ private key, which never leaves this service, next to its public key.
 * `secrets` is kept newest first: the dispatcher signs with every key not yet expired, in that order.
 */
@Injectable()
export class EndpointSecretService {
  private readonly logger = new Logger(EndpointSecretService.name);

  constructor(private readonly endpoints: EndpointProjection, private readonly cipher: SecretCipher) {}

  /** A key of the kind `profile` signs with, sealed for endpoint `endpointId`; `given` is a client's own HMAC secret. */
  issue(endpointId: string, profile: SignatureProfile, given: string | undefined): IssuedKey {
    const at = sealedAt.endpointSecret(endpointId);
    if (keyKindOf(profile) === 'ed25519') {
      if (given !== undefined) throw invalid('secret', 'standard-ed25519 signs with a key pair Hookledger generates; omit secret and verify with the public_key in the answer');
      const keys = generateSigningKeyPair();
      return { stored: { sealed: this.cipher.seal(keys.secretKey, at), expires_at: null, public_key: keys.publicKey }, shown: { public_key: keys.publicKey } };
    }
    if (given !== undefined) {
      const check = validateSecret(given);
      if (!check.valid) throw invalid('secret', check.reason);
    }
    const secret = given ?? generateSecret();
    return { stored: { sealed: this.cipher.seal(secret, at), expires_at: null }, shown: { secret } };
  }

  async get(id: string): Promise<EndpointSecretResource> {
    const row = await this.endpoints.find(id);
    if (!row) throw notFound('endpoint', id);
    return this.view(row, new Date());
  }

  async rotate(id: string, input: RotateSecretDto, principal: Principal): Promise<EndpointSecretResource> {
    const grace = input.grace_period_s ?? DEFAULT_GRACE_PERIOD_S;
    const row = await this.endpoints.transaction(async (tx) => {
      const current = await this.endpoints.lock(tx, id);
      if (!current) throw notFound('endpoint', id);
      const profile = input.signature_profile ?? current.signature_profile;
      const key = this.issue(id, profile, input.secret);
      const now = new Date();
      const expiresAt = new Date(now.getTime() + grace * 1000).toISOString();
      // Keys already expired are pruned; a shorter grace period also cuts short older ones still running.
      const previous = current.secrets
        .map((secret) => ({ ...secret, expires_at: secret.expires_at !== null && new Date(secret.expires_at) < new Date(expiresAt) ? secret.expires_at : expiresAt }))
        .filter((secret) => new Date(secret.expires_at) > now);
      const next: EndpointRow = { ...current, signature_profile: profile, secrets: [key.stored, ...previous] };
      // The ledger records that a rotation happened, never a key.
      return this.endpoints.update(tx, current, next, {
        type: 'EndpointSecretRotated',
        data: {
          id,
          grace_period_s: grace,
          previous_expire_at: previous.length > 0 ? expiresAt : null,
          keys_retired: current.secrets.length - previous.length,
          ...(profile !== current.signature_profile && { signature_profile: { from: current.signature_profile, to: profile } }),
        },
        metadata: changeMetadata(principal, current.tenant_id),
      });
    });
    return this.view(row, new Date());
  }

  private view(row: EndpointRow, now: Date): EndpointSecretResource {
    const live = row.secrets.filter((secret) => secret.expires_at === null || new Date(secret.expires_at) > now);
    const [current, ...previous] = live;
    if (!current) throw new ProblemException(HttpStatus.CONFLICT, `Endpoint ${row.id} has no signing key in force; rotate its secret to issue one.`);
    return {
      signature_profile: row.signature_profile,
      ...this.shown(row.id, current),
      previous: previous.map((secret) => ({ ...this.shown(row.id, secret), expires_at: secret.expires_at ?? '' })),
    };
  }

  private shown(endpointId: string, secret: SealedSecret): { secret: string } | { public_key: string } {
    if (secret.public_key !== undefined) return { public_key: secret.public_key };
    try {
      return { secret: this.cipher.open(secret.sealed, sealedAt.endpointSecret(endpointId)) };
    } catch (error) {
      // Sealed for another row, altered, or under a key no longer configured: never shown. The
      // cause names no secret; it is logged, and the answer says what to do.
      this.logger.error({ msg: 'signing secret cannot be opened', endpoint_id: endpointId, err: error });
      throw new ProblemException(HttpStatus.INTERNAL_SERVER_ERROR,
        `Endpoint ${endpointId}'s signing secret cannot be opened (it was altered, copied from another endpoint, or sealed with a key no longer configured); rotate its secret to issue a new one.`);
    }
  }
}


const invalid = (field: string, message: string) =>
  new ProblemException(HttpStatus.BAD_REQUEST, `${field}: ${message}`, { errors: [{ field, message }] });
