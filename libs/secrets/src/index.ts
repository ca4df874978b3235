export { SecretCipher } from './secret-cipher';
export { SecretsModule } from './secrets.module';
export { reencryptSecrets } from './reencrypt-secrets';
export type { ReencryptionCounts, ReencryptionReport } from './reencrypt-secrets';
