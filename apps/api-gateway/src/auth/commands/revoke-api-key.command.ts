import { Command } from '@nestjs/cqrs';
import type { Principal } from '../principal';

/** DELETE /v1/api-keys/:id: a key or a portal token stops working at once; revoking twice changes nothing. */
export class RevokeApiKeyCommand extends Command<void> {
  constructor(readonly keyId: string, readonly principal: Principal) {
    super();
  }
}
