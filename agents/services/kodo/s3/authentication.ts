import type { AccessKey } from '../access/access-keys';
import { S3Error } from './s3-errors';
import type { S3Context } from './s3-context';

/**
 * Who sent the request: the one place the router asks. Null: anonymous (no Authorization header,
 * no presigned query), which the router allows only for reading public-read buckets.
 *
 * >>> AUTH NOT WIRED YET: until ./auth lands (authenticateRequest, verifyPayload), this names the
 * key from the credential scope but DOES NOT VERIFY THE SIGNATURE. Replace the body of
 * `authenticate` with the auth module's call. <<<
 */
export async function authenticate(ctx: S3Context): Promise<AccessKey | null> {
  const header = ctx.req.headers.authorization;
  const credential = header !== undefined ? /Credential=([^/,\s]+)\//.exec(header)?.[1] : ctx.target.query.get('X-Amz-Credential')?.split('/')[0];
  if (header === undefined && !ctx.target.query.has('X-Amz-Credential')) return null;
  const key = credential !== undefined ? ctx.keys.get(credential) : undefined;
  if (!key) throw new S3Error('InvalidAccessKeyId', 403, 'The AWS access key Id you provided does not exist in our records: check the key on the appliance\'s Storage page.');
  return key;
}
