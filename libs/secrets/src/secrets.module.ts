import { Global, Module } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { EndpointKeys } from './endpoint-keys';
import { SecretCipher } from './secret-cipher';

@Global()
@Module({
  providers: [{ provide: SecretCipher, inject: [HookledgerConfig], useFactory: (config: HookledgerConfig) => new SecretCipher(config.encryptionKey, config.previousEncryptionKeys) }, EndpointKeys],
  exports: [SecretCipher, EndpointKeys],
})
export class SecretsModule {}
