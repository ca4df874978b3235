export { SecretCipher } from './secret-cipher';
export { SecretsModule } from './secrets.module';
