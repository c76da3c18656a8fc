import crypto from 'node:crypto';

/**
 * `SHA256:<base64, no padding>` of the raw public key blob — byte for byte what `ssh-keygen -l`
 * and OpenSSH's "key fingerprint is" print, so a person can compare it with the machine's console.
 */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH public key blob (its first length-prefixed string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}
