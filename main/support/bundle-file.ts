import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';

/**
 * The support bundle's file: a `.tar.gz` (tar-stream, gzip from node:zlib) whose last entry is
 * `manifest.json` — what each file is, where it came from, its size and SHA-256 — so a bundle can
 * be checked on any laptop: `verifyBundle` refuses a truncated or altered one naming the file that
 * failed. Written to `<file>.partial` and renamed when complete: a cancelled or crashed run leaves
 * no bundle that looks whole.
 */

export const MANIFEST = 'manifest.json';
export const BUNDLE_FORMAT = 'appliance-console-support-bundle';

export interface BundleFileEntry {
  path: string;
  bytes: number;
  sha256: string;
  /** Where it came from: `machine` (over SSH) or `console` (this console's store, via its API). */
  source: 'machine' | 'console';
  /** What it is, in a few words; the command for a machine file. */
  what: string;
  /** Cut to fit the size cap (the newest part kept). */
  truncated?: boolean;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  files: BundleFileEntry[];
  /** Left out to keep under the cap, or because they could not be read. */
  omitted: { path: string; why: string }[];
  [more: string]: unknown;
}

export interface BundleWriter {
  /** Bytes of file content added so far (before compression). */
  readonly contentBytes: number;
  add(path: string, content: Buffer | string, meta: Omit<BundleFileEntry, 'path' | 'bytes' | 'sha256'>): Promise<void>;
  omit(path: string, why: string): void;
  finish(manifest: Omit<BundleManifest, 'files' | 'omitted' | 'format' | 'version'>): Promise<{ file: string; bytes: number; sha256: string; manifest: BundleManifest }>;
  abort(): Promise<void>;
}

export function openBundleWriter(file: string): BundleWriter {
  const partial = `${file}.partial`;
  const pack = tar.pack();
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  const done = pipeline(pack, zlib.createGzip({ level: 6 }), out);
  done.catch(() => undefined); // awaited in finish/abort
  const files: BundleFileEntry[] = [];
  const omitted: { path: string; why: string }[] = [];
  let contentBytes = 0;
  const mtime = new Date();

  const entry = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ name, size: body.length, mode: 0o644, mtime }, body, (err) => (err ? reject(err) : resolve()));
    });

  return {
    get contentBytes() {
      return contentBytes;
    },
    async add(path, content, meta) {
      const body = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
      await entry(path, body);
      contentBytes += body.length;
      files.push({ path, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), ...meta });
    },
    omit(path, why) {
      omitted.push({ path, why });
    },
    async finish(extra) {
      const manifest: BundleManifest = { format: BUNDLE_FORMAT, version: 1, ...extra, files, omitted };
      await entry(MANIFEST, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
      pack.finalize();
      await done;
      const fd = await fs.promises.open(partial, 'r');
      try {
        await fd.sync();
      } finally {
        await fd.close();
      }
      await fs.promises.rename(partial, file);
      const hash = createHash('sha256');
      await pipeline(fs.createReadStream(file), hash);
      return { file, bytes: (await fs.promises.stat(file)).size, sha256: hash.digest('hex'), manifest };
    },
    async abort() {
      pack.destroy();
      await done.catch(() => undefined);
      await fs.promises.rm(partial, { force: true });
    },
  };
}

export type VerifyResult = { ok: true; manifest: BundleManifest; files: Map<string, Buffer> } | { ok: false; problem: string; file: string | null };

/**
 * Checks every file of a bundle against its manifest. `keep` returns the files' contents too (the
 * import reads them), else they are hashed and dropped. Refused: not gzip/tar, cut short (naming
 * the file being read), no manifest, a file missing, altered (its SHA-256), or not in the manifest.
 */
export async function verifyBundle(file: string, opts: { keep?: boolean } = {}): Promise<VerifyResult> {
  const seen = new Map<string, { sha256: string; bytes: number }>();
  const kept = new Map<string, Buffer>();
  let manifestText: string | null = null;
  let reading: string | null = null;
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    if (header.type === 'directory') {
      stream.resume(); // a bundle repacked by hand has them: nothing to check
      stream.on('end', next);
      return;
    }
    if (header.type !== 'file') {
      stream.resume();
      stream.on('end', () => next(new Error(`${header.name} is a ${header.type ?? 'special'} entry, which no bundle holds`)));
      return;
    }
    const name = header.name.replace(/^\.\//, '');
    reading = name;
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (data: unknown) => {
      const c = data as Buffer;
      hash.update(c);
      bytes += c.length;
      if (name === MANIFEST || opts.keep) chunks.push(c);
    });
    stream.on('end', () => {
      if (name === MANIFEST) manifestText = Buffer.concat(chunks).toString('utf8');
      else {
        seen.set(name, { sha256: hash.digest('hex'), bytes });
        if (opts.keep) kept.set(name, Buffer.concat(chunks));
      }
      reading = null;
      next();
    });
    stream.resume();
  });
  try {
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), extract);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: reading ? `the bundle is cut short or damaged inside ${reading} (${why})` : `not a readable .tar.gz bundle (${why})`, file: reading };
  }
  if (manifestText === null) return { ok: false, problem: `no ${MANIFEST}: not a support bundle, or cut short before its end`, file: MANIFEST };
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(manifestText) as BundleManifest;
  } catch {
    return { ok: false, problem: `${MANIFEST} is not JSON`, file: MANIFEST };
  }
  if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files)) return { ok: false, problem: `${MANIFEST} is not a support bundle's manifest`, file: MANIFEST };
  for (const f of manifest.files) {
    const got = seen.get(f.path);
    if (!got) return { ok: false, problem: `${f.path} is listed in the manifest but missing from the bundle`, file: f.path };
    if (got.sha256 !== f.sha256 || got.bytes !== f.bytes) return { ok: false, problem: `${f.path} failed its checksum: SHA-256 ${got.sha256.slice(0, 16)}…, the manifest says ${String(f.sha256).slice(0, 16)}… (altered or damaged)`, file: f.path };
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const name of seen.keys()) if (!listed.has(name)) return { ok: false, problem: `${name} is in the bundle but not in its manifest (added afterwards)`, file: name };
  return { ok: true, manifest, files: kept };
}
