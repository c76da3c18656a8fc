import { existsSync } from 'node:fs';
import path from 'node:path';
import { compareKeys, decodeSegment, encodeSegment, keyToSegments } from './object-key';

/**
 * The names in the directories listings walk, sorted, kept in memory between listings (listing.ts).
 *
 * Without it every page re-reads and re-sorts its whole directory: m + 1 readdirs and a sort of
 * every name, so a page from a flat bucket costs in proportion to the bucket (measured here on
 * 4+2, tmpfs: ~100 ms a page at 3,400 keys, ~165 ms at 20,000, ~475 ms at 100,000). With it, a
 * directory is read once; a page finds its start by binary search and reads only what it returns.
 *
 * It is a cache, not an index to lose: it is built from the disks (the union over m + 1 of them, as
 * before: an object k disks hold is on one of any m + 1) and nothing but listings read it. It stays
 * true because this process is its disks' only writer and every change of a key goes through the
 * store's API, which tells it: `added` after a put or a completed multipart upload (before the
 * caller hears of it, so a listing after a PUT shows the key), `removed` after a delete (the name is
 * checked against the disks at the next listing of that directory, since the directory may still
 * hold other keys), `uncertain` after a put that failed part-way (added, then checked), `dropBucket`
 * when a bucket goes. A name it holds that the disks no longer do (a
 * leftover the scanner removed) costs a listing one metadata check that finds nothing, as before.
 * Disks coming and going change nothing: a key k disks hold was in the union when it was built.
 *
 * Memory: directories are kept least-recently-listed first out, up to `budget` names in all (each
 * a decoded segment string: ~50–60 bytes at 20-character names). A directory larger than the
 * budget is read for every listing, as without the cache.
 *
 * Names the store did not write (not canonical: decodeSegment ∘ encodeSegment is not the identity
 * on them) are left out: the walk could not descend through them consistently anyway.
 */

export const DEFAULT_NAMES_BUDGET = 2_000_000;

/** One directory's child segments, decoded and sorted by compareKeys. */
export interface SortedNames {
  readonly segs: readonly string[];
}

interface Cached {
  segs: string[];
  /** Names created since the directory was read (merged at its next listing). */
  added: Set<string>;
  /** Names whose keys were deleted: maybe gone (checked at its next listing). */
  maybeGone: Set<string>;
}

export interface DirectoryNames {
  /**
   * The directory's names, from the cache or from `read` (the encoded names on m + 1 disks).
   * `exists(encodedName)` says whether any disk still holds a child (for deleted names).
   */
  names(bucket: string, segments: readonly string[], read: () => string[], exists: (name: string) => boolean): SortedNames;
  added(bucket: string, key: string): void;
  removed(bucket: string, key: string): void;
  /** A put or completion that failed part-way: the key may or may not be there now. */
  uncertain(bucket: string, key: string): void;
  dropBucket(bucket: string): void;
  /** Names held, for the tests and the status. */
  size(): number;
}

/** Sorted, canonical, decoded segments of encoded directory entries. */
export function sortNames(encoded: Iterable<string>): string[] {
  const segs: string[] = [];
  for (const name of encoded) {
    const seg = decodeSegment(name);
    if (seg !== null && encodeSegment(seg) === name) segs.push(seg);
  }
  return segs.sort(compareKeys);
}

/** The first index whose segment is ≥ `seg` (compareKeys). */
export function lowerBound(segs: readonly string[], seg: string): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(segs[mid]!, seg) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createDirectoryNames(budget = DEFAULT_NAMES_BUDGET): DirectoryNames {
  /** By directory id, least recently listed first (Map order). */
  const dirs = new Map<string, Cached>();
  let held = 0;
  const idOf = (bucket: string, segments: readonly string[]) => `${bucket}\0${segments.join('/')}`;

  /** Each directory along the key's path, with the child segment the key passes through there. */
  function* levels(bucket: string, key: string): Generator<{ id: string; seg: string }> {
    const encoded = keyToSegments(key);
    const decoded = key.split('/');
    for (let i = 0; i < encoded.length; i++) yield { id: idOf(bucket, [bucket, ...encoded.slice(0, i)]), seg: decoded[i]! };
  }

  function evict() {
    for (const [id, dir] of dirs) {
      if (held <= budget) break;
      dirs.delete(id);
      held -= dir.segs.length;
    }
  }

  return {
    names(bucket, segments, read, exists) {
      const id = idOf(bucket, segments);
      const cached = dirs.get(id);
      if (!cached) {
        const segs = sortNames(read());
        if (segs.length <= budget) {
          dirs.set(id, { segs, added: new Set(), maybeGone: new Set() });
          held += segs.length;
          evict();
        }
        return { segs };
      }
      dirs.delete(id);
      dirs.set(id, cached); // most recently listed
      // Added names first, then the doubtful ones (added or not) looked up on the disks.
      if (cached.added.size > 0) {
        const fresh = [...cached.added].filter((seg) => cached.segs[lowerBound(cached.segs, seg)] !== seg);
        cached.added.clear();
        if (fresh.length > 0) {
          cached.segs = mergeSorted(cached.segs, fresh.sort(compareKeys));
          held += fresh.length;
        }
      }
      if (cached.maybeGone.size > 0) {
        const gone = new Set([...cached.maybeGone].filter((seg) => !exists(encodeSegment(seg))));
        cached.maybeGone.clear();
        if (gone.size > 0) {
          const before = cached.segs.length;
          cached.segs = cached.segs.filter((s) => !gone.has(s));
          held -= before - cached.segs.length;
        }
      }
      evict();
      return cached;
    },
    added(bucket, key) {
      for (const { id, seg } of levels(bucket, key)) {
        const dir = dirs.get(id);
        if (!dir) continue;
        dir.maybeGone.delete(seg);
        dir.added.add(seg);
      }
    },
    removed(bucket, key) {
      for (const { id, seg } of levels(bucket, key)) dirs.get(id)?.maybeGone.add(seg);
    },
    uncertain(bucket, key) {
      for (const { id, seg } of levels(bucket, key)) {
        const dir = dirs.get(id);
        dir?.added.add(seg);
        dir?.maybeGone.add(seg);
      }
    },
    dropBucket(bucket) {
      for (const [id, dir] of dirs) {
        if (id.startsWith(`${bucket}\0`)) {
          dirs.delete(id);
          held -= dir.segs.length;
        }
      }
    },
    size: () => held,
  };
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = compareKeys(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return out;
}

/**
 * A directory's items in S3 order from a lower bound: each segment `s` is the object `s` and the
 * subtree `s/`, and sorting both by UTF-8 bytes interleaves them ('a', 'a-b', 'a-b/', 'a/': '-' <
 * '/'). Walking the sorted segments with a stack of subtrees not yet due gives that order in one
 * pass: a subtree `d/` is due before the first segment after it, and a later segment is pushed
 * above it only when it extends `d` with a character below '/', which also puts its own `…/`
 * first. Starting at `from` (relative to the directory), the items before it are skipped but the
 * subtrees that may hold keys at or after it (segments that are prefixes of it) are kept: more
 * items than needed is harmless (the walk's filters drop them), one fewer would lose keys.
 */
export function* itemsFrom(segs: readonly string[], from: string): Generator<{ seg: string; isDir: boolean }> {
  const stack: string[] = [];
  // Subtrees begun before `from` that may reach it: segments that are proper prefixes of it (a
  // segment holds no '/', so none longer than its first one), in the stack's order.
  const slash = from.indexOf('/');
  const longest = slash === -1 ? from.length - 1 : slash;
  for (let len = 0; len <= longest; len++) {
    const p = from.slice(0, len);
    if (segs[lowerBound(segs, p)] === p) stack.push(p);
  }
  stack.sort((x, y) => compareKeys(`${y}/`, `${x}/`)); // largest first: the top (end) is the next due
  for (let i = lowerBound(segs, from); i < segs.length; i++) {
    const seg = segs[i]!;
    while (stack.length > 0 && compareKeys(`${stack.at(-1)!}/`, seg) < 0) yield { seg: stack.pop()!, isDir: true };
    yield { seg, isDir: false };
    stack.push(seg);
  }
  while (stack.length > 0) yield { seg: stack.pop()!, isDir: true };
}

/** Whether any of the online disks holds the child `name` of the directory (for `removed` names). */
export function childExists(diskPaths: readonly string[], segments: readonly string[], name: string): boolean {
  return diskPaths.some((p) => existsSync(path.join(p, ...segments, name)));
}
