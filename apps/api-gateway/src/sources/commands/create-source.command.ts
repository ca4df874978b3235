import { Command } from '@nestjs/cqrs';
import type { SourceType } from '@hookledger/domain';

/** POST /v1/sources: answers the new id and the secret, shown this once. */
export class CreateSourceCommand extends Command<{ readonly id: string; readonly secret: string }> {
  constructor(
    readonly tenantId: string,
    readonly type: SourceType,
    readonly name: string,
    readonly secret: string | undefined,
    readonly actor: string,
  ) {
    super();
  }
}
