import { createHash, type Hash } from 'node:crypto';

/**
 * Qiniu's file hash ("qetag", the `hash` its APIs return), from its published definition
 * (github.com/qiniu/qetag): the data cut into 4 MiB blocks;
 *  - one block or none: 0x16 followed by the SHA-1 of the data;
 *  - more: 0x96 followed by the SHA-1 of the blocks' SHA-1s concatenated;
 * base64url-encoded: 21 bytes, so 28 characters and never padding.
 */
export const QETAG_BLOCK = 4 * 1024 * 1024;

const SMALL = 0x16;
const LARGE = 0x96;
/** Resumable upload v2 with parts other than 4 MiB (Qiniu's EtagV2): SHA-1 over each part's qetag minus its first byte. */
const PARTS = 0x9e;

const encode = (prefix: number, digest: Buffer) => Buffer.concat([Buffer.of(prefix), digest]).toString('base64url');

/** Streaming qetag: update() with the bytes in order, digest() once; memory is one SHA-1 state per block. */
export class Qetag {
  private readonly blockSums: Buffer[] = [];
  private block: Hash = createHash('sha1');
  private inBlock = 0;

  update(chunk: Uint8Array): this {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, QETAG_BLOCK - this.inBlock);
      this.block.update(chunk.subarray(offset, offset + take));
      this.inBlock += take;
      offset += take;
      if (this.inBlock === QETAG_BLOCK) {
        this.blockSums.push(this.block.digest());
        this.block = createHash('sha1');
        this.inBlock = 0;
      }
    }
    return this;
  }

  digest(): string {
    // A trailing partial block (or, for empty data, the empty block) counts as a block too.
    if (this.inBlock > 0 || this.blockSums.length === 0) this.blockSums.push(this.block.digest());
    return combineBlockSums(this.blockSums);
  }

  /** The raw SHA-1 of each 4 MiB block so far; only meaningful after digest(). */
  get blocks(): readonly Buffer[] {
    return this.blockSums;
  }
}

export function combineBlockSums(sums: readonly Buffer[]): string {
  if (sums.length === 1) return encode(SMALL, sums[0]!);
  const outer = createHash('sha1');
  for (const sum of sums) outer.update(sum);
  return encode(LARGE, outer.digest());
}

export function qetagOf(data: Uint8Array): string {
  return new Qetag().update(data).digest();
}

/**
 * The hash of an object uploaded in parts (resumable upload v2), from each part's size and qetag,
 * in part order, as Qiniu computes it (its SDKs' EtagV2): when every part but the last is exactly
 * 4 MiB (and the last at most 4 MiB), the parts are the blocks and the hash is the ordinary
 * qetag; otherwise 0x9e followed by the SHA-1 of each part's qetag without its first byte.
 */
export function qetagOfParts(parts: readonly { size: number; qetag: string }[]): string {
  const blockAligned = parts.every((p, i) => (i === parts.length - 1 ? p.size <= QETAG_BLOCK : p.size === QETAG_BLOCK));
  if (parts.length === 0) return qetagOf(new Uint8Array(0));
  const raw = parts.map((p) => Buffer.from(p.qetag, 'base64url'));
  if (blockAligned) return combineBlockSums(raw.map((r) => r.subarray(1)));
  const outer = createHash('sha1');
  for (const r of raw) outer.update(r.subarray(1));
  return encode(PARTS, outer.digest());
}
