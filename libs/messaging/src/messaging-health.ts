import { Injectable } from '@nestjs/common';
import { JetStreamConnection } from './jetstream-connection';

export interface MessagingHealthStatus {
  readonly status: 'up' | 'down';
  readonly details: Readonly<Record<string, string | number>>;
}

/** For /health: is the connection open, and does JetStream answer within the timeout? */
@Injectable()
export class MessagingHealth {
  constructor(private readonly connection: JetStreamConnection) {}

  async check(timeoutMs = 2000): Promise<MessagingHealthStatus> {
    const { nc, jsm } = this.connection;
    if (nc.isClosed()) return down('connection closed');
    if (nc.isDraining()) return down('connection draining');
    if (!this.connection.isConnected) return down('disconnected, reconnecting');
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`JetStream did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const account = await Promise.race([jsm.getAccountInfo(), timeout]);
      return { status: 'up', details: { server: nc.getServer(), latency_ms: Date.now() - started, streams: account.streams, consumers: account.consumers } };
    } catch (error) {
      return down(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }
}

function down(reason: string): MessagingHealthStatus {
  return { status: 'down', details: { reason } };
}
