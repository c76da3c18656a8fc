import { setPublicRead, isPublicRead } from './bucket-settings';
import { readSmallBody } from './request-body';
import { isoTime, OWNER, sendEmpty, sendXml } from './responses';
import { invalidArgument, malformedXml, notImplemented, S3Error } from './s3-errors';
import { bucketOf, type S3Context } from './s3-context';
import { buildTextXml, buildXml, childText, parseXml, type XmlElement } from './xml';

/** ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, the canned ACLs. */

export async function listBuckets(ctx: S3Context): Promise<void> {
  const all = await ctx.store.listBuckets();
  // A key scoped to one bucket sees that bucket only (S3 would show the account's: Kodo's keys are narrower).
  const scope = ctx.principal?.bucket ?? null;
  const buckets = scope === null ? all : all.filter((b) => b.name === scope);
  sendXml(
    ctx,
    200,
    buildXml('ListAllMyBucketsResult', {
      Owner: OWNER,
      Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: isoTime(b.created) })) },
    }),
  );
}

/** CreateBucket's optional body names a region: it must be ours (S3: IllegalLocationConstraintException). */
async function readLocationConstraint(ctx: S3Context): Promise<void> {
  const body = await readSmallBody(ctx, 64 * 1024, () => malformedXml('CreateBucketConfiguration is larger than 64 KiB'));
  if (body.length === 0) return;
  const doc = parseXml(body.toString('utf8'));
  const config = doc.CreateBucketConfiguration;
  if (config === undefined) throw malformedXml('the root element must be CreateBucketConfiguration');
  const location = childText(config, 'LocationConstraint');
  if (location !== undefined && location !== '' && location !== ctx.region) {
    throw new S3Error(
      'IllegalLocationConstraintException',
      400,
      `The ${location} location constraint is incompatible for the region specific endpoint this request was sent to: this endpoint serves ${ctx.region}.`,
    );
  }
}

/** The canned ACL a request sets (x-amz-acl), as public-read or not; others are refused. */
function cannedPublicRead(ctx: S3Context): boolean | undefined {
  const raw = ctx.req.headers['x-amz-acl'];
  if (raw === undefined) return undefined;
  const acl = String(raw);
  if (acl === 'private') return false;
  if (acl === 'public-read') return true;
  if (acl === 'public-read-write' || acl === 'authenticated-read' || acl === 'bucket-owner-read' || acl === 'bucket-owner-full-control' || acl === 'log-delivery-write' || acl === 'aws-exec-read') {
    throw notImplemented(`The canned ACL ${acl} (Kodo serves private and public-read)`);
  }
  throw invalidArgument(`x-amz-acl "${acl}" is not a canned ACL: use private or public-read.`, 'x-amz-acl', acl);
}

export async function createBucket(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const publicRead = cannedPublicRead(ctx);
  await readLocationConstraint(ctx);
  await ctx.store.createBucket(bucket);
  if (publicRead === true) await setPublicRead(ctx.store, bucket, true);
  sendEmpty(ctx, 200, { Location: `/${bucket}` });
}

export async function headBucket(ctx: S3Context): Promise<void> {
  await ctx.store.headBucket(bucketOf(ctx));
  sendEmpty(ctx, 200, { 'x-amz-bucket-region': ctx.region });
}

export async function deleteBucket(ctx: S3Context): Promise<void> {
  await ctx.store.deleteBucket(bucketOf(ctx));
  sendEmpty(ctx, 204);
}

export async function getBucketLocation(ctx: S3Context): Promise<void> {
  await ctx.store.headBucket(bucketOf(ctx));
  // S3 answers an empty constraint for us-east-1 (its historical default), the region's name otherwise.
  sendXml(ctx, 200, buildTextXml('LocationConstraint', ctx.region === 'us-east-1' ? '' : ctx.region));
}

/** Kodo keeps no versions, so a bucket's versioning was never enabled: S3's empty document says so. */
export async function getBucketVersioning(ctx: S3Context): Promise<void> {
  await ctx.store.headBucket(bucketOf(ctx));
  sendXml(ctx, 200, buildXml('VersioningConfiguration', {}));
}

/** GET ?acl of a bucket or an object: the owner's full control, and everyone's READ when the bucket is public-read. */
export async function getAcl(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  if (ctx.target.key !== undefined) await ctx.store.headObject(bucket, ctx.target.key);
  else await ctx.store.headBucket(bucket);
  const grants: XmlElement[] = [
    { Grantee: { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:type': 'CanonicalUser', ...OWNER }, Permission: 'FULL_CONTROL' },
  ];
  if (await isPublicRead(ctx.store, bucket)) {
    grants.push({ Grantee: { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:type': 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' });
  }
  sendXml(ctx, 200, buildXml('AccessControlPolicy', { Owner: OWNER, AccessControlList: { Grant: grants } }));
}

/** PUT ?acl with a canned ACL (what S3 tools send: `aws s3api put-bucket-acl --acl public-read`). */
export async function putBucketAcl(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const publicRead = cannedPublicRead(ctx);
  if (publicRead === undefined) {
    throw notImplemented('Setting an ACL from an AccessControlPolicy document (send the x-amz-acl header, private or public-read, instead)');
  }
  await ctx.store.headBucket(bucket);
  await setPublicRead(ctx.store, bucket, publicRead);
  sendEmpty(ctx, 200);
}
