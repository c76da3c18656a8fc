import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openStore, StoreError } from '../../agents/services/kodo/store';
import { useSmallTmpfs } from '../helpers/small-tmpfs';

/**
 * Kodo's store on a full disk: the six "disks" of a 4+2 store share one 8 MiB tmpfs (mounted here,
 * as root), so a 16 MiB put runs every disk out of space. The put fails with StorageFull naming
 * the disks, leaves no object (not read, not listed), no temp files, and the objects already there
 * intact; once space is freed, puts work again. Skipped, saying why, where mount is not permitted.
 */

const tmpfs = useSmallTmpfs('kodo-store-enospc', '8m');

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

it('refuses a put that fills the disks with StorageFull, and leaves nothing of it', async (context) => {
  if (tmpfs.unavailable !== null) {
    console.log(`kodo-store ENOSPC test skipped: cannot mount a small tmpfs (${tmpfs.unavailable})`);
    context.skip();
  }
  const disks = Array.from({ length: 6 }, (_, i) => path.join(tmpfs.root, `disk${i}`));
  for (const disk of disks) fs.mkdirSync(disk);
  const store = await openStore({ disks, layout: { k: 4, m: 2 } });
  await store.createBucket('bkt');
  const kept = randomBytes(2 << 20);
  await store.putObject('bkt', 'kept', kept);
  const small = randomBytes(1000);
  await store.putObject('bkt', 'small', small);

  let error: unknown;
  try {
    await store.putObject('bkt', 'too-big', randomBytes(16 << 20));
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('StorageFull');
  expect((error as StoreError).message).toMatch(/storage is full/);
  expect((error as StoreError).disks.length).toBeGreaterThan(2);

  await expect(store.getObject('bkt', 'too-big')).rejects.toMatchObject({ code: 'NoSuchKey' });
  expect((await store.listObjects('bkt')).objects.map((o) => o.key)).toEqual(['kept', 'small']);
  for (const disk of disks) {
    expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(disk, 'bkt', 'too-big'))).toBe(false);
  }
  expect((await readAll((await store.getObject('bkt', 'kept')).stream)).equals(kept)).toBe(true);

  // Overwriting an object while full keeps the old one.
  await expect(store.putObject('bkt', 'kept', randomBytes(16 << 20))).rejects.toMatchObject({ code: 'StorageFull' });
  expect((await readAll((await store.getObject('bkt', 'kept')).stream)).equals(kept)).toBe(true);

  // Space freed: healthy again.
  await store.deleteObject('bkt', 'kept');
  const next = randomBytes(3 << 20);
  await store.putObject('bkt', 'next', next);
  expect((await readAll((await store.getObject('bkt', 'next')).stream)).equals(next)).toBe(true);
  expect((await readAll((await store.getObject('bkt', 'small')).stream)).equals(small)).toBe(true);
});
