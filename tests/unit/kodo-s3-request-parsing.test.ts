import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../agents/services/kodo/s3/addressing';
import { evaluateConditions, etagListMatches } from '../../agents/services/kodo/s3/conditional';
import { parseCopySource } from '../../agents/services/kodo/s3/copy-object';
import { parseRangeHeader } from '../../agents/services/kodo/s3/range-header';
import { S3Error } from '../../agents/services/kodo/s3/s3-errors';
import type { ObjectInfo } from '../../agents/services/kodo/store';

/** What Kodo's S3 layer reads from a request line and headers: addressing, ranges, conditions, copy sources. */

describe('parseTarget', () => {
  const suffixes = ['s3.example.lan'];
  it('reads path-style bucket and key, decoding each once', () => {
    expect(parseTarget('/', '127.0.0.1:9000', suffixes)).toMatchObject({ bucket: undefined, key: undefined, style: 'path' });
    expect(parseTarget('/photos', 'h', suffixes)).toMatchObject({ bucket: 'photos', key: undefined });
    expect(parseTarget('/photos/', 'h', suffixes)).toMatchObject({ bucket: 'photos', key: undefined });
    expect(parseTarget('/photos/a%20b/c%2Bd?acl', 'h', suffixes)).toMatchObject({ bucket: 'photos', key: 'a b/c+d' });
    expect(parseTarget('/photos//lead', 'h', suffixes).key).toBe('/lead');
    expect(parseTarget('/photos/%252F', 'h', suffixes).key).toBe('%2F');
    expect(parseTarget('/b/k?list-type=2&prefix=a%2Fb', 'h', suffixes).query.get('prefix')).toBe('a/b');
  });
  it('reads virtual-hosted-style from the Host header, any case, with or without a port', () => {
    expect(parseTarget('/k/x', 'Photos.S3.Example.Lan:9000', suffixes)).toMatchObject({ bucket: 'photos', key: 'k/x', style: 'virtual-host' });
    expect(parseTarget('/', 'my.dotted.bucket.s3.example.lan', suffixes)).toMatchObject({ bucket: 'my.dotted.bucket', key: undefined });
    // The suffix itself, or another host: path-style.
    expect(parseTarget('/b/k', 's3.example.lan', suffixes)).toMatchObject({ bucket: 'b', key: 'k', style: 'path' });
    expect(parseTarget('/b/k', '[::1]:9000', suffixes)).toMatchObject({ bucket: 'b', style: 'path' });
  });
  it('refuses what is not a path, or not UTF-8 percent-encoding, as InvalidURI', () => {
    for (const url of ['*', 'http://evil/b/k', '/b/%E0%A4%A', '/b/%ZZ']) {
      expect(() => parseTarget(url, 'h', suffixes), url).toThrow(S3Error);
    }
  });
});

describe('parseRangeHeader', () => {
  it('reads one byte range, and ignores what S3 ignores', () => {
    expect(parseRangeHeader('bytes=0-9')).toEqual({ start: 0, end: 9 });
    expect(parseRangeHeader('bytes=5-')).toEqual({ start: 5 });
    expect(parseRangeHeader('bytes=-3')).toEqual({ suffix: 3 });
    expect(parseRangeHeader(' bytes = 1 - 2 ')).toEqual({ start: 1, end: 2 });
    for (const ignored of [undefined, 'bytes=', 'bytes=-', 'bytes=1-2,4-5', 'items=1-2', 'bytes=9-3', 'bytes=a-b']) expect(parseRangeHeader(ignored), ignored).toBeUndefined();
  });
});

describe('evaluateConditions', () => {
  const info = { etag: 'abc', lastModified: new Date('2026-01-01T12:00:00.500Z') } as ObjectInfo;
  const at = (iso: string) => new Date(iso).toUTCString();
  it('matches ETag lists, quoted or not, weak or strong, and *', () => {
    expect(etagListMatches('"abc"', 'abc')).toBe(true);
    expect(etagListMatches('W/"abc"', 'abc')).toBe(true);
    expect(etagListMatches('"x", "abc"', 'abc')).toBe(true);
    expect(etagListMatches('*', 'abc')).toBe(true);
    expect(etagListMatches('"abcd"', 'abc')).toBe(false);
  });
  it('follows S3\'s precedence', () => {
    expect(evaluateConditions({}, info)).toBe('proceed');
    expect(evaluateConditions({ ifMatch: '"x"' }, info)).toBe('precondition-failed');
    expect(evaluateConditions({ ifMatch: '"abc"', ifUnmodifiedSince: at('2025-01-01T00:00:00Z') }, info)).toBe('proceed');
    expect(evaluateConditions({ ifUnmodifiedSince: at('2025-01-01T00:00:00Z') }, info)).toBe('precondition-failed');
    expect(evaluateConditions({ ifNoneMatch: '"abc"' }, info)).toBe('not-modified');
    expect(evaluateConditions({ ifNoneMatch: '"abc"', ifModifiedSince: at('2025-01-01T00:00:00Z') }, info)).toBe('not-modified');
    expect(evaluateConditions({ ifNoneMatch: '"x"', ifModifiedSince: at('2027-01-01T00:00:00Z') }, info)).toBe('proceed');
    expect(evaluateConditions({ ifMatch: '"x"', ifNoneMatch: '"abc"' }, info)).toBe('precondition-failed');
  });
  it('compares dates at HTTP\'s one-second resolution, and ignores one it cannot read', () => {
    // Last-Modified is 12:00:00.500; the header says 12:00:00: not modified since.
    expect(evaluateConditions({ ifModifiedSince: at('2026-01-01T12:00:00Z') }, info)).toBe('not-modified');
    expect(evaluateConditions({ ifUnmodifiedSince: at('2026-01-01T12:00:00Z') }, info)).toBe('proceed');
    expect(evaluateConditions({ ifModifiedSince: 'yesterday' }, info)).toBe('proceed');
  });
});

describe('parseCopySource', () => {
  it('reads bucket/key, URL-encoded, leading slash or not, with a version id', () => {
    expect(parseCopySource('src/a%20b/c')).toEqual({ bucket: 'src', key: 'a b/c' });
    expect(parseCopySource('/src/k?versionId=null')).toEqual({ bucket: 'src', key: 'k', versionId: 'null' });
    for (const bad of ['src', 'src/', '/k', '%ZZ/k']) expect(() => parseCopySource(bad), bad).toThrow(S3Error);
  });
});
