import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openStore, StoreError } from '../../agents/services/kodo/store';
import { useSmallTmpfs } from '../helpers/small-tmpfs';

/**
 * A part that does not fit: the six "disks" of a 4+2 store share one 24 MiB tmpfs (mounted here,
 * as root). A 16 MiB part on top of a 5 MiB part and a 2 MiB object runs every disk out of space:
 * UploadPart fails with StorageFull naming the disks, and leaves no trace of the part (not listed,
 * no part directory, no temp files); the upload's earlier part and the object are intact; once
 * space is freed the part uploads and the upload completes. Skipped, saying why, where mount is
 * not permitted.
 */

const MIB = 1 << 20;
const tmpfs = useSmallTmpfs('kodo-store-multipart-enospc', '24m');

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

it('refuses a part that fills the disks with StorageFull, and leaves nothing of it', async (context) => {
  if (tmpfs.unavailable !== null) {
    console.log(`kodo-store multipart ENOSPC test skipped: cannot mount a small tmpfs (${tmpfs.unavailable})`);
    context.skip();
  }
  const disks = Array.from({ length: 6 }, (_, i) => path.join(tmpfs.root, `disk${i}`));
  for (const disk of disks) fs.mkdirSync(disk);
  const store = await openStore({ disks, layout: { k: 4, m: 2 } });
  await store.createBucket('bkt');
  const kept = randomBytes(2 * MIB);
  await store.putObject('bkt', 'kept', kept);
  const { uploadId } = await store.createMultipartUpload('bkt', 'big');
  const p1 = randomBytes(5 * MIB);
  await store.uploadPart('bkt', 'big', uploadId, 1, p1);

  let error: unknown;
  try {
    await store.uploadPart('bkt', 'big', uploadId, 2, randomBytes(16 * MIB));
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('StorageFull');
  expect((error as StoreError).message).toMatch(/storage is full/);
  expect((error as StoreError).disks.length).toBeGreaterThan(2);

  expect((await store.listParts('bkt', 'big', uploadId)).parts.map((p) => [p.partNumber, p.etag])).toEqual([[1, md5(p1)]]);
  for (const disk of disks) {
    expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(disk, '.kodo', 'multipart', 'bkt', uploadId)).filter((n) => n.startsWith('2.'))).toEqual([]);
  }
  const read = async (key: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of (await store.getObject('bkt', key)).stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  expect((await read('kept')).equals(kept)).toBe(true);

  // Space freed: the part fits, and completing links the parts (no copy, no more space).
  await store.deleteObject('bkt', 'kept');
  const p2 = randomBytes(4 * MIB);
  await store.uploadPart('bkt', 'big', uploadId, 2, p2);
  await store.completeMultipartUpload('bkt', 'big', uploadId, [
    { partNumber: 1, etag: md5(p1) },
    { partNumber: 2, etag: md5(p2) },
  ]);
  expect((await read('big')).equals(Buffer.concat([p1, p2]))).toBe(true);
});
