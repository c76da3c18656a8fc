import { describe, expect, it } from 'vitest';
import { createDirectoryNames, itemsFrom, sortNames } from '../../agents/services/kodo/store/listing-names';
import { compareKeys } from '../../agents/services/kodo/store/object-key';

describe('the listing’s kept directory names', () => {
  it('walks items in S3 order from any start, as sorting every item would (brute force over small name sets)', () => {
    const alphabet = ['a', '-', '.', '0', 'é'];
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 300; round++) {
      const names = new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')));
      const segs = sortNames(names);
      const all = segs.flatMap((s) => [s, `${s}/`]).sort(compareKeys);
      const from = Array.from({ length: Math.floor(random() * 4) }, () => [...alphabet, '/'][Math.floor(random() * 6)]).join('');
      const got = [...itemsFrom(segs, from)].map((i) => (i.isDir ? `${i.seg}/` : i.seg));
      // Everything at or after `from`, and every subtree that may hold keys after it, in order.
      const due = all.filter((k) => compareKeys(k, from) >= 0 || (k.endsWith('/') && from.startsWith(k)));
      expect(got.filter((k) => due.includes(k)), JSON.stringify({ segs, from })).toEqual(due);
      expect([...got].sort(compareKeys)).toEqual(got);
    }
  });

  it('counts the names it holds right through puts and deletes, so its budget holds', () => {
    const names = createDirectoryNames(100);
    const onDisk = new Set(['a', 'b']);
    const list = () => names.names('bkt', ['bkt'], () => [...onDisk], (n) => onDisk.has(n)).segs;
    expect(list()).toEqual(['a', 'b']);
    for (let i = 0; i < 5; i++) {
      names.added('bkt', `tmp${i}`); // put, then deleted before any listing
      names.removed('bkt', `tmp${i}`);
      list();
    }
    names.added('bkt', 'c');
    onDisk.add('c');
    names.uncertain('bkt', 'failed-put'); // never made it to the disks
    expect(list()).toEqual(['a', 'b', 'c']);
    expect(names.size()).toBe(3);
  });
});
