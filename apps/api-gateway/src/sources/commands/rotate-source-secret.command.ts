import { Command } from '@nestjs/cqrs';
import type { SourceType } from '@hookledger/domain';

/** POST /v1/sources/:id/secret/rotate: answers the new secret, shown this once. */
export class RotateSourceSecretCommand extends Command<{ readonly secret: string }> {
  constructor(
    readonly sourceId: string,
    readonly tenantId: string,
    readonly type: SourceType,
    readonly gracePeriodS: number,
    readonly secret: string | undefined,
    readonly actor: string,
  ) {
    super();
  }
}
