import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { keysInForce, SigningKeyReference } from '@hookledger/domain';
import { EndpointProjection, EndpointRow } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { EndpointKeyRow, EndpointKeys } from '@hookledger/secrets';
import { DataSource } from 'typeorm';
import { EndpointSecretResource } from './endpoint-secret.dto';
import { notFound } from '../http/not-found';

/**
 * What GET …/secret (and a rotation's answer) shows of an endpoint's signing keys: the ones in
 * force, newest first, opened from the key table. For standard-ed25519 only the public key.
 */
@Injectable()
export class EndpointSecretService {
  private readonly logger = new Logger(EndpointSecretService.name);

  constructor(private readonly db: DataSource, private readonly endpoints: EndpointProjection, private readonly keys: EndpointKeys) {}

  async get(id: string): Promise<EndpointSecretResource> {
    const row = await this.endpoints.find(id);
    if (!row) throw notFound('endpoint', id);
    const live = keysInForce(row.signing_keys, new Date());
    const sealed = await this.keys.find(this.db, live.map((key) => key.key_id));
    const [current, ...previous] = live;
    if (!current) throw new ProblemException(HttpStatus.CONFLICT, `Endpoint ${row.id} has no signing key in force; rotate its secret to issue one.`);
    return {
      signature_profile: row.signature_profile,
      ...this.shown(row, current, sealed),
      previous: previous.map((key) => ({ ...this.shown(row, key, sealed), expires_at: key.expires_at ?? '' })),
    };
  }

  private shown(endpoint: EndpointRow, key: SigningKeyReference, sealed: Map<string, EndpointKeyRow>): { secret: string } | { public_key: string } {
    const row = sealed.get(key.key_id);
    if (row?.public_key) return { public_key: row.public_key };
    try {
      if (!row) throw new Error(`signing key ${key.key_id} is missing from endpoint_keys`);
      return { secret: this.keys.open(row) };
    } catch (error) {
      // Sealed for another row, altered, or under a key no longer configured: never shown. The
      // cause names no secret; it is logged, and the answer says what to do.
      this.logger.error({ msg: 'signing secret cannot be opened', endpoint_id: endpoint.id, key_id: key.key_id, err: error });
      throw new ProblemException(HttpStatus.INTERNAL_SERVER_ERROR,
        `Endpoint ${endpoint.id}'s signing secret cannot be opened (it was altered, copied from another endpoint, or sealed with a key no longer configured); rotate its secret to issue a new one.`);
    }
  }
}
