import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { TenantKeysDestroyedData } from '@hookledger/contracts';
import { JetStreamConnection } from '@hookledger/messaging';
import { TenantDataKeys } from './tenant-data-keys';

/**
 * Drops a tenant's cached data keys as soon as another process announces it destroyed some
 * (`<ns>.evt.tenant.erased`, `.payloads_purged`, relayed from the destroying transaction's
 * outbox): one plain NATS subscription per process. Without it a cached key would go on opening
 * (and sealing) for up to TenantDataKeys.CACHE_TTL_MS; that TTL stays the backstop when the news is
 * late or lost. Ingest does not depend on either: it holds its keys live in its own transaction.
 */
@Injectable()
export class TenantDataKeyEvictions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TenantDataKeyEvictions.name);
  private subscription?: { unsubscribe(): void };

  constructor(private readonly connection: JetStreamConnection, private readonly dataKeys: TenantDataKeys) {}

  onModuleInit(): void {
    this.subscription = this.connection.nc.subscribe(`${this.connection.topology.namespace}.evt.tenant.*`, {
      callback: (error, message) => {
        if (error) {
          this.logger.warn({ msg: 'tenant key announcement subscription failed', err: error });
          return;
        }
        const tenantId = tenantOf(message.data);
        if (tenantId) this.dataKeys.forget(tenantId);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}

function tenantOf(data: Uint8Array): string | null {
  try {
    const tenantId = (JSON.parse(Buffer.from(data).toString('utf8')) as { data?: Partial<TenantKeysDestroyedData> }).data?.tenant_id;
    return typeof tenantId === 'string' ? tenantId : null;
  } catch {
    return null;
  }
}
