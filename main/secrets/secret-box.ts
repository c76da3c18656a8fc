/**
 * Encrypts secrets before they reach the store. Two implementations: the OS keychain through
 * Electron's safeStorage (desktop), and a 0600 key file in the data directory (headless host and
 * CLI). Each ciphertext starts with a format byte, so a database moved between hosts fails with a
 * clear message instead of garbage.
 */
export interface SecretBox {
  readonly kind: 'os-keychain' | 'key-file';
  encrypt(plain: string): Buffer;
  /** Throws SecretUnreadableError when the ciphertext was not made by this box or was altered. */
  decrypt(sealed: Buffer): string;
}

export const FORMAT_KEY_FILE = 1;
export const FORMAT_OS_KEYCHAIN = 2;

export class SecretUnreadableError extends Error {
  constructor(reason: string) {
    super(
      `A stored credential cannot be decrypted (${reason}). It was saved with another key — for example by the ` +
        `desktop app while this is the headless host, or before the key file was replaced. Enter the credential again.`,
    );
    this.name = 'SecretUnreadableError';
  }
}
