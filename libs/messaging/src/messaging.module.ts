import { DynamicModule, Global, Module } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { JetStreamConnection } from './jetstream-connection';
import { JetStreamConsumers } from './jetstream-consumers';
import { JetStreamPublisher } from './jetstream-publisher';
import { MessagingHealth } from './messaging-health';

/**
 * NATS JetStream for an app: connects (the connection named after the app), declares the
 * namespace's streams and durable consumers, and on app.close() stops the consumers, waits for
 * their handlers, then drains the connection.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: JetStreamConnection,
          inject: [HookledgerConfig],
          useFactory: (config: HookledgerConfig) => JetStreamConnection.open(config, applicationName),
        },
        JetStreamPublisher,
        JetStreamConsumers,
        MessagingHealth,
      ],
      exports: [JetStreamConnection, JetStreamPublisher, JetStreamConsumers, MessagingHealth],
    };
  }
}
