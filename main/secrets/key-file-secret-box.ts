import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { FORMAT_KEY_FILE, type SecretBox, SecretUnreadableError } from './secret-box';

export const KEY_FILE_NAME = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random key kept in `<dataDir>/secret.key`, mode 0600.
 *
 * Trade-off (see README): this protects secrets in a copied database, a backup or a support bundle
 * that leaves the key file behind, and from other non-root users of the machine. It does not protect
 * against someone who can read the data directory as this user or as root — exactly like an
 * `~/.ssh/id_*` file. The desktop host uses the OS keychain instead.
 */
export function createKeyFileSecretBox(dataDir: string): SecretBox {
  const key = loadOrCreateKey(path.join(dataDir, KEY_FILE_NAME));
  return {
    kind: 'key-file',
    encrypt(plain) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT_KEY_FILE]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_KEY_FILE) {
        throw new SecretUnreadableError('it was not encrypted with a key file');
      }
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadableError('the key does not match or the data was altered');
      }
    },
  };
}

function loadOrCreateKey(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': create only if absent, so two processes starting together cannot overwrite each other's key.
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(KEY_BYTES));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Opening the store made the data directory private (core/data-dir.ts); a key file still open to
  // others here was not ours to tighten, or was loosened since: refuse it rather than use it.
  const st = fs.statSync(file);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new ApiError('store-refused', `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 '${file}'`, { params: { file } });
  }
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES) throw new Error(`${file} is not a valid key file (${key.length} bytes, expected ${KEY_BYTES})`);
  return key;
}
