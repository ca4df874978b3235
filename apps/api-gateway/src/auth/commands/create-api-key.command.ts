import { Command } from '@nestjs/cqrs';
import type { Principal } from '../principal';

export interface CreatedApiKey {
  readonly id: string;
  /** The key itself: answered this once, stored only as its digest. */
  readonly key: string;
}

/** POST /v1/api-keys. */
export class CreateApiKeyCommand extends Command<CreatedApiKey> {
  constructor(
    readonly input: {
      readonly name?: string;
      readonly role: 'admin' | 'publisher' | 'reader' | 'auditor';
      readonly tenant_id?: string;
      readonly rate_limit_per_s?: number;
      readonly expires_at?: string;
    },
    readonly principal: Principal,
  ) {
    super();
  }
}
