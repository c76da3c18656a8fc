import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFileSecretBox, KEY_FILE_NAME } from '../../main/secrets/key-file-secret-box';
import { SecretUnreadableError } from '../../main/secrets/secret-box';
import { makeTempDir } from '../helpers/temp-dir';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = makeTempDir('secrets');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('key-file secret box', () => {
  it('round-trips text, including non-ASCII and multi-line keys', () => {
    const box = createKeyFileSecretBox(dir());
    for (const plain of ['hunter2', '密码-口令', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n', '']) {
      const sealed = box.encrypt(plain);
      expect(sealed.includes(Buffer.from(plain)) && plain.length > 0).toBe(false);
      expect(box.decrypt(sealed)).toBe(plain);
    }
  });

  it('uses a fresh nonce each time', () => {
    const box = createKeyFileSecretBox(dir());
    expect(box.encrypt('same').equals(box.encrypt('same'))).toBe(false);
  });

  it('creates the key file with mode 0600 and reuses it', () => {
    const d = dir();
    const sealed = createKeyFileSecretBox(d).encrypt('keep me');
    expect(fs.statSync(path.join(d, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(createKeyFileSecretBox(d).decrypt(sealed)).toBe('keep me');
  });

  it('detects tampering and a different key', () => {
    const box = createKeyFileSecretBox(dir());
    const sealed = box.encrypt('value');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.decrypt(tampered)).toThrow(SecretUnreadableError);
    expect(() => createKeyFileSecretBox(dir()).decrypt(sealed)).toThrow(/Enter the credential again/);
  });

  it('refuses a key file other users can read', () => {
    const d = dir();
    createKeyFileSecretBox(d);
    fs.chmodSync(path.join(d, KEY_FILE_NAME), 0o644);
    expect(() => createKeyFileSecretBox(d)).toThrow(/chmod 600/);
  });
});
