import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPED_BUCKET, startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';

/**
 * Kodo's S3 buckets and the request plumbing around every operation: ListBuckets (a bucket-scoped
 * key sees its bucket only), CreateBucket's name rules and 409, HeadBucket, DeleteBucket of a
 * non-empty bucket, GetBucketLocation, canned ACLs and anonymous reads of public-read buckets,
 * authorization by key scope, NotImplemented / MethodNotAllowed, bad input, and metrics.
 */

let s3: KodoS3Server;
let admin: S3Client;

beforeAll(async () => {
  s3 = await startKodoS3Server();
  admin = s3.client();
});
afterAll(async () => {
  await s3?.close();
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { code: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('buckets', () => {
  it('creates, heads, lists, locates and deletes a bucket', async () => {
    const created = await admin.send(new CreateBucketCommand({ Bucket: 'life-cycle' }));
    expect(created.Location).toBe('/life-cycle');
    expect((await admin.send(new HeadBucketCommand({ Bucket: 'life-cycle' }))).$metadata.httpStatusCode).toBe(200);
    const list = await admin.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain('life-cycle');
    expect(list.Buckets?.find((b) => b.Name === 'life-cycle')?.CreationDate).toBeInstanceOf(Date);
    expect(list.Owner?.DisplayName).toBe('kodo');
    // us-east-1 is S3's empty LocationConstraint.
    expect((await admin.send(new GetBucketLocationCommand({ Bucket: 'life-cycle' }))).LocationConstraint).toBeUndefined();
    expect((await admin.send(new DeleteBucketCommand({ Bucket: 'life-cycle' }))).$metadata.httpStatusCode).toBe(204);
    expect(await failure(admin.send(new HeadBucketCommand({ Bucket: 'life-cycle' })))).toMatchObject({ status: 404 });
    expect(await failure(admin.send(new DeleteBucketCommand({ Bucket: 'life-cycle' })))).toMatchObject({ code: 'NoSuchBucket', status: 404 });
  });

  it('answers BucketAlreadyOwnedByYou (409) for an existing bucket, InvalidBucketName for S3-invalid names', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'twice' }));
    expect(await failure(admin.send(new CreateBucketCommand({ Bucket: 'twice' })))).toMatchObject({ code: 'BucketAlreadyOwnedByYou', status: 409 });
    for (const name of ['ab', 'Upper', 'under_score', 'a..b', '192.168.1.1', 'xn--abc', '-lead', 'x'.repeat(64)]) {
      const r = await s3.raw({ method: 'PUT', path: `/${encodeURIComponent(name)}` });
      expect(r.status, name).toBe(400);
      expect(r.body, name).toContain('<Code>InvalidBucketName</Code>');
    }
  });

  it('refuses a location constraint other than its region, and a malformed configuration', async () => {
    expect(await failure(admin.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })))).toMatchObject({
      code: 'IllegalLocationConstraintException',
      status: 400,
    });
    const r = await s3.raw({ method: 'PUT', path: '/malformed-config', body: '<CreateBucketConfiguration><Location' });
    expect(r.body).toContain('<Code>MalformedXML</Code>');
  });

  it('refuses to delete a bucket that holds objects (BucketNotEmpty, 409)', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'full' }));
    await admin.send(new PutObjectCommand({ Bucket: 'full', Key: 'a/b', Body: 'x' }));
    expect(await failure(admin.send(new DeleteBucketCommand({ Bucket: 'full' })))).toMatchObject({ code: 'BucketNotEmpty', status: 409 });
  });

  it('serves virtual-hosted-style requests (bucket in the Host)', async () => {
    const vh = s3.client(s3.keys.admin, { virtualHosted: true });
    await vh.send(new CreateBucketCommand({ Bucket: 'vhosted' }));
    await vh.send(new PutObjectCommand({ Bucket: 'vhosted', Key: 'k', Body: 'via host' }));
    const got = await admin.send(new GetObjectCommand({ Bucket: 'vhosted', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('via host');
    const raw = await s3.raw({ method: 'GET', path: '/k', host: `vhosted.s3.kodo.test:${s3.port}` });
    expect(raw.body).toBe('via host');
  });
});

describe('ACLs and anonymous reads', () => {
  it('reads a public-read bucket\'s objects anonymously, nothing else; private again stops it', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'public-site' }));
    await admin.send(new PutObjectCommand({ Bucket: 'public-site', Key: 'index.html', Body: '<h1>hi</h1>', ContentType: 'text/html' }));
    const anonymous = () => s3.raw({ method: 'GET', path: '/public-site/index.html', key: null });
    expect((await anonymous()).status).toBe(403);
    expect((await anonymous()).body).toContain('<Code>AccessDenied</Code>');

    await admin.send(new PutBucketAclCommand({ Bucket: 'public-site', ACL: 'public-read' }));
    const acl = await admin.send(new GetBucketAclCommand({ Bucket: 'public-site' }));
    expect(acl.Grants?.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ')).toBe(true);
    const read = await anonymous();
    expect(read.status).toBe(200);
    expect(read.body).toBe('<h1>hi</h1>');
    expect((await s3.raw({ method: 'HEAD', path: '/public-site/index.html', key: null })).status).toBe(200);
    // Listing, writing, and response-* overrides stay signed-only.
    expect((await s3.raw({ method: 'GET', path: '/public-site?list-type=2', key: null })).status).toBe(403);
    expect((await s3.raw({ method: 'PUT', path: '/public-site/new', key: null, body: 'x' })).status).toBe(403);
    const override = await s3.raw({ method: 'GET', path: '/public-site/index.html?response-content-type=text/plain', key: null });
    expect(override.status).toBe(400);
    expect(override.body).toContain('<Code>InvalidRequest</Code>');

    await admin.send(new PutBucketAclCommand({ Bucket: 'public-site', ACL: 'private' }));
    expect((await anonymous()).status).toBe(403);
    const privateAcl = await admin.send(new GetBucketAclCommand({ Bucket: 'public-site' }));
    expect(privateAcl.Grants?.map((g) => g.Permission)).toEqual(['FULL_CONTROL']);
  });

  it('creates a bucket public-read with x-amz-acl, and refuses canned ACLs it does not serve', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'born-public', ACL: 'public-read' }));
    await admin.send(new PutObjectCommand({ Bucket: 'born-public', Key: 'x', Body: 'open' }));
    expect((await s3.raw({ method: 'GET', path: '/born-public/x', key: null })).body).toBe('open');
    expect(await failure(admin.send(new PutBucketAclCommand({ Bucket: 'born-public', ACL: 'public-read-write' })))).toMatchObject({ code: 'NotImplemented', status: 501 });
  });
});

describe('authorization', () => {
  it('a bucket-scoped key lists only its bucket and cannot touch another', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: SCOPED_BUCKET }));
    await admin.send(new CreateBucketCommand({ Bucket: 'not-yours' }));
    const scoped = s3.client(s3.keys.scoped);
    const names = (await scoped.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    expect(names).toEqual([SCOPED_BUCKET]);
    await scoped.send(new PutObjectCommand({ Bucket: SCOPED_BUCKET, Key: 'mine', Body: 'x' }));
    expect(await failure(scoped.send(new PutObjectCommand({ Bucket: 'not-yours', Key: 'x', Body: 'x' })))).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(await failure(scoped.send(new ListObjectsV2Command({ Bucket: 'not-yours' })))).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(await failure(scoped.send(new CreateBucketCommand({ Bucket: 'scoped-new' })))).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('a read-only key reads but cannot write or create', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'read-me' }));
    await admin.send(new PutObjectCommand({ Bucket: 'read-me', Key: 'k', Body: 'ro' }));
    const ro = s3.client(s3.keys.readOnly);
    expect(await (await ro.send(new GetObjectCommand({ Bucket: 'read-me', Key: 'k' }))).Body!.transformToString()).toBe('ro');
    expect(await failure(ro.send(new PutObjectCommand({ Bucket: 'read-me', Key: 'k2', Body: 'x' })))).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(await failure(ro.send(new DeleteBucketCommand({ Bucket: 'read-me' })))).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('refuses an unknown key (InvalidAccessKeyId) and a wrong secret (SignatureDoesNotMatch)', async () => {
    const unknown = { ...s3.keys.admin, accessKeyId: 'KODOUNKNOWN000000001' };
    expect(await failure(s3.client(unknown).send(new ListBucketsCommand({})))).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    const wrong = { ...s3.keys.admin, secretKey: 'not-the-secret-not-the-secret-not-the-se' };
    expect(await failure(s3.client(wrong).send(new ListBucketsCommand({})))).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect((await s3.raw({ method: 'GET', path: '/', key: null })).status).toBe(403);
  });
});

describe('what is not served, and bad input', () => {
  it('answers NotImplemented (501) for APIs Kodo does not serve, naming them', async () => {
    await admin.send(new CreateBucketCommand({ Bucket: 'unserved' }));
    for (const sub of ['policy', 'lifecycle', 'tagging', 'cors', 'website', 'versions']) {
      const r = await s3.raw({ method: 'GET', path: `/unserved?${sub}` });
      expect(r.status, sub).toBe(501);
      expect(r.body).toContain('<Code>NotImplemented</Code>');
    }
    const versioning = await s3.raw({ method: 'GET', path: '/unserved?versioning' });
    expect(versioning.status).toBe(200);
    expect(versioning.body).toContain('<VersioningConfiguration');
    expect((await s3.raw({ method: 'PUT', path: '/unserved?versioning', body: '<VersioningConfiguration/>' })).status).toBe(501);
  });

  it('answers MethodNotAllowed (405) for a method an address does not take', async () => {
    for (const [method, path] of [['POST', '/'], ['DELETE', '/'], ['PATCH', '/unserved'], ['POST', '/unserved/key']] as const) {
      const r = await s3.raw({ method, path });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.body).toContain('<Code>MethodNotAllowed</Code>');
    }
  });

  it('never answers without S3\'s error document, and counts every request once in the metrics', async () => {
    const before = s3.observations.length;
    const r = await s3.raw({ method: 'GET', path: '/unserved/%ZZ' });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/^<\?xml[^>]*\?>\s*<Error><Code>InvalidURI<\/Code><Message>[^<]+<\/Message><Resource>\/unserved\/%ZZ<\/Resource><RequestId>[0-9A-F]{16}<\/RequestId><\/Error>$/);
    expect(s3.observations.length).toBe(before + 1);
    const observation = s3.observations.at(-1)!;
    expect(observation).toMatchObject({ api: 's3', status: 400 });
    await admin.send(new PutObjectCommand({ Bucket: 'unserved', Key: 'counted', Body: Buffer.alloc(1000) }));
    await admin.send(new GetObjectCommand({ Bucket: 'unserved', Key: 'counted' })).then((o) => o.Body!.transformToByteArray());
    const put = s3.observations.find((o) => o.operation === 'PutObject' && o.bytesIn === 1000);
    expect(put).toMatchObject({ status: 200 });
    const get = s3.observations.findLast((o) => o.operation === 'GetObject');
    expect(get).toMatchObject({ status: 200, bytesOut: 1000 });
  });

  it('answers 431 to a request whose headers pass the server\'s limit, and keeps serving', async () => {
    // Node answers 431 itself (before the handler, so not S3's XML): the server's maxHeaderSize, 16 KiB in the Kodo server.
    const r = await s3.raw({ method: 'GET', path: '/unserved/x', key: null, headers: { 'x-padding': 'p'.repeat(20_000) } });
    expect(r.status).toBe(431);
    expect((await admin.send(new HeadBucketCommand({ Bucket: 'unserved' }))).$metadata.httpStatusCode).toBe(200);
  });
});
