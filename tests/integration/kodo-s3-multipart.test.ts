import { createCipheriv, createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';

/**
 * Kodo's multipart uploads through the AWS SDK over real HTTP to a real 4+2 store: a 200 MiB
 * upload in 8 MiB parts read back byte-identical (bytes generated per part, compared by hash, never
 * all held), S3's ETag, ranges across parts; UploadPartCopy of ranges of a source object; the
 * errors S3 answers (InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload, MalformedXML);
 * ListParts and ListMultipartUploads; abort.
 */

const MIB = 1 << 20;
let s3: KodoS3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startKodoS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: 'mpu' }));
});
afterAll(async () => {
  await s3?.close();
});

/** Part `n`'s bytes: AES-CTR keystream keyed by label and n. */
function partBytes(label: string, n: number, size: number): Buffer {
  const key = createHash('sha256').update(`${label}-${n}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest();

async function readAll(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { name: string }).name;
  }
  return 'no error';
}

describe('a 200 MiB multipart upload through the AWS SDK', () => {
  it('reads back byte-identical, with S3’s ETag, whole and across part boundaries', async () => {
    const PART = 8 * MIB;
    const PARTS = 25;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'video/big.bin', ContentType: 'video/mp4', Metadata: { origin: 'test' } }));
    expect(UploadId).toBeTruthy();
    const whole = createHash('sha256');
    const partMd5s: Buffer[] = [];
    const completed: { PartNumber: number; ETag: string }[] = [];
    // One part generated and held at a time.
    for (let n = 1; n <= PARTS; n++) {
      const body = partBytes('big', n, PART);
      whole.update(body);
      partMd5s.push(md5(body));
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'video/big.bin', UploadId, PartNumber: n, Body: body }));
      expect(ETag).toBe(`"${md5(body).toString('hex')}"`);
      completed.push({ PartNumber: n, ETag: ETag! });
    }
    const listed = await client.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'video/big.bin', UploadId, MaxParts: 10 }));
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(listed.IsTruncated).toBe(true);
    expect(listed.NextPartNumberMarker).toBe('10');
    const rest = await client.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'video/big.bin', UploadId, PartNumberMarker: '10' }));
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
    expect(rest.Parts?.[0]?.Size).toBe(PART);

    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: 'mpu', Key: 'video/big.bin', UploadId, MultipartUpload: { Parts: completed } }));
    const etag = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${PARTS}"`;
    expect(done.ETag).toBe(etag);
    expect(done.Key).toBe('video/big.bin');

    const head = await client.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'video/big.bin' }));
    expect([head.ContentLength, head.ETag, head.ContentType, head.Metadata]).toEqual([PARTS * PART, etag, 'video/mp4', { origin: 'test' }]);

    // Streamed and hashed as it arrives: never the whole object in memory.
    const got = await client.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'video/big.bin' }));
    const read = createHash('sha256');
    let size = 0;
    for await (const chunk of got.Body as Readable) {
      read.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(size).toBe(PARTS * PART);
    expect(read.digest('hex')).toBe(whole.digest('hex'));

    // A range from the end of part 3 into part 5.
    const start = 3 * PART - 1000;
    const end = 4 * PART + 999;
    const ranged = await client.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'video/big.bin', Range: `bytes=${start}-${end}` }));
    const expected = Buffer.concat([partBytes('big', 3, PART).subarray(PART - 1000), partBytes('big', 4, PART), partBytes('big', 5, PART).subarray(0, 1000)]);
    expect(ranged.ContentRange).toBe(`bytes ${start}-${end}/${PARTS * PART}`);
    expect((await readAll(ranged.Body)).equals(expected)).toBe(true);

    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: 'mpu' }))).Uploads ?? []).toEqual([]);
    expect(await errorName(client.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'video/big.bin', UploadId })))).toBe('NoSuchUpload');
  });
});

describe('UploadPartCopy', () => {
  it('copies ranges of an object into parts, and a whole small object as the last part', async () => {
    const source = partBytes('source', 0, 12 * MIB + 333);
    const tail = partBytes('tail', 0, 4321);
    await client.send(new PutObjectCommand({ Bucket: 'mpu', Key: 'src/one', Body: source }));
    await client.send(new PutObjectCommand({ Bucket: 'mpu', Key: 'src/tail', Body: tail }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'copied' }));
    const cut = 6 * MIB + 5;
    const first = await client.send(new UploadPartCopyCommand({ Bucket: 'mpu', Key: 'copied', UploadId, PartNumber: 1, CopySource: 'mpu/src/one', CopySourceRange: `bytes=${cut}-${source.length - 1}` }));
    const second = await client.send(new UploadPartCopyCommand({ Bucket: 'mpu', Key: 'copied', UploadId, PartNumber: 2, CopySource: 'mpu/src/one', CopySourceRange: `bytes=0-${cut - 1}` }));
    const third = await client.send(new UploadPartCopyCommand({ Bucket: 'mpu', Key: 'copied', UploadId, PartNumber: 3, CopySource: '/mpu/src/tail' }));
    expect(first.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(cut)).toString('hex')}"`);
    expect(third.CopyPartResult?.ETag).toBe(`"${md5(tail).toString('hex')}"`);
    // A range beyond the source: refused, nothing uploaded for that part.
    expect(await errorName(client.send(new UploadPartCopyCommand({ Bucket: 'mpu', Key: 'copied', UploadId, PartNumber: 4, CopySource: 'mpu/src/tail', CopySourceRange: 'bytes=0-99999' })))).toMatch(/InvalidArgument|InvalidRange/);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'mpu',
        Key: 'copied',
        UploadId,
        MultipartUpload: { Parts: [1, 2, 3].map((n, i) => ({ PartNumber: n, ETag: [first, second, third][i]!.CopyPartResult!.ETag! })) },
      }),
    );
    const got = await readAll((await client.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'copied' }))).Body);
    expect(got.equals(Buffer.concat([source.subarray(cut), source.subarray(0, cut), tail]))).toBe(true);
  });
});

describe('S3’s errors and listings', () => {
  it('answers InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload and MalformedXML, and lists and aborts uploads', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'err/x' }));
    const small = partBytes('small', 1, 1000);
    const big = partBytes('big5', 1, 5 * MIB);
    const p1 = await client.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'err/x', UploadId, PartNumber: 1, Body: small }));
    const p2 = await client.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'err/x', UploadId, PartNumber: 2, Body: big }));
    const complete = (parts: { PartNumber: number; ETag: string }[], id = UploadId) =>
      errorName(client.send(new CompleteMultipartUploadCommand({ Bucket: 'mpu', Key: 'err/x', UploadId: id, MultipartUpload: { Parts: parts } })));
    expect(await complete([{ PartNumber: 1, ETag: p2.ETag! }])).toBe('InvalidPart');
    expect(await complete([{ PartNumber: 3, ETag: p1.ETag! }])).toBe('InvalidPart');
    expect(
      await complete([
        { PartNumber: 2, ETag: p2.ETag! },
        { PartNumber: 1, ETag: p1.ETag! },
      ]),
    ).toBe('InvalidPartOrder');
    expect(
      await complete([
        { PartNumber: 1, ETag: p1.ETag! },
        { PartNumber: 2, ETag: p2.ETag! },
      ]),
    ).toBe('EntityTooSmall');
    expect(await complete([{ PartNumber: 1, ETag: p1.ETag! }], '0000000000ff-00000000000000000000000000000000')).toBe('NoSuchUpload');
    expect(await errorName(client.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'err/x', UploadId, PartNumber: 10_001, Body: small })))).toBe('InvalidArgument');

    const malformed = await s3.raw({ method: 'POST', path: `/mpu/err/x?uploadId=${UploadId}`, body: '<CompleteMultipartUpload><Part><PartNumber>1</Part>' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('<Code>MalformedXML</Code>');
    const empty = await s3.raw({ method: 'POST', path: `/mpu/err/x?uploadId=${UploadId}`, body: '<CompleteMultipartUpload></CompleteMultipartUpload>' });
    expect(empty.body).toContain('<Code>MalformedXML</Code>');

    const other = await client.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'err/y' }));
    const third = await client.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'zzz' }));
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: 'mpu', Prefix: 'err/', MaxUploads: 1 }));
    expect(page.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['err/x', UploadId]]);
    expect([page.IsTruncated, page.NextKeyMarker, page.NextUploadIdMarker]).toEqual([true, 'err/x', UploadId]);
    const next = await client.send(new ListMultipartUploadsCommand({ Bucket: 'mpu', Prefix: 'err/', KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker }));
    expect(next.Uploads?.map((u) => u.UploadId)).toEqual([other.UploadId]);
    const rolled = await client.send(new ListMultipartUploadsCommand({ Bucket: 'mpu', Delimiter: '/' }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['err/']);
    expect(rolled.Uploads?.map((u) => u.Key)).toEqual(['zzz']);

    for (const [key, id] of [
      ['err/x', UploadId],
      ['err/y', other.UploadId],
      ['zzz', third.UploadId],
    ] as const) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: 'mpu', Key: key, UploadId: id }));
    }
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: 'mpu' }))).Uploads ?? []).toEqual([]);
    expect(await errorName(client.send(new AbortMultipartUploadCommand({ Bucket: 'mpu', Key: 'err/x', UploadId })))).toBe('NoSuchUpload');
    expect(await errorName(client.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'err/x', UploadId, PartNumber: 3, Body: small })))).toBe('NoSuchUpload');
  });
});
