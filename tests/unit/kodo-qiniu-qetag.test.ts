import { describe, expect, it } from 'vitest';
import { Qetag, qetagOf, qetagOfParts } from '../../agents/services/kodo/qiniu/qetag';

/**
 * Qiniu's file hash against the vectors its own SDKs test with (java-sdk EtagTest, the Rust SDK's
 * etag tests, the Python bindings' EtagV2 test): their "fake file" repeats a 4 KiB pattern
 * ('A', 'b' × 4093, '\r', '\n').
 */
const pattern = Buffer.alloc(4096, 'b');
pattern[0] = 0x41;
pattern[4094] = 0x0d;
pattern[4095] = 0x0a;
const fakeFile = (bytes: number) => Buffer.concat(Array.from({ length: Math.ceil(bytes / 4096) }, () => pattern)).subarray(0, bytes);
const MIB = 1 << 20;

describe('qetag', () => {
  it.each([
    [0, 'Fto5o-5ea0sNMlW_75VgGJCv2AcJ'],
    [1 * MIB, 'Foyl8onxBLWeRLL5oItRJphv6i4b'],
    [4 * MIB, 'FicHOveBNs5Kn9d74M3b9tI4D-8r'],
    [5 * MIB, 'lg-Eb5KFCuZn-cUfj_oS2PPOU9xy'],
    [8 * MIB, 'lkSKZOMToDp-EqLDVuT1pyjQssl-'],
    [9 * MIB, 'ljgVjMtyMsOgIySv79U8Qz4TrUO4'],
  ])('%i bytes → %s, whole or fed in odd chunks', (size, expected) => {
    const data = fakeFile(size);
    expect(qetagOf(data)).toBe(expected);
    const streaming = new Qetag();
    for (let offset = 0; offset < data.length; offset += 999_983) streaming.update(data.subarray(offset, offset + 999_983));
    expect(streaming.digest()).toBe(expected);
  });

  it('hashes a short string as the SDKs do', () => {
    expect(qetagOf(Buffer.from('etag'))).toBe('FpLiADEaVoALPkdb8tJEJyRTXoe_');
  });

  it('combines parts: 4 MiB parts give the plain qetag, others Qiniu’s EtagV2', () => {
    const nine = fakeFile(9 * MIB);
    const parts = (sizes: number[]) => {
      let offset = 0;
      return sizes.map((size) => {
        const part = { size, qetag: qetagOf(nine.subarray(offset, offset + size)) };
        offset += size;
        return part;
      });
    };
    expect(qetagOfParts(parts([4 * MIB, 4 * MIB, 1 * MIB]))).toBe('ljgVjMtyMsOgIySv79U8Qz4TrUO4');
    const odd = fakeFile(MIB / 2 + 8 * MIB);
    expect(qetagOfParts([{ size: MIB / 2, qetag: qetagOf(odd.subarray(0, MIB / 2)) }, { size: 8 * MIB, qetag: qetagOf(odd.subarray(MIB / 2)) }])).toBe('nt82yvMNHlNgZ4H8_A_4de84mr2f');
    expect(qetagOfParts([])).toBe('Fto5o-5ea0sNMlW_75VgGJCv2AcJ');
  });
});
