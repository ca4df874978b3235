import { DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_LEDGER_SIGNING_KEY } from './development-encryption-key';
import type { HookledgerConfig } from './hookledger-config';

/**
 * The settings in effect that are safe for development only, each naming its variable and what it
 * allows; empty for a production configuration. Every app logs them as one warning at start, so
 * a development default carried into a real deployment is seen, not discovered.
 */
export function unsafeSettings(config: HookledgerConfig): readonly string[] {
  const unsafe: string[] = [];
  if (config.allowPrivateNetworks) {
    unsafe.push('HOOKS_ALLOW_PRIVATE_NETWORKS=true: deliveries may reach private, loopback and link-local addresses (no SSRF guard)');
  }
  if (config.allowHttp) unsafe.push('HOOKS_ALLOW_HTTP=true: endpoints may use plain http:// URLs');
  if (config.encryptionKey.equals(DEVELOPMENT_ENCRYPTION_KEY)) {
    unsafe.push('HOOKS_ENCRYPTION_KEY: secrets at rest are sealed with the public development key (the default when it is unset)');
  }
  if (config.ledger.signingKey.equals(DEVELOPMENT_LEDGER_SIGNING_KEY)) {
    unsafe.push('HOOKS_LEDGER_SIGNING_KEY: ledger checkpoints are signed with the public development key (the default when it is unset), so they prove nothing');
  }
  return unsafe;
}
