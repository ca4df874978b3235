export { HookledgerConfig, ConfigError, loadConfig, DEFAULT_RETRY_SCHEDULE } from './hookledger-config';
export type { LoadConfigOptions } from './hookledger-config';
export { ConfigModule } from './config.module';
export { unsafeSettings } from './unsafe-settings';
