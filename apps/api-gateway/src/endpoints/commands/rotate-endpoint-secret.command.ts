import { Command } from '@nestjs/cqrs';
import type { SignatureProfile } from '@hookledger/domain';

/** POST /v1/endpoints/:id/secret/rotate: a new signing key; the others keep signing for the grace period. */
export class RotateEndpointSecretCommand extends Command<void> {
  constructor(
    readonly endpointId: string,
    readonly gracePeriodS: number,
    readonly secret: string | undefined,
    readonly signatureProfile: SignatureProfile | undefined,
    readonly actor: string,
  ) {
    super();
  }
}
