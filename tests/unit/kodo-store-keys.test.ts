import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../agents/services/kodo/store';
import { compareKeys, decodeSegment, encodeSegment, keyToSegments, validateBucketName, validateKey } from '../../agents/services/kodo/store/object-key';
import { resolveRange } from '../../agents/services/kodo/store/object-reader';

/**
 * Kodo's store, the pure parts of naming: keys becoming directory paths (nothing escapes the
 * bucket, every key decodes back), S3's UTF-8 byte order, bucket names, byte ranges.
 */

const TRICKY_SEGMENTS = ['', '.', '..', '...', '.kodo', '.v-123', '%', '%25', '%2E', 'meta.json', 'meta%2Ejson', 'a\0b', '\0', 'part.1', ' ', 'x/..', '\\..\\', '日本語', '🙂', 'a.b', '.hidden'];

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof StoreError ? error.code : 'not-a-store-error';
  }
  return undefined;
}

describe('key segments', () => {
  it('encode to names the filesystem takes literally and decode back', () => {
    for (const segment of TRICKY_SEGMENTS) {
      const name = encodeSegment(segment);
      expect(name).not.toContain('/');
      expect(name).not.toContain('\0');
      expect(['.', '..', 'meta.json', '']).not.toContain(name);
      expect(name.startsWith('.'), `${JSON.stringify(segment)} → ${name}`).toBe(false);
      expect(decodeSegment(name)).toBe(segment);
    }
  });

  it('never maps two segments to one name', () => {
    const names = TRICKY_SEGMENTS.map(encodeSegment);
    expect(new Set(names).size).toBe(names.length);
  });

  it("are not confused with the store's own names", () => {
    expect(decodeSegment('meta.json')).toBeNull();
    expect(decodeSegment('.v-0b7c')).toBeNull();
    expect(decodeSegment('%zz')).toBeNull();
  });
});

describe('path traversal', () => {
  const bucketDir = '/disk0/bucket';
  const hostile = ['../../etc/passwd', '../other-bucket/x', '..', '.', './a', 'a/../../b', '/abs/path', 'a//b', 'a/./b', '.kodo/format.json', '../.kodo/tmp/x', 'a/meta.json', 'x/\0/y', '%2E%2E/x'];

  it('keeps every key under its bucket directory, one directory per segment', () => {
    for (const key of hostile) {
      validateKey(key);
      const segments = keyToSegments(key);
      const joined = path.join(bucketDir, ...segments);
      expect(joined.startsWith(`${bucketDir}/`), `${key} → ${joined}`).toBe(true);
      expect(path.relative(bucketDir, joined).split('/')).toEqual(segments);
      expect(segments.map(decodeSegment).join('/')).toBe(key);
    }
  });

  it('refuses what has no safe form', () => {
    expect(codeOf(() => validateKey(''))).toBe('InvalidKey');
    expect(codeOf(() => validateKey('a\uD800b'))).toBe('InvalidKey');
    expect(codeOf(() => validateKey('x'.repeat(1025)))).toBe('InvalidKey');
    expect(codeOf(() => validateKey(`a/${'y'.repeat(256)}`))).toBe('InvalidKey');
    expect(codeOf(() => validateKey(`a/${'y'.repeat(255)}`))).toBeUndefined();
    expect(codeOf(() => validateKey('🙂'.repeat(256)))).toBe('InvalidKey'); // 1024 bytes in one segment: over 255
  });
});

describe('key order', () => {
  it("is UTF-8 byte order, as S3's, not UTF-16's", () => {
    const keys = ['a', 'a/b', 'a-b', 'a0', 'A', '\uFFFD', '\u{1F642}', '\uE000', 'é', 'e', 'e\u0301', '', 'a/', 'ab', '\u007F', '\u0080'];
    const bytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(bytes);
    // UTF-16 order puts U+1F642 (surrogates D83D…) before U+E000; UTF-8 puts it after.
    expect(compareKeys('\u{1F642}', '\uE000')).toBeGreaterThan(0);
  });

  it('agrees with byte order on random strings', () => {
    const alphabet = ['a', 'b', '/', '-', '.', 'é', '\u4E2D', '\uFF21', '\u{1F600}', '\u{10FFFF}', '\uE000', '\0'];
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) >>> 0), x / 2 ** 32);
    for (let round = 0; round < 2000; round++) {
      const make = () => Array.from({ length: Math.floor(rand() * 5) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const a = make();
      const b = make();
      expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
  });
});

describe('bucket names', () => {
  it("follow S3's rules", () => {
    for (const ok of ['abc', 'my-bucket', 'my.bucket.1', 'a'.repeat(63), '123']) expect(codeOf(() => validateBucketName(ok)), ok).toBeUndefined();
    for (const bad of ['ab', 'a'.repeat(64), 'My-Bucket', '-abc', 'abc-', 'a..b', '192.168.1.1', 'xn--abc', 'abc-s3alias', '.kodo', 'a_b', 'a/b', '..']) {
      expect(codeOf(() => validateBucketName(bad)), bad).toBe('InvalidBucketName');
    }
  });
});

describe('byte ranges', () => {
  it('resolve as S3 ranges do', () => {
    expect(resolveRange(undefined, 10)).toBeNull();
    expect(resolveRange({ start: 2, end: 5 }, 10)).toEqual({ start: 2, end: 5 });
    expect(resolveRange({ start: 2 }, 10)).toEqual({ start: 2, end: 9 });
    expect(resolveRange({ start: 2, end: 100 }, 10)).toEqual({ start: 2, end: 9 });
    expect(resolveRange({ suffix: 3 }, 10)).toEqual({ start: 7, end: 9 });
    expect(resolveRange({ suffix: 30 }, 10)).toEqual({ start: 0, end: 9 });
    expect(codeOf(() => resolveRange({ start: 10 }, 10))).toBe('InvalidRange');
    expect(codeOf(() => resolveRange({ start: 0 }, 0))).toBe('InvalidRange');
    expect(codeOf(() => resolveRange({ start: 5, end: 4 }, 10))).toBe('InvalidRange');
    expect(codeOf(() => resolveRange({ suffix: 0 }, 10))).toBe('InvalidRange');
  });
});
