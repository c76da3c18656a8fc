import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';
import { makeTempDir } from '../helpers/temp-dir';

/**
 * Kodo's S3 API through Debian's AWS CLI (/usr/bin/aws, package awscli; never a pyenv shim): the
 * high-level `aws s3` commands (mb, cp both ways, ls, rm, rb) and `aws s3api` calls a person
 * types (head-object, ACLs, copy-object, delete-objects, list-objects-v2), and what it prints for
 * an S3 error.
 */

const AWS = '/usr/bin/aws';
let s3: KodoS3Server;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  s3 = await startKodoS3Server();
  tmp = makeTempDir('kodo-s3-cli');
});
afterAll(async () => {
  await s3?.close();
  tmp?.cleanup();
});

/** Runs the CLI (asynchronously: the server answers in this process). */
function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: tmp.dir,
    AWS_ACCESS_KEY_ID: s3.keys.admin.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.keys.admin.secretKey,
    AWS_DEFAULT_REGION: s3.region,
    AWS_CONFIG_FILE: path.join(tmp.dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp.dir, 'no-credentials'),
    AWS_PAGER: '',
  };
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', s3.endpoint, '--no-cli-pager', ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await aws(...args);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

it('is the Debian CLI', async () => {
  expect(fs.existsSync(AWS), 'install awscli (scripts/setup-system.sh)').toBe(true);
  expect(await ok('--version')).toMatch(/^aws-cli\//);
});

it('mb, cp up and down, ls, rm, rb', async () => {
  await ok('s3', 'mb', 's3://cli-bucket');
  const local = path.join(tmp.dir, 'upload.bin');
  const body = randomBytes(3 * 1024 * 1024 + 11);
  fs.writeFileSync(local, body);
  await ok('s3', 'cp', local, 's3://cli-bucket/dir/with space+plus.bin');
  await ok('s3', 'cp', local, 's3://cli-bucket/top.bin', '--content-type', 'application/x-test', '--metadata', 'origin=cli');

  const listing = await ok('s3', 'ls', 's3://cli-bucket/', '--recursive');
  expect(listing).toContain('dir/with space+plus.bin');
  expect(listing).toContain('top.bin');
  const top = await ok('s3', 'ls', 's3://cli-bucket/');
  expect(top).toMatch(/PRE dir\//);

  const back = path.join(tmp.dir, 'download.bin');
  await ok('s3', 'cp', 's3://cli-bucket/dir/with space+plus.bin', back);
  expect(fs.readFileSync(back).equals(body)).toBe(true);

  const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'top.bin')) as { ContentType: string; Metadata: Record<string, string>; ContentLength: number };
  expect(head).toMatchObject({ ContentType: 'application/x-test', Metadata: { origin: 'cli' }, ContentLength: body.length });

  await ok('s3', 'rm', 's3://cli-bucket/top.bin');
  expect(await ok('s3', 'ls', 's3://cli-bucket/', '--recursive')).not.toContain('top.bin');
  await ok('s3', 'rb', 's3://cli-bucket', '--force');
  expect(await ok('s3', 'ls')).not.toContain('cli-bucket');
});

it('s3api: ACLs, copy-object, delete-objects, list-objects-v2', async () => {
  await ok('s3api', 'create-bucket', '--bucket', 'cli-api');
  await ok('s3api', 'put-object', '--bucket', 'cli-api', '--key', 'a.txt', '--body', path.join(tmp.dir, 'upload.bin'));
  await ok('s3api', 'put-bucket-acl', '--bucket', 'cli-api', '--acl', 'public-read');
  const acl = JSON.parse(await ok('s3api', 'get-bucket-acl', '--bucket', 'cli-api')) as { Grants: { Grantee: { URI?: string }; Permission: string }[] };
  expect(acl.Grants.some((g) => g.Grantee.URI?.endsWith('/AllUsers') && g.Permission === 'READ')).toBe(true);

  const copy = JSON.parse(await ok('s3api', 'copy-object', '--bucket', 'cli-api', '--key', 'b.txt', '--copy-source', 'cli-api/a.txt')) as { CopyObjectResult: { ETag: string } };
  expect(copy.CopyObjectResult.ETag).toMatch(/^"[0-9a-f]{32}"$/);
  const listed = JSON.parse(await ok('s3api', 'list-objects-v2', '--bucket', 'cli-api')) as { Contents: { Key: string }[]; KeyCount: number };
  expect(listed.Contents.map((c) => c.Key)).toEqual(['a.txt', 'b.txt']);

  const deleted = JSON.parse(await ok('s3api', 'delete-objects', '--bucket', 'cli-api', '--delete', '{"Objects":[{"Key":"a.txt"},{"Key":"b.txt"}]}')) as { Deleted: { Key: string }[] };
  expect(deleted.Deleted.map((d) => d.Key).sort()).toEqual(['a.txt', 'b.txt']);
  const empty = await ok('s3api', 'list-objects-v2', '--bucket', 'cli-api');
  expect(empty).not.toContain('a.txt');
});

it('prints S3\'s error code and message for a failure', async () => {
  await ok('s3api', 'create-bucket', '--bucket', 'cli-errors');
  const missing = await aws('s3api', 'get-object', '--bucket', 'cli-errors', '--key', 'absent', path.join(tmp.dir, 'out'));
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('NoSuchKey');
  const twice = await aws('s3api', 'create-bucket', '--bucket', 'cli-errors');
  expect(twice.stderr).toContain('BucketAlreadyOwnedByYou');
  const invalid = await aws('s3api', 'create-bucket', '--bucket', 'Bad_Name');
  expect(invalid.code).not.toBe(0);
});
