export { SecretCipher } from './secret-cipher';
export { sealedAt } from './seal-context';
export type { SealContext } from './seal-context';
export { SecretsModule } from './secrets.module';
export { reencryptSecrets } from './reencrypt-secrets';
export type { ReencryptionCounts, ReencryptionReport } from './reencrypt-secrets';
export { EndpointKeys, endpointKeyContext } from './endpoint-keys';
export type { EndpointKeyRow } from './endpoint-keys';
