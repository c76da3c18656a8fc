/**
 * Kodo's access keys, as both APIs see them: S3 (SigV4) and Qiniu (AK/SK tokens) sign with the same
 * pair. A key is scoped to every bucket or to one, read-write or read-only. The key file is owned
 * by the server (`../server/`); the APIs only look keys up and ask `authorize`.
 */
export interface AccessKey {
  /** 20 upper-case letters and digits, as AWS's (`AKIA…`-like; ours start with `KODO`). */
  accessKeyId: string;
  /** 40 characters of base64url-ish secret: what both signatures are computed with. */
  secretKey: string;
  /** null: every bucket (and creating/deleting buckets); a name: that bucket only. */
  bucket: string | null;
  access: 'read-write' | 'read-only';
  /** ISO 8601 creation time. */
  created: string;
  description: string;
}

/** What the S3 and Qiniu layers need of the key store. */
export interface AccessKeyLookup {
  get(accessKeyId: string): AccessKey | undefined;
}

/**
 * What a request does, for authorization:
 * - `list-buckets`: the service-level listing (a bucket-scoped key sees only its bucket);
 * - `bucket-admin`: create or delete a bucket, change its settings (needs an all-buckets read-write key);
 * - `read`: GET/HEAD objects, list objects, head bucket, list uploads/parts;
 * - `write`: PUT/DELETE objects, multipart, copy's destination.
 */
export type AccessAction = 'list-buckets' | 'bucket-admin' | 'read' | 'write';

/** Whether `key` may do `action` on `bucket`. Anonymous access (public-read buckets) is decided by the caller. */
export function authorize(key: AccessKey, action: AccessAction, bucket?: string): boolean {
  if (action === 'list-buckets') return true; // filtered to the key's bucket by the caller
  if (action === 'bucket-admin') return key.bucket === null && key.access === 'read-write';
  if (key.bucket !== null && key.bucket !== bucket) return false;
  return action === 'read' || key.access === 'read-write';
}
