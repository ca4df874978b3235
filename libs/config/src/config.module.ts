import { DynamicModule, Global, Module } from '@nestjs/common';
import { HookledgerConfig } from './hookledger-config';

/** Provides the already-validated config to every module: inject `HookledgerConfig`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HookledgerConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: HookledgerConfig, useValue: config }], exports: [HookledgerConfig] };
  }
}
