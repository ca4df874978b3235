import { Global, Module } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointKeys } from './endpoint-keys';
import { SecretCipher } from './secret-cipher';
import { TenantDataKeys } from './tenant-data-keys';

@Global()
@Module({
  providers: [{ provide: SecretCipher, inject: [HookledgerConfig], useFactory: (config: HookledgerConfig) => new SecretCipher(config.encryptionKey, config.previousEncryptionKeys) }, EndpointKeys, TenantDataKeys],
  exports: [SecretCipher, EndpointKeys, TenantDataKeys],
})
export class SecretsModule {}
