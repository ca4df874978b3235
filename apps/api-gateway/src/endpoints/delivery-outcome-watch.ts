import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { JetStreamConnection } from '@hookledger/messaging';

/** Waits for news of one event's deliveries: `next` answers true on news, false after `timeoutMs` without. */
export interface OutcomeWatcher {
  next(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * Wakes whoever waits on an event's delivery when the dispatcher announces an outcome
 * (`<ns>.evt.delivery.succeeded|failed|exhausted`, relayed from its outbox). One plain NATS
 * subscription for the process: a request waiting for a test send holds no database connection
 * and sends no query until there is news, however long the receiver takes.
 */
@Injectable()
export class DeliveryOutcomeWatch implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryOutcomeWatch.name);
  private readonly listeners = new Map<string, Set<() => void>>();
  private subscription?: { unsubscribe(): void };

  constructor(private readonly connection: JetStreamConnection) {}

  onModuleInit(): void {
    this.subscription = this.connection.nc.subscribe(`${this.connection.topology.namespace}.evt.delivery.*`, {
      callback: (error, message) => {
        if (error) {
          this.logger.warn({ msg: 'delivery outcome subscription failed', err: error });
          return;
        }
        const eventId = eventIdOf(message.data);
        if (eventId) for (const listener of this.listeners.get(eventId) ?? []) listener();
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Start watching before publishing the event, so news that comes first is not missed. */
  watch(eventId: string): OutcomeWatcher {
    let news = false;
    let wake: ((news: boolean) => void) | null = null;
    const listener = () => {
      news = true;
      wake?.(true);
    };
    let listeners = this.listeners.get(eventId);
    if (!listeners) this.listeners.set(eventId, (listeners = new Set()));
    listeners.add(listener);
    return {
      next: (timeoutMs) => new Promise<boolean>((resolve) => {
        if (news) {
          news = false;
          resolve(true);
          return;
        }
        const timer = setTimeout(() => done(false), timeoutMs);
        const done = (came: boolean) => {
          clearTimeout(timer);
          wake = null;
          news = false;
          resolve(came);
        };
        wake = done;
      }),
      close: () => {
        wake?.(false);
        listeners.delete(listener);
        if (listeners.size === 0) this.listeners.delete(eventId);
      },
    };
  }
}

function eventIdOf(data: Uint8Array): string | null {
  try {
    const id = (JSON.parse(Buffer.from(data).toString('utf8')) as { data?: { event_id?: unknown } }).data?.event_id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
