import { describe, expect, it } from 'vitest';
import type { AccessKey } from '../../agents/services/kodo/access/access-keys';
import type { PutPolicy, UploadGrant } from '../../agents/services/kodo/qiniu/qiniu-auth';
import { QiniuError } from '../../agents/services/kodo/qiniu/qiniu-error';
import { checkMime, checkSize, mayOverwrite, renderReturnBody, resolveKey, type UploadRequest } from '../../agents/services/kodo/qiniu/upload-policy';

/** The put policy's rules (Qiniu's semantics), one by one: key choice and scope, overwrite, mimeLimit, sizes, returnBody. */

const KEY: AccessKey = { accessKeyId: 'KODOUNIT000000000001', secretKey: 's', bucket: null, access: 'read-write', created: '', description: '' };
const NOW = new Date('2026-03-04T05:06:07Z');

function grant(scope: string, policy: Partial<PutPolicy> = {}): UploadGrant {
  const colon = scope.indexOf(':');
  return { key: KEY, bucket: colon < 0 ? scope : scope.slice(0, colon), scopeKey: colon < 0 ? null : scope.slice(colon + 1), policy: { scope, deadline: 0, ...policy } };
}
const request = (key: string | null, extra: Partial<UploadRequest> = {}): UploadRequest => ({ key, fname: 'cat.jpg', mimeType: 'image/jpeg', vars: {}, ...extra });

function refusal(fn: () => unknown): QiniuError {
  try {
    fn();
  } catch (error) {
    if (error instanceof QiniuError) return error;
    throw error;
  }
  throw new Error('expected a QiniuError');
}

describe('resolveKey', () => {
  it('takes the client key, else saveKey, else the scope key; forceSaveKey wins over the client', () => {
    expect(resolveKey(grant('b'), request('a/b.jpg'), NOW)).toBe('a/b.jpg');
    expect(resolveKey(grant('b', { saveKey: 'up/$(year)/$(mon)/$(day)/$(fprefix)$(ext)' }), request(null), NOW)).toBe('up/2026/03/04/cat.jpg');
    expect(resolveKey(grant('b:fixed'), request(null), NOW)).toBe('fixed');
    expect(resolveKey(grant('b', { saveKey: 'forced/$(x:id)', forceSaveKey: true }), request('mine', { vars: { 'x:id': '42' } }), NOW)).toBe('forced/42');
  });

  it('refuses a key outside the scope (403) and an upload that names no key (400)', () => {
    expect(refusal(() => resolveKey(grant('b:only'), request('other'), NOW)).status).toBe(403);
    expect(resolveKey(grant('b:pre/', { isPrefixalScope: 1 }), request('pre/x'), NOW)).toBe('pre/x');
    expect(refusal(() => resolveKey(grant('b:pre/', { isPrefixalScope: 1 }), request('elsewhere/x'), NOW)).status).toBe(403);
    expect(refusal(() => resolveKey(grant('b'), request(null), NOW)).error).toBe('key is required');
    expect(refusal(() => resolveKey(grant('b', { saveKey: '$(etag)' }), request(null), NOW)).error).toBe('invalid saveKey');
  });
});

describe('overwrite, mimeLimit, sizes', () => {
  it('overwrites only with a bucket:key scope and no insertOnly', () => {
    expect(mayOverwrite(grant('b:k'))).toBe(true);
    expect(mayOverwrite(grant('b'))).toBe(false);
    expect(mayOverwrite(grant('b:k', { insertOnly: 1 }))).toBe(false);
    expect(mayOverwrite(grant('b:k', { isPrefixalScope: 1 }))).toBe(false);
  });

  it('matches mimeLimit lists, wildcards and negation', () => {
    expect(() => checkMime(grant('b', { mimeLimit: 'image/*;text/plain' }), 'image/png')).not.toThrow();
    expect(() => checkMime(grant('b', { mimeLimit: 'image/*;text/plain' }), 'text/plain; charset=utf-8')).not.toThrow();
    expect(refusal(() => checkMime(grant('b', { mimeLimit: 'image/*;text/plain' }), 'video/mp4')).status).toBe(403);
    expect(refusal(() => checkMime(grant('b', { mimeLimit: '!application/json;text/*' }), 'text/html')).status).toBe(403);
    expect(() => checkMime(grant('b', { mimeLimit: '!application/json;text/*' }), 'image/png')).not.toThrow();
  });

  it('checks fsizeLimit as bytes arrive and fsizeMin at the end', () => {
    expect(refusal(() => checkSize(grant('b', { fsizeLimit: 10 }), 11, false)).status).toBe(413);
    expect(() => checkSize(grant('b', { fsizeMin: 10 }), 5, false)).not.toThrow();
    expect(refusal(() => checkSize(grant('b', { fsizeMin: 10 }), 5, true)).status).toBe(403);
  });
});

describe('renderReturnBody', () => {
  const upload = { bucket: 'b', key: 'say "hi"\n.txt', hash: 'Fh', fsize: 12, mimeType: 'text/plain', fname: 'say.txt', endUser: 'u1', vars: { 'x:a': 'ü\\' } };
  it('defaults to {hash, key}', () => {
    expect(JSON.parse(renderReturnBody(grant('b'), upload))).toEqual({ hash: 'Fh', key: 'say "hi"\n.txt' });
  });
  it('fills magic and custom variables JSON-escaped, unknown ones empty', () => {
    const template = '{"k":"$(key)","h":"$(etag)","s":$(fsize),"e":"$(ext)","u":"$(endUser)","a":"$(x:a)","n":"$(x:none)"}';
    expect(JSON.parse(renderReturnBody(grant('b', { returnBody: template }), upload))).toEqual({ k: 'say "hi"\n.txt', h: 'Fh', s: 12, e: '.txt', u: 'u1', a: 'ü\\', n: '' });
  });
});
