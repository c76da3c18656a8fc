import { safeStorage } from 'electron';
import type { Logger } from '../../core/log';
import { createKeyFileSecretBox } from '../../secrets/key-file-secret-box';
import { FORMAT_OS_KEYCHAIN, type SecretBox, SecretUnreadableError } from '../../secrets/secret-box';

/**
 * The OS keychain (macOS Keychain, Windows DPAPI, libsecret/kwallet on Linux) through Electron's
 * safeStorage. On Linux without a keyring, safeStorage falls back to a hard-coded key
 * ('basic_text'), which protects nothing; we use the 0600 key file instead and log why.
 */
export function createSafeStorageSecretBox(dataDir: string, log: Logger): SecretBox {
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || weak) {
    log.warn('OS keychain unavailable; secrets are encrypted with a key file in the data directory instead', { dataDir });
    return createKeyFileSecretBox(dataDir);
  }
  return {
    kind: 'os-keychain',
    encrypt(plain) {
      return Buffer.concat([Buffer.from([FORMAT_OS_KEYCHAIN]), safeStorage.encryptString(plain)]);
    },
    decrypt(sealed) {
      if (sealed[0] !== FORMAT_OS_KEYCHAIN) throw new SecretUnreadableError('it was not encrypted with the OS keychain');
      try {
        return safeStorage.decryptString(sealed.subarray(1));
      } catch {
        throw new SecretUnreadableError('the OS keychain refused it');
      }
    },
  };
}
