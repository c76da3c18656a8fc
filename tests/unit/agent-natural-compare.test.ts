import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../agents/agent/natural-compare';

describe('naturalCompare (stands in for localeCompare numeric, which loads ICU)', () => {
  it('orders digit runs by value and the rest by code unit, as sensor, disk and interface names need', () => {
    const names = ['hwmon10', 'sdb', 'nvme0n1p10', 'hwmon2', 'loop10', 'nvme0n1', 'sda', 'nvme0n1p2', 'loop2', 'temp10_input', 'eth0', 'temp2_input', 'lo'];
    expect([...names].sort(naturalCompare)).toEqual(['eth0', 'hwmon2', 'hwmon10', 'lo', 'loop2', 'loop10', 'nvme0n1', 'nvme0n1p2', 'nvme0n1p10', 'sda', 'sdb', 'temp2_input', 'temp10_input']);
  });

  it('agrees with localeCompare(…, "en", { numeric: true }) on lower-case machine names', () => {
    const names = ['md127', 'md0', 'dm-1', 'dm-10', 'sr0', 'vda1', 'vda', 'veth-a1', 'veth-a', 'wlan0', 'br-lan'];
    expect([...names].sort(naturalCompare)).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  });

  it('is a total order: equal only for equal strings, and antisymmetric', () => {
    const pairs: [string, string][] = [['a2', 'a02'], ['x', 'x1'], ['1', 'a'], ['', 'a']];
    for (const [a, b] of pairs) {
      expect(naturalCompare(a, b)).not.toBe(0);
      expect(Math.sign(naturalCompare(a, b))).toBe(-Math.sign(naturalCompare(b, a)));
    }
    expect(naturalCompare('sda1', 'sda1')).toBe(0);
  });
});
