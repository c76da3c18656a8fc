import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type ObjectStore } from '../../agents/services/kodo/store';
import { HealQueue } from '../../agents/services/kodo/store/heal-queue';
import { estimateEta, newCycle } from '../../agents/services/kodo/store/heal-status';
import { ClientActivity, HealThrottle, trackClientCalls, type HealPriority } from '../../agents/services/kodo/store/heal-throttle';
import { serializeMeta, type VersionRecord } from '../../agents/services/kodo/store/object-meta';

/**
 * Kodo's healing beyond one object, over plain directories standing for disks: the scanner's
 * cleanup of crash leftovers and its usage figures, heal on read, multi-part objects, replacing
 * disks (what is formatted and what never is, an interrupted replacement finished, an old disk put
 * back kept out, a rebuild resumed after a restart), and the I/O budget and ETA with a fake clock.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-heal-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));
const MIB = 1 << 20;
const NO_SCHEDULE = { firstCycleAfterMs: 3600_000, priority: 'high' as const };

let sets = 0;
function makeDisks(n: number): string[] {
  const dir = path.join(ROOT, `set-${sets++}`);
  return Array.from({ length: n }, (_, i) => {
    const disk = path.join(dir, `disk${i}`);
    fs.mkdirSync(disk, { recursive: true });
    return disk;
  });
}

async function read(store: ObjectStore, bucket: string, key: string): Promise<{ bytes: Buffer; problems: number }> {
  const result = await store.getObject(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream as Readable) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), problems: result.problems.length };
}

const objectDir = (disk: string, bucket: string, key: string) => path.join(disk, bucket, ...key.split('/'));
const metaFile = (disk: string, bucket: string, key: string) => path.join(objectDir(disk, bucket, key), 'meta.json');
const versionsOn = (disk: string, bucket: string, key: string) => (JSON.parse(fs.readFileSync(metaFile(disk, bucket, key), 'utf8')) as { versions: VersionRecord[] }).versions;
const formatOf = (disk: string) => JSON.parse(fs.readFileSync(path.join(disk, '.kodo', 'format.json'), 'utf8')) as { storeId: string; index: number; diskIds: string[] };

async function cycle(store: ObjectStore): Promise<ReturnType<ObjectStore['healStatus']>> {
  store.startHealCycle();
  await store.healIdle();
  return store.healStatus();
}

describe('the scanner', () => {
  it('removes crash leftovers, leaves live data alone, and counts usage', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 }, healing: NO_SCHEDULE });
    await store.createBucket('bkt');
    const big = randomBytes(MIB + 3);
    await store.putObject('bkt', 'a/over', big);
    const first = versionsOn(disks[0]!, 'bkt', 'a/over')[0]!;
    const firstDir = path.join(ROOT, 'first-data');
    fs.cpSync(path.join(objectDir(disks[0]!, 'bkt', 'a/over'), first.dataDir!), firstDir, { recursive: true });
    const second = randomBytes(200_000);
    await store.putObject('bkt', 'a/over', second);
    await store.putObject('bkt', 'small', Buffer.from('kept'));
    await store.putObject('bkt', 'half', randomBytes(300_000));

    // A kill in commit step 3 on disk 0: [new, old] and the old data dir still there.
    const current = versionsOn(disks[0]!, 'bkt', 'a/over')[0]!;
    fs.writeFileSync(metaFile(disks[0]!, 'bkt', 'a/over'), serializeMeta([current, first]));
    fs.cpSync(firstDir, path.join(objectDir(disks[0]!, 'bkt', 'a/over'), first.dataDir!), { recursive: true });
    // A data dir renamed in whose meta.json never followed.
    const orphan = path.join(objectDir(disks[3]!, 'bkt', 'small'), '.v-0b5e55ed-0000-4000-8000-000000000000');
    fs.mkdirSync(orphan);
    fs.writeFileSync(path.join(orphan, 'part.1'), 'x');
    // A put killed before k disks had it: on 3 of 6 (a dangling object, never readable).
    for (const disk of disks.slice(3)) fs.rmSync(objectDir(disk, 'bkt', 'half'), { recursive: true });
    // A temp dir no write has touched for a day.
    const staleTmp = path.join(disks[1]!, '.kodo', 'tmp', 'stale');
    fs.mkdirSync(staleTmp);
    const dayAgo = new Date(Date.now() - 24 * 3600_000);
    fs.utimesSync(staleTmp, dayAgo, dayAgo);

    const status = await cycle(store);
    expect(status.lastCycle).toMatchObject({ reason: 'requested', objectsScanned: 2, errors: 0 });
    expect(status.lastCycle!.aborted).toBeUndefined();
    // The old version's record and data dir, the orphan, meta.json and data dir of 'half' on 3 disks, the temp dir.
    expect(status.lastCycle!.leftoversRemoved).toBe(2 + 1 + 3 * 2 + 1);
    expect(versionsOn(disks[0]!, 'bkt', 'a/over').map((v) => v.versionId)).toEqual([current.versionId]);
    expect(fs.existsSync(path.join(objectDir(disks[0]!, 'bkt', 'a/over'), first.dataDir!))).toBe(false);
    expect(fs.existsSync(orphan)).toBe(false);
    for (const disk of disks) expect(fs.existsSync(objectDir(disk, 'bkt', 'half'))).toBe(false);
    expect(fs.existsSync(staleTmp)).toBe(false);
    expect((await read(store, 'bkt', 'a/over')).bytes.equals(second)).toBe(true);
    expect((await read(store, 'bkt', 'small')).bytes.toString()).toBe('kept');

    // Usage: two objects; raw bytes are every meta.json and shard file on the disks.
    let raw = 0;
    for (const disk of disks) {
      for (const key of ['a/over', 'small']) {
        raw += fs.statSync(metaFile(disk, 'bkt', key)).size;
        const v = versionsOn(disk, 'bkt', key)[0]!;
        if (v.dataDir) raw += fs.statSync(path.join(objectDir(disk, 'bkt', key), v.dataDir, 'part.1')).size;
      }
    }
    expect(status.buckets).toEqual([{ name: 'bkt', objects: 2, logicalBytes: second.length + 4, rawBytes: raw }]);
    expect(raw).toBeGreaterThan(second.length * 1.5);

    // Saved on the disks: a reopened store shows the figures before its first cycle.
    await store.close();
    const reopened = await openStore({ disks, healing: NO_SCHEDULE });
    expect(reopened.healStatus()).toMatchObject({ state: 'idle', cycle: null, buckets: status.buckets, lastCycle: { objectsScanned: 2 } });
    await reopened.close();
  });

  it('heals on read, in the background, and rebuilds a multi-part object part by part', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 }, healing: NO_SCHEDULE });
    await store.createBucket('bkt');
    const parts = [randomBytes(MIB + 5), randomBytes(MIB * 2 + 1)];
    const { uploadId } = await store.createMultipartUpload('bkt', 'mp');
    const etags = [];
    for (const [i, body] of parts.entries()) etags.push({ partNumber: i + 1, etag: (await store.uploadPart('bkt', 'mp', uploadId, i + 1, body)).etag });
    await store.completeMultipartUpload('bkt', 'mp', uploadId, etags, { minPartSize: MIB });
    const whole = Buffer.concat(parts);

    const victim = disks.find((d) => versionsOn(d, 'bkt', 'mp')[0]!.erasure.shardIndex === 1)!;
    const record = versionsOn(victim, 'bkt', 'mp')[0]!;
    expect(record.parts?.length).toBe(2);
    const part2 = path.join(objectDir(victim, 'bkt', 'mp'), record.dataDir!, 'part.2');
    const good = fs.readFileSync(part2);
    const bad = Buffer.from(good);
    bad[bad.length - 1]! ^= 1;
    fs.writeFileSync(part2, bad);

    const first = await read(store, 'bkt', 'mp');
    expect(first.bytes.equals(whole)).toBe(true);
    expect(first.problems).toBe(1);
    await store.healIdle();
    expect(fs.readFileSync(part2).equals(good)).toBe(true);
    expect(store.healStatus().queue).toEqual({ pending: 0, healed: 1, dropped: 0 });
    expect((await read(store, 'bkt', 'mp')).problems).toBe(0);
    await store.close();
  });

  it('stops at close, and a cycle cut short is marked so', async () => {
    const disks = makeDisks(3);
    const store = await openStore({ disks, layout: { k: 2, m: 1 }, healing: { ...NO_SCHEDULE, priority: 'low' } });
    await store.createBucket('bkt');
    for (let i = 0; i < 200; i++) await store.putObject('bkt', `k${i}`, Buffer.from(String(i)));
    store.startHealCycle();
    expect(store.healStatus()).toMatchObject({ state: 'scanning', priority: 'low', cycle: { reason: 'requested' } });
    await store.close();
    const status = store.healStatus();
    expect(status.cycle).toBeNull();
    expect(status.lastCycle).toMatchObject({ aborted: true });
    expect(status.lastCycle!.objectsScanned).toBeLessThan(200);
    expect(status.buckets).toEqual([]); // an incomplete count is not shown as usage
  });
});

describe('replacing disks', () => {
  it('formats only a blank disk, and keeps a disk with data or of another store out, saying why', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 }, healing: NO_SCHEDULE });
    await store.createBucket('bkt');
    await store.putObject('bkt', 'obj', randomBytes(MIB));
    await store.close();
    const ids = formatOf(disks[0]!).diskIds;

    // Disk 1 replaced by one holding someone's files; disk 2 by another store's disk.
    fs.rmSync(disks[1]!, { recursive: true });
    fs.mkdirSync(disks[1]!);
    fs.writeFileSync(path.join(disks[1]!, 'family-photos.jpg'), 'not ours');
    const other = makeDisks(3);
    await (await openStore({ disks: other, layout: { k: 2, m: 1 }, healing: NO_SCHEDULE })).close();
    const withForeign = [disks[0]!, disks[1]!, other[0]!, disks[3]!, disks[4]!, disks[5]!];
    const opened = await openStore({ disks: withForeign, healing: NO_SCHEDULE });
    expect(opened.disks()[1]).toMatchObject({ state: 'offline', reason: expect.stringContaining('empty it') });
    expect(opened.disks()[2]).toMatchObject({ state: 'offline', reason: expect.stringContaining('another store') });
    expect(fs.readdirSync(disks[1]!)).toEqual(['family-photos.jpg']);
    expect(formatOf(other[0]!).storeId).not.toBe(formatOf(disks[0]!).storeId);
    expect(formatOf(disks[0]!).diskIds).toEqual(ids);

    // Emptied, it is taken in on demand and rebuilt; the other disks record its new id.
    fs.rmSync(path.join(disks[1]!, 'family-photos.jpg'));
    const slots = await opened.rescanDisks();
    expect(slots[1]).toMatchObject({ state: 'online', healing: true, path: disks[1] });
    await opened.healIdle();
    expect(opened.disks()[1]!.healing).toBeUndefined();
    expect(fs.existsSync(path.join(disks[1]!, '.kodo', 'healing.json'))).toBe(false);
    const newId = formatOf(disks[1]!).diskIds[1]!;
    expect(newId).not.toBe(ids[1]);
    for (const i of [0, 3, 4, 5]) expect(formatOf(disks[i]!).diskIds[1]).toBe(newId);
    expect(versionsOn(disks[1]!, 'bkt', 'obj')).toHaveLength(1);
    expect(fs.existsSync(path.join(disks[1]!, '.kodo', 'buckets', 'bkt.json'))).toBe(true);
    await opened.close();
  });

  it('takes a disk of the set back on a rescan and heals what it missed', async () => {
    const disks = makeDisks(6);
    await (await openStore({ disks, layout: { k: 4, m: 2 }, healing: NO_SCHEDULE })).close();
    const away = `${disks[5]!}-unmounted`;
    fs.renameSync(disks[5]!, away);
    const store = await openStore({ disks, healing: NO_SCHEDULE });
    expect(store.disks()[5]).toMatchObject({ state: 'offline', reason: 'missing' });
    await store.createBucket('bkt');
    const data = randomBytes(MIB + 1);
    await store.putObject('bkt', 'while-away', data);
    fs.renameSync(away, disks[5]!);
    expect((await store.rescanDisks())[5]).toMatchObject({ state: 'online', path: disks[5] });
    expect(store.disks()[5]!.healing).toBeUndefined(); // its own disk, not a replacement
    await store.healIdle();
    expect(store.healStatus().lastCycle).toMatchObject({ reason: 'requested', objectsHealed: 1, shardsRepaired: 1, errors: 0 });
    expect(versionsOn(disks[5]!, 'bkt', 'while-away')).toHaveLength(1);
    await store.close();
  });

  it('finishes a replacement a crash interrupted, resumes its rebuild at open, and keeps the old disk out when it comes back', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 }, healing: NO_SCHEDULE });
    await store.createBucket('bkt');
    const data = randomBytes(2 * MIB);
    await store.putObject('bkt', 'obj', data);
    await store.close();
    const old = path.join(ROOT, `old-disk-${sets}`);
    fs.renameSync(disks[4]!, old);

    // Killed after the new disk's format.json landed, before any other disk recorded its id.
    fs.mkdirSync(path.join(disks[4]!, '.kodo', 'tmp'), { recursive: true });
    const format = formatOf(disks[0]!);
    const newId = 'a1b2c3d4-0000-4000-8000-000000000004';
    fs.writeFileSync(path.join(disks[4]!, '.kodo', 'healing.json'), JSON.stringify({ started: Date.now(), diskId: newId }));
    fs.writeFileSync(path.join(disks[4]!, '.kodo', 'format.json'), JSON.stringify({ ...format, index: 4, diskIds: format.diskIds.map((id, i) => (i === 4 ? newId : id)) }));
    const reopened = await openStore({ disks, healing: NO_SCHEDULE });
    expect(reopened.disks()[4]).toMatchObject({ state: 'online', path: disks[4] });
    for (const disk of disks) expect(formatOf(disk).diskIds[4]).toBe(newId);
    // Still marked: the rebuild starts at open and ends with the disk holding the object.
    expect(reopened.healStatus().cycle).toMatchObject({ reason: 'disk-replaced', rebuilding: [4] });
    await reopened.healIdle();
    expect(reopened.disks()[4]!.healing).toBeUndefined();
    expect(versionsOn(disks[4]!, 'bkt', 'obj')).toHaveLength(1);
    await reopened.close();

    // The replaced disk put back in place of its replacement: it holds old data under an id the set no longer has.
    fs.renameSync(disks[4]!, `${disks[4]!}-new`);
    fs.renameSync(old, disks[4]!);
    const withOld = await openStore({ disks, healing: NO_SCHEDULE });
    expect(withOld.disks()[4]).toMatchObject({ state: 'offline', reason: expect.stringContaining('was replaced') });
    expect((await read(withOld, 'bkt', 'obj')).bytes.equals(data)).toBe(true);
    await withOld.close();
  });
});

describe('I/O budget and ETA', () => {
  function fakeTime() {
    const t = { now: 0, slept: [] as number[] };
    return { t, now: () => t.now, sleep: async (ms: number) => void (t.slept.push(ms), (t.now += ms)) };
  }

  it('spends at most the priority’s bytes per second, and at low waits for clients to go quiet', async () => {
    const { t, now, sleep } = fakeTime();
    let priority: HealPriority = 'low';
    const activity = new ClientActivity();
    const throttle = new HealThrottle(() => priority, activity, now, sleep);
    // 16 MiB/s at low: 64 MiB with no time passing but the throttle's own sleeps takes 4 s.
    for (let i = 0; i < 64; i++) await throttle.take(MIB);
    expect(t.now).toBeGreaterThanOrEqual(3990);
    expect(t.now).toBeLessThanOrEqual(4010);
    // 64 MiB/s at normal: 640 MiB in 10 s, less at most the one second's budget it may save up.
    priority = 'normal';
    const before = t.now;
    for (let i = 0; i < 640; i++) await throttle.take(MIB);
    expect(t.now - before).toBeGreaterThanOrEqual(8990);
    expect(t.now - before).toBeLessThanOrEqual(10_010);
    priority = 'high';
    const unbounded = t.now;
    for (let i = 0; i < 64; i++) await throttle.take(MIB);
    expect(t.now).toBe(unbounded);
    expect(throttle.bytes).toBe((64 + 640 + 64) * MIB);

    priority = 'low';
    const end = activity.begin();
    t.slept = [];
    const waiting = throttle.between();
    await waiting;
    expect(t.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000); // waited (up to its cap) while a client was busy
    end();
    t.slept = [];
    await throttle.between();
    expect(t.slept).toEqual([20]); // only the pause
  });

  it('counts a client call until it settles, a GET until its stream closes, and not healing’s own calls', async () => {
    const disks = makeDisks(3);
    const store = await openStore({ disks, layout: { k: 2, m: 1 }, healing: NO_SCHEDULE });
    await store.createBucket('bkt');
    await store.putObject('bkt', 'x', randomBytes(300_000));
    const activity = new ClientActivity();
    const calls = trackClientCalls(activity, {
      getObject: (key: string) => store.getObject('bkt', key),
      headObject: (key: string) => store.headObject('bkt', key),
      healStatus: () => store.healStatus(),
    });
    const pending = calls.headObject('x');
    expect(activity.busy).toBe(true);
    await pending;
    expect(activity.busy).toBe(false);
    const { stream } = await calls.getObject('x');
    expect(activity.busy).toBe(true); // the body is still being read
    for await (const _chunk of stream as Readable) expect(activity.busy).toBe(true);
    await new Promise((resolve) => (stream.closed ? resolve(undefined) : stream.once('close', resolve)));
    expect(activity.busy).toBe(false);
    await expect(calls.getObject('missing')).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect(activity.busy).toBe(false);
    calls.healStatus();
    expect(activity.busy).toBe(false);
    await store.close();
  });

  it('estimates the time left from the rate so far and the previous cycle’s total', () => {
    const previous = { ...newCycle('scheduled', [], null, 0), objectsScanned: 1000, bytesScanned: 4000 };
    const cycle = { ...newCycle('scheduled', [], previous, 100_000), objectsScanned: 100, bytesScanned: 1000 };
    expect(cycle.objectsTotalEstimate).toBe(1000);
    expect(estimateEta(cycle, previous, 160_000)).toBe(180); // a quarter of the bytes in 60 s: 180 s left
    expect(estimateEta(cycle, null, 160_000)).toBeNull();
    expect(estimateEta({ ...cycle, bytesScanned: 5000 }, previous, 160_000)).toBe(0);
    expect(estimateEta({ ...cycle, bytesScanned: 0 }, previous, 160_000)).toBeNull();
  });

  it('queues each object once, and drops what does not fit', async () => {
    const healed: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new HealQueue(2, async (bucket, key) => {
      await gate;
      healed.push(`${bucket}/${key}`);
      return true;
    });
    queue.add('b', 'one');
    queue.add('b', 'one');
    queue.add('b', 'two');
    queue.add('b', 'three');
    expect(queue.pending).toBe(2);
    expect(queue.dropped).toBe(1);
    release();
    await queue.idle();
    expect(healed).toEqual(['b/one', 'b/two']);
    expect(queue.healed).toBe(2);
    await queue.close();
    queue.add('b', 'four');
    expect(queue.pending).toBe(0);
  });
});
