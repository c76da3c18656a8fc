import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../../../agent/atomic-file';
import type { AccessKey, AccessKeyLookup } from '../access/access-keys';

/**
 * The access keys, in `<state dir>/keys.json` (0600, root's: the server needs the plain secret to
 * check SigV4 and Qiniu signatures, as every S3 server does; what protects it is the file's owner
 * and mode). Written atomically; an unreadable file is refused loudly at start rather than
 * treated as "no keys" (which would lock every client out silently and then be overwritten).
 */
export interface AccessKeyStore extends AccessKeyLookup {
  list(): AccessKey[];
  create(options: { bucket: string | null; access: AccessKey['access']; description: string }): AccessKey;
  revoke(accessKeyId: string): boolean;
}

/** The key presigned links are signed with: one per store, listed like any other, revoked to void every link. */
export const LINK_KEY_DESCRIPTION = 'Presigned links (object browser)';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `KODO` + 16 characters: 20 in all, like AWS's key ids (some tools check the length). */
function newAccessKeyId(): string {
  const bytes = crypto.randomBytes(16);
  return `KODO${[...bytes].map((b) => ID_ALPHABET[b & 31]).join('')}`;
}

export function openAccessKeyStore(file: string, now: () => Date = () => new Date()): AccessKeyStore {
  let keys = new Map<string, AccessKey>();
  if (fs.existsSync(file)) {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown; keys?: unknown };
    if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error(`${file} is not a Kodo key file (version 1); move it aside to start with no keys`);
    keys = new Map((parsed.keys as AccessKey[]).map((k) => [k.accessKeyId, k]));
  }
  const save = () => writeFileAtomic(file, `${JSON.stringify({ version: 1, keys: [...keys.values()] }, null, 2)}\n`, { mode: 0o600 });
  return {
    get: (id) => keys.get(id),
    list: () => [...keys.values()],
    create({ bucket, access, description }) {
      const key: AccessKey = { accessKeyId: newAccessKeyId(), secretKey: crypto.randomBytes(30).toString('base64url'), bucket, access, created: now().toISOString(), description };
      const next = new Map(keys).set(key.accessKeyId, key);
      const previous = keys;
      keys = next;
      try {
        save();
      } catch (error) {
        keys = previous; // not written: not created
        throw error;
      }
      return key;
    },
    revoke(accessKeyId) {
      if (!keys.has(accessKeyId)) return false;
      const previous = keys;
      keys = new Map(keys);
      keys.delete(accessKeyId);
      try {
        save();
      } catch (error) {
        keys = previous;
        throw error;
      }
      return true;
    },
  };
}
