import { readdirSync } from 'node:fs';
import path from 'node:path';
import { diskStillServes } from './disk-format';
import { errnoOf, StoreError } from './errors';
import { childExists, itemsFrom } from './listing-names';
import { compareKeys, encodeSegment } from './object-key';
import { resolveVersion } from './object-meta';
import { toInfo, type ObjectInfo } from './object-writer';
import { diskName, readQuorumMetas, type StoreContext } from './store-context';

/**
 * ListObjects as a merged, sorted walk of the bucket's directories on the disks: no index to lose
 * or rebuild. Each directory's names are the union over the readable disks; a child name `c` stands
 * for two things, the object `…c` (if its meta.json has a quorum) and the keys under `…c/`, and
 * sorting those two items by UTF-8 bytes (compareKeys) among their siblings gives S3's order
 * ('a', 'a-b', 'a/x': '-' < '/'), so the walk yields keys already sorted, reading only the
 * directories it needs:
 *  - a subtree entirely before the marker, or outside the prefix, is never opened;
 *  - with a delimiter, a subtree whose keys all roll up into one common prefix is not walked, only
 *    probed for one readable object (a prefix is listed only when it holds something readable).
 * Objects are listed only when k disks agree on a version (the read rule), with the figures of
 * that version. Metas are read ahead (LOOKAHEAD items at a time) to keep the disks busy.
 */

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** List keys after this one (S3's start-after / V1 marker). */
  startAfter?: string;
  /** A page's nextContinuationToken. */
  continuationToken?: string;
  /** 1…1000 (default 1000). */
  maxKeys?: number;
}

export interface ListPage {
  objects: ObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

const LOOKAHEAD = 32;

/** A key or a collapsed common prefix, with the check that decides whether it is listed (started when read ahead). */
type Item = { kind: 'object'; key: string; check: () => Promise<ObjectInfo | null> } | { kind: 'prefix'; prefix: string; check: () => Promise<boolean> };
type Pending = { item: Item; result: Promise<ObjectInfo | null | boolean> };

export function encodeToken(last: string): string {
  return Buffer.from(last, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (encodeToken(text) !== token) throw new StoreError('InvalidKey', 'the continuation token is not one this store issued');
  return text;
}

export async function listObjects(ctx: StoreContext, bucket: string, options: ListOptions): Promise<ListPage> {
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter ?? '';
  const maxKeys = Math.max(0, Math.min(1000, options.maxKeys ?? 1000));
  const token = options.continuationToken !== undefined ? decodeToken(options.continuationToken) : undefined;
  let after = options.startAfter ?? '';
  if (token !== undefined && compareKeys(token, after) > 0) after = token;

  const disks = readableDisks(ctx, bucket);
  const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
  if (maxKeys === 0) return page;

  /** The common prefix a key rolls up into, or null. */
  const rollUp = (key: string): string | null => {
    if (!delimiter) return null;
    const at = key.indexOf(delimiter, prefix.length);
    return at === -1 ? null : key.slice(0, at + delimiter.length);
  };

  // Synchronous from the cache lookup to the store into it: a commit's forget cannot fall between.
  const readInfo = async (key: string): Promise<ObjectInfo | null> => {
    const known = ctx.infos.get(bucket, key);
    if (known) return known;
    const resolved = resolveVersion(readQuorumMetas(ctx, bucket, key), ctx.k);
    if (!resolved) return null;
    const info = toInfo(bucket, key, resolved.version);
    ctx.infos.set(bucket, key, info);
    return info;
  };

  const firstReadable = async (dirKey: string, segments: string[]): Promise<boolean> => {
    // A readable key after `after` (the subtree may hold `after` itself, or only keys before it).
    for await (const item of walk(segments, dirKey, after, () => 'descend', (key) => compareKeys(key, after) > 0)) {
      if (item.kind === 'object' && (await item.check())) return true;
    }
    return false;
  };
  const wanted = (key: string) => key.startsWith(prefix) && compareKeys(key, after) > 0;

  /** What to do with the keys under `dirKey` (which ends with '/'). */
  const policy = (dirKey: string): 'skip' | 'descend' | 'collapse' => {
    if (!dirKey.startsWith(prefix) && !prefix.startsWith(dirKey)) return 'skip';
    if (compareKeys(dirKey, after) < 0 && !after.startsWith(dirKey)) return 'skip';
    if (delimiter && dirKey.startsWith(prefix)) {
      const cp = rollUp(dirKey);
      if (cp !== null && cp.length <= dirKey.length) return 'collapse';
    }
    return 'descend';
  };

  /** The directory's names, sorted, through the store's cache of them (listing-names.ts). */
  const namesOf = (segments: string[]) =>
    ctx.names.names(
      bucket,
      segments,
      () => unionDir(ctx, disks, segments),
      (name) => childExists(onlinePaths(ctx, disks), segments, name),
    ).segs;

  /**
   * The items under `dirKey` in S3 order, from the first that can be ≥ `bound` (a key; '' for all):
   * a page after a continuation token starts there by binary search, not by reading past every
   * key before it.
   */
  async function* walk(segments: string[], dirKey: string, bound: string, decide: (dirKey: string) => 'skip' | 'descend' | 'collapse', want: (key: string) => boolean): AsyncGenerator<Item> {
    let from = '';
    if (compareKeys(bound, dirKey) > 0) {
      if (!bound.startsWith(dirKey)) return; // the bound is past every key under dirKey
      from = bound.slice(dirKey.length);
    }
    for (const { seg, isDir } of itemsFrom(namesOf(segments), from)) {
      if (!isDir) {
        const key = dirKey + seg;
        if (key === '' || !want(key)) continue;
        yield { kind: 'object', key, check: () => readInfo(key) };
        continue;
      }
      const subKey = `${dirKey}${seg}/`;
      const action = decide(subKey);
      if (action === 'skip') continue;
      const childSegments = [...segments, encodeSegment(seg)];
      // Every key under the directory rolls up into one common prefix (which may end before the
      // directory's name does, for a delimiter other than '/').
      if (action === 'collapse') yield { kind: 'prefix', prefix: rollUp(subKey)!, check: () => firstReadable(subKey, childSegments) };
      else yield* walk(childSegments, subKey, bound, decide, want);
    }
  }

  // Read ahead: start each item's check as it enters the window, consume in order.
  const window: Pending[] = [];
  // Keys are > after and ≥ prefix: the walk may start at the larger of the two.
  const bound = compareKeys(after, prefix) > 0 ? after : prefix;
  const source = walk([bucket], '', bound, policy, wanted)[Symbol.asyncIterator]();
  let exhausted = false;
  let lastEmitted: string | null = null;
  const fill = async () => {
    while (!exhausted && window.length < Math.min(LOOKAHEAD, maxKeys + 1)) {
      const next = await source.next();
      if (next.done) exhausted = true;
      else {
        const result = next.value.check();
        result.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
        window.push({ item: next.value, result });
      }
    }
  };
  for (;;) {
    await fill();
    const pending = window.shift();
    if (!pending) break;
    const item = pending.item;
    let emit: { cp: string } | { info: ObjectInfo } | null = null;
    if (item.kind === 'object') {
      const cp = rollUp(item.key);
      if (cp !== null && (cp === lastEmitted || (token !== undefined && compareKeys(cp, token) <= 0))) continue;
      const info = (await pending.result) as ObjectInfo | null;
      if (!info) continue;
      emit = cp !== null ? { cp } : { info };
    } else {
      if (item.prefix === lastEmitted || (token !== undefined && compareKeys(item.prefix, token) <= 0)) continue;
      if (!(await pending.result)) continue;
      emit = { cp: item.prefix };
    }
    if (page.objects.length + page.commonPrefixes.length >= maxKeys) {
      page.isTruncated = true;
      page.nextContinuationToken = encodeToken(lastEmitted!);
      break;
    }
    if ('cp' in emit) {
      page.commonPrefixes.push(emit.cp);
      lastEmitted = emit.cp;
    } else {
      page.objects.push(emit.info);
      lastEmitted = emit.info.key;
    }
  }
  await source.return?.(undefined);
  return page;
}

/** The paths of the listing's disks that are online (where a deleted name is looked for). */
function onlinePaths(ctx: StoreContext, disks: number[]): string[] {
  return disks.flatMap((i) => (ctx.slots[i]!.state === 'online' && ctx.slots[i]!.path ? [ctx.slots[i]!.path!] : []));
}

/** The disks a listing reads: the store's, still serving, with the bucket; at least k of them. */
function readableDisks(ctx: StoreContext, bucket: string): number[] {
  const ok = ctx.slots.map((slot) => diskStillServes(slot, ctx.storeId));
  const disks = ok.flatMap((yes, i) => (yes ? [i] : []));
  if (disks.length < ctx.k) {
    const down = ok.flatMap((yes, i) => (yes ? [] : [diskName(ctx, i)]));
    throw new StoreError('ReadQuorum', `cannot list ${bucket}: ${down.length} of ${ctx.n} disks cannot be read (${down.join(', ')}); ${ctx.k} are needed`, down);
  }
  return disks;
}

/**
 * The names in one directory, from m + 1 of the listing's disks: an object k disks hold (and every
 * directory leading to it) is on at least one of any m + 1, so their union misses nothing readable,
 * at (m + 1) / (k + m) of the reads. A disk that fails is replaced by the next. Synchronous: see
 * readJsonOrNull in disk-io.ts.
 */
function unionDir(ctx: StoreContext, disks: number[], segments: string[]): string[] {
  const names = new Set<string>();
  const failed: number[] = [];
  let answered = 0;
  for (const i of disks) {
    if (answered >= ctx.m + 1) break;
    try {
      for (const name of readdirSync(path.join(ctx.slots[i]!.path!, ...segments))) names.add(name);
      answered++;
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') answered++;
      else failed.push(i);
    }
  }
  if (answered < Math.min(ctx.m + 1, disks.length - failed.length) || disks.length - failed.length < ctx.k) {
    const down = failed.map((i) => diskName(ctx, i));
    throw new StoreError('ReadQuorum', `cannot list ${segments.join('/')}: ${down.join(', ')} cannot be read`, down);
  }
  return [...names];
}

