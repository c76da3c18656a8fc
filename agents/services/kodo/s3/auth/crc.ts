/**
 * CRC-32C (Castagnoli) and CRC-64/NVME, the two of S3's flexible checksums node:zlib lacks
 * (zlib.crc32 covers CRC-32). The AWS SDK computes them client-side in @aws-crypto/crc32c and
 * @aws-sdk/crc64-nvme, but neither is installed as its own package here (the SDK in node_modules
 * bundles them inside @aws-sdk/checksums, an internal package of a devDependency), so the service
 * carries these ~60 lines instead of a runtime dependency; the tests hold them to the catalogue's
 * check values and to the SDK's own implementations.
 *
 * Both are reflected CRCs computed 8 bytes a step (slice-by-8 tables): byte-at-a-time is ~4× slower
 * and a checksum runs over every byte of an upload.
 */

function sliceTables32(poly: number): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const t0 = tables[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[n] = c;
  }
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const cur = tables[k]!;
    for (let n = 0; n < 256; n++) cur[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
  }
  return tables;
}

const C32 = sliceTables32(0x82f63b78);

/** CRC-32C of `data` continuing from `crc` (0 to start); returns the finished value as an unsigned number. */
export function crc32c(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = C32 as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  let c = ~crc;
  let i = 0;
  const n = data.length;
  for (; i + 8 <= n; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^ t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, each 64-bit table entry as two 32-bit halves.
const P_HI = 0x9a6c9329;
const P_LO = 0xac4bc9b5;
const C64_HI = Array.from({ length: 8 }, () => new Int32Array(256));
const C64_LO = Array.from({ length: 8 }, () => new Int32Array(256));
{
  const hi0 = C64_HI[0]!;
  const lo0 = C64_LO[0]!;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = (lo >>> 1) | ((hi & 1) << 31);
      hi >>>= 1;
      if (carry) {
        hi ^= P_HI;
        lo ^= P_LO;
      }
    }
    hi0[n] = hi;
    lo0[n] = lo;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const hi = C64_HI[k - 1]![n]!;
      const lo = C64_LO[k - 1]![n]!;
      const idx = lo & 0xff;
      C64_LO[k]![n] = ((lo >>> 8) | (hi << 24)) ^ lo0[idx]!;
      C64_HI[k]![n] = (hi >>> 8) ^ hi0[idx]!;
    }
  }
}

/** A running CRC-64/NVME: feed bytes, read 8 big-endian bytes (S3's x-amz-checksum-crc64nvme, base64ed). */
export class Crc64Nvme {
  private hi = -1;
  private lo = -1;

  update(data: Uint8Array): void {
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    const n = data.length;
    const [h0, h1, h2, h3, h4, h5, h6, h7] = C64_HI as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    const [l0, l1, l2, l3, l4, l5, l6, l7] = C64_LO as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    for (; i + 8 <= n; i += 8) {
      // XOR the next 8 bytes (little-endian) into the register, then look each byte up at its distance from the end.
      const a = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      const b = hi ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
      const a0 = a & 0xff, a1 = (a >>> 8) & 0xff, a2 = (a >>> 16) & 0xff, a3 = a >>> 24;
      const b0 = b & 0xff, b1 = (b >>> 8) & 0xff, b2 = (b >>> 16) & 0xff, b3 = b >>> 24;
      hi = h7[a0]! ^ h6[a1]! ^ h5[a2]! ^ h4[a3]! ^ h3[b0]! ^ h2[b1]! ^ h1[b2]! ^ h0[b3]!;
      lo = l7[a0]! ^ l6[a1]! ^ l5[a2]! ^ l4[a3]! ^ l3[b0]! ^ l2[b1]! ^ l1[b2]! ^ l0[b3]!;
    }
    for (; i < n; i++) {
      const idx = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ l0[idx]!;
      hi = (hi >>> 8) ^ h0[idx]!;
    }
    this.hi = hi;
    this.lo = lo;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}
