import { describe, expect, it } from 'vitest';
import { highestGeneration, parseMeta, resolveVersion, serializeMeta, shardIndexFor, type DiskMeta, type VersionRecord } from '../../agents/services/kodo/store/object-meta';

/**
 * Kodo's store, the rule a reader applies to what the disks say (object-meta.ts): a version is
 * the object only when k disks hold it with distinct shards; the newest such wins; a torn write
 * (fewer than k) is no object. And meta.json's own checksum.
 */

function record(versionId: string, generation: number, shardIndex: number, k = 4, m = 2): VersionRecord {
  return {
    versionId,
    generation,
    size: 10,
    etag: `etag-${versionId}`,
    contentType: 'application/octet-stream',
    userMetadata: {},
    headers: {},
    mtime: 1_700_000_000_000 + generation,
    erasure: { k, m, blockSize: 1 << 20, shardIndex, checksum: 'sha256' },
    dataDir: `.v-${versionId}`,
  };
}

const ok = (...versions: VersionRecord[]): DiskMeta => ({ state: 'ok', versions });
const absent: DiskMeta = { state: 'absent' };
const broken: DiskMeta = { state: 'error', error: 'EIO' };

describe('resolveVersion (4+2)', () => {
  it('takes a version all disks hold', () => {
    const disks = [0, 1, 2, 3, 4, 5].map((i) => ok(record('v1', 1, i)));
    const resolved = resolveVersion(disks, 4)!;
    expect(resolved.version.versionId).toBe('v1');
    expect(resolved.holders.every(Boolean)).toBe(true);
  });

  it('reads with m disks gone and refuses with m + 1', () => {
    const two = [ok(record('v1', 1, 0)), ok(record('v1', 1, 1)), ok(record('v1', 1, 2)), ok(record('v1', 1, 3)), broken, absent];
    expect(resolveVersion(two, 4)?.version.versionId).toBe('v1');
    const three = [ok(record('v1', 1, 0)), ok(record('v1', 1, 1)), ok(record('v1', 1, 2)), broken, broken, absent];
    expect(resolveVersion(three, 4)).toBeNull();
  });

  it('keeps the old version while an overwrite is half committed, and the new one once k have it', () => {
    const v1 = (i: number) => record('v1', 1, i);
    const v2 = (i: number) => record('v2', 2, i);
    // Three disks committed [v2, v1]; three still [v1]: v2 has 3 < 4, v1 has 6.
    const half = [ok(v2(0), v1(0)), ok(v2(1), v1(1)), ok(v2(2), v1(2)), ok(v1(3)), ok(v1(4)), ok(v1(5))];
    expect(resolveVersion(half, 4)?.version.versionId).toBe('v1');
    // Four committed: both have a quorum; the newer generation wins.
    const four = [ok(v2(0), v1(0)), ok(v2(1), v1(1)), ok(v2(2), v1(2)), ok(v2(3), v1(3)), ok(v1(4)), ok(v1(5))];
    expect(resolveVersion(four, 4)?.version.versionId).toBe('v2');
    // Cleanup under way: some disks already dropped v1.
    const cleaning = [ok(v2(0)), ok(v2(1)), ok(v2(2), v1(2)), ok(v2(3), v1(3)), ok(v2(4), v1(4)), ok(v2(5), v1(5))];
    expect(resolveVersion(cleaning, 4)?.version.versionId).toBe('v2');
  });

  it('does not count two disks claiming the same shard, or records that disagree', () => {
    const dup = [ok(record('v1', 1, 0)), ok(record('v1', 1, 0)), ok(record('v1', 1, 1)), ok(record('v1', 1, 2)), absent, absent];
    expect(resolveVersion(dup, 4)).toBeNull();
    const other = { ...record('v1', 1, 3), etag: 'different' };
    const disagree = [ok(record('v1', 1, 0)), ok(record('v1', 1, 1)), ok(record('v1', 1, 2)), ok(other), absent, absent];
    expect(resolveVersion(disagree, 4)).toBeNull();
  });

  it('numbers a new version above every version any disk holds, torn ones included', () => {
    expect(highestGeneration([ok(record('v1', 3, 0)), ok(record('v9', 7, 1)), absent, broken])).toBe(7);
    expect(highestGeneration([absent, broken])).toBe(0);
  });
});

describe('meta.json', () => {
  it('round-trips and catches a changed value that is still valid JSON', () => {
    const text = serializeMeta([record('v1', 1, 2)]);
    expect(parseMeta(JSON.parse(text))[0]!.versionId).toBe('v1');
    const tampered = text.replace('"size":10', '"size":11');
    expect(tampered).not.toBe(text);
    expect(() => parseMeta(JSON.parse(tampered))).toThrow(/checksum/);
  });
});

describe('shard placement', () => {
  it('gives each disk a different shard, rotated per key', () => {
    const starts = new Set<number>();
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      const shards = [0, 1, 2, 3, 4, 5].map((d) => shardIndexFor(d, 6, 'bkt', key));
      expect(new Set(shards).size).toBe(6);
      starts.add(shards[0]!);
    }
    expect(starts.size).toBeGreaterThan(1);
  });
});

describe('a meta.json written to mislead', () => {
  it('is refused before any of its fields reaches a path or a loop: data directory, version id, layout, shard index', async () => {
    const { parseMeta, serializeMeta, dataDirOf } = await import('../../agents/services/kodo/store/object-meta');
    const versionId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const good = { versionId, generation: 1, size: 10, etag: 'e', contentType: 'x', userMetadata: {}, headers: {}, mtime: 1, erasure: { k: 4, m: 2, blockSize: 1048576, shardIndex: 0, checksum: 'sha256' as const }, dataDir: dataDirOf(versionId) };
    const parse = (v: object) => () => parseMeta(JSON.parse(serializeMeta([v as never])));
    expect(parse(good)()).toHaveLength(1);
    expect(parse({ ...good, dataDir: '../../../../etc' })).toThrow(/data directory/);
    expect(parse({ ...good, dataDir: '.v-00000000-0000-0000-0000-000000000000' })).toThrow(/data directory/);
    expect(parse({ ...good, dataDir: '.' })).toThrow(/data directory/);
    expect(parse({ ...good, versionId: '../x', dataDir: '.v-../x' })).toThrow(/version id/);
    expect(parse({ ...good, erasure: { ...good.erasure, k: 1e9 } })).toThrow(/layout/);
    expect(parse({ ...good, erasure: { ...good.erasure, shardIndex: 6 } })).toThrow(/shard index/);
    expect(parse({ ...good, size: -1 })).toThrow(/size/);
  });
});
