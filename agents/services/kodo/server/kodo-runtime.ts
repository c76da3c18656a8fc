import fs from 'node:fs';
import path from 'node:path';
import type * as z from 'zod/mini';
import type { HealPriority, KodoConfig, KodoObjectPresignParamsSchema, KodoStatus } from '../../../protocol/services/kodo';
import { presignUrl } from '../s3/auth';
import { openStore, validateKey, type ObjectStore } from '../store';
import type { HealCycle } from '../store/heal-status';
import { ControlRefusal } from './control-api';
import { LINK_KEY_DESCRIPTION, type AccessKeyStore } from './access-key-store';

/**
 * What the running Kodo server holds: the store (null until init.v1, or while it cannot open),
 * the keys, the config, and the operations the control API offers on them. One owner for "is the
 * store there": the S3 and Qiniu handlers are (re)built by the server when `onStore` fires.
 */

type HealView = NonNullable<KodoStatus['heal']>;

/** The store's heal cycle (times in ms) as the protocol says it (ISO times, seconds). */
function cycleView(c: HealCycle | null): HealView['cycle'] {
  if (!c) return null;
  return {
    started: new Date(c.started).toISOString(),
    finished: c.finished === undefined ? null : new Date(c.finished).toISOString(),
    reason: c.reason,
    rebuilding: c.rebuilding,
    objectsScanned: c.objectsScanned,
    objectsTotalEstimate: c.objectsTotalEstimate,
    bytesScanned: c.bytesScanned,
    objectsHealed: c.objectsHealed,
    shardsRepaired: c.shardsRepaired,
    leftoversRemoved: c.leftoversRemoved,
    errors: c.errors,
    unrecoverable: c.unrecoverable,
    lastErrors: c.lastErrors.slice(-16).map((e) => e.slice(0, 1024)),
    etaSeconds: c.eta === null ? null : Math.round(c.eta),
    aborted: c.aborted === true,
  };
}

export interface KodoRuntime {
  readonly keys: AccessKeyStore;
  store(): ObjectStore | null;
  /** The store, or a refusal a person can act on. */
  requireStore(): ObjectStore;
  /** Opens the store if the disks are formatted (at start, and after a person replaced disks). */
  open(): Promise<void>;
  init(layout: { k: number; m: number }): Promise<{ storeId: string; layout: { k: number; m: number }; disks: number }>;
  status(): Promise<KodoStatus>;
  heal(params: { start: boolean; priority?: HealPriority; rescanDisks: boolean }): Promise<NonNullable<KodoStatus['heal']>>;
  setPublicRead(bucket: string, publicRead: boolean): Promise<void>;
  presign(params: KodoObjectPresignParams): Promise<{ url: string; expiresAt: string; accessKeyId: string }>;
  setConfig(config: KodoConfig): void;
  close(): Promise<void>;
  log(event: string, fields: Record<string, unknown>): void;
}

type KodoObjectPresignParams = z.output<typeof KodoObjectPresignParamsSchema>;

/** The HTTP method and query of a multipart upload's step (S3's), for a presigned URL. */
function multipartStep(step: KodoObjectPresignParams['multipart']): { method: string; query: string } | null {
  if (!step) return null;
  switch (step.action) {
    case 'create':
      return { method: 'POST', query: '?uploads=' };
    case 'part':
      return { method: 'PUT', query: `?partNumber=${step.partNumber}&uploadId=${step.uploadId}` };
    case 'complete':
      return { method: 'POST', query: `?uploadId=${step.uploadId}` };
    case 'abort':
      return { method: 'DELETE', query: `?uploadId=${step.uploadId}` };
  }
}

const FORMAT_FILE = path.join('.kodo', 'format.json');
/** How often a store that cannot open is tried again. */
const RETRY_OPEN_MS = 30_000;

export function createKodoRuntime(deps: {
  disks: string[];
  keys: AccessKeyStore;
  config: KodoConfig;
  ports: { s3: number; qiniu: number };
  onStore: (store: ObjectStore) => void;
  log: (event: string, fields: Record<string, unknown>) => void;
}): KodoRuntime {
  let store: ObjectStore | null = null;
  let problem: string | null = null;
  let config = deps.config;
  /** One open or init at a time. */
  let opening: Promise<void> = Promise.resolve();
  let closed = false;

  const formatted = () => deps.disks.some((d) => fs.existsSync(path.join(d, FORMAT_FILE)));

  const adopt = (opened: ObjectStore) => {
    store = opened;
    problem = null;
    store.setHealPriority(config.healPriority);
    deps.onStore(opened);
    deps.log('store.opened', { storeId: opened.storeId, layout: `${opened.layout.k}+${opened.layout.m}`, online: opened.disks().filter((d) => d.state === 'online').length });
  };

  const healOf = (status: ReturnType<ObjectStore['healStatus']>): HealView => {
    const { state, priority, cycle, lastCycle, queue } = status;
    return { state, priority, cycle: cycleView(cycle), lastCycle: cycleView(lastCycle), queue };
  };

  const runtime: KodoRuntime = {
    keys: deps.keys,
    store: () => store,
    requireStore() {
      if (store) return store;
      if (problem) throw new ControlRefusal('kodo.store-unavailable', `the store cannot open: ${problem}`, 503);
      throw new ControlRefusal('kodo.not-initialized', 'Kodo is not initialized: choose a layout (k+m) and initialize it (kodo init)', 409);
    },
    open() {
      opening = opening.then(async () => {
        if (store || !formatted()) return;
        try {
          adopt(await openStore({ disks: deps.disks }));
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
          deps.log('store.cannot-open', { msg: problem, retryInSeconds: RETRY_OPEN_MS / 1000 });
          // Disks mounted after the service started, or a disk put back: try again, quietly, until it opens.
          if (!closed) setTimeout(() => void runtime.open(), RETRY_OPEN_MS).unref();
        }
      });
      return opening;
    },
    init(layout) {
      const run = opening.then(async () => {
        if (store) {
          const { k, m } = store.layout;
          if (k === layout.k && m === layout.m) return { storeId: store.storeId, layout: { k, m }, disks: k + m };
          throw new ControlRefusal('kodo.already-initialized', `Kodo is already initialized as ${k}+${m}; a layout cannot change once data is written`);
        }
        if (formatted()) throw new ControlRefusal('kodo.already-initialized', `the data disks already hold a Kodo store that cannot open (${problem ?? 'unknown'}); fix or replace the disks, do not re-initialize`);
        const need = layout.k + layout.m;
        if (deps.disks.length !== need) {
          throw new ControlRefusal('kodo.layout-needs-disks', `${layout.k}+${layout.m} needs exactly ${need} data disks; this appliance has ${deps.disks.length}: choose a layout with k + m = ${deps.disks.length}`, 400);
        }
        const opened = await openStore({ disks: deps.disks, layout });
        deps.log('store.initialized', { storeId: opened.storeId, layout: `${layout.k}+${layout.m}` });
        adopt(opened);
        return { storeId: opened.storeId, layout: { ...opened.layout }, disks: need };
      });
      opening = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
    async status() {
      const s = store;
      const healStatus = s?.healStatus() ?? null;
      const heal = healStatus ? healOf(healStatus) : null;
      const usage = new Map((healStatus?.buckets ?? []).map((b) => [b.name, b]));
      const buckets = s
        ? await Promise.all(
            (await s.listBuckets()).map(async (b) => {
              const u = usage.get(b.name);
              return { name: b.name, created: b.created.toISOString(), publicRead: await s.getBucketSettings(b.name).then((settings) => settings.publicRead, () => false), objects: u?.objects ?? null, logicalBytes: u?.logicalBytes ?? null, rawBytes: u?.rawBytes ?? null };
            }),
          )
        : [];
      return {
        initialized: s !== null || formatted(),
        layout: s ? { ...s.layout } : null,
        storeId: s?.storeId ?? null,
        dataDisks: [...deps.disks],
        disks: s ? s.disks().map((d) => ({ index: d.index, path: d.path ?? null, state: d.state === 'online' ? 'online' : 'offline', reason: d.reason ?? null, healing: Boolean((d as { healing?: boolean }).healing) })) : [],
        buckets,
        heal,
        ports: deps.ports,
        region: config.region,
        problem,
      };
    },
    async heal(params) {
      // A person replaced disks while the store could not open: look again now rather than at the next retry.
      if (!store && params.rescanDisks) await runtime.open();
      const s = runtime.requireStore();
      if (params.rescanDisks) await s.rescanDisks();
      if (params.priority) s.setHealPriority(params.priority);
      if (params.start) s.startHealCycle();
      return healOf(s.healStatus());
    },
    async setPublicRead(bucket, publicRead) {
      const s = runtime.requireStore();
      await s.headBucket(bucket);
      await s.setBucketSettings(bucket, { publicRead });
    },
    async presign({ bucket, key, method, expiresSeconds, address, multipart }) {
      const s = runtime.requireStore();
      await s.headBucket(bucket); // NoSuchBucket before a link that could never work
      validateKey(key);
      // A URL's path is normalised by every client (and by the signer's URL parser): `a/../b` would
      // be signed, and fetched, as another object, perhaps in another bucket.
      if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
        throw new ControlRefusal('kodo.key-not-linkable', `"${key}" has a "." or ".." segment, which a URL cannot carry as it is: use an S3 client for this object`, 400);
      }
      const linkKey = deps.keys.list().find((k) => k.description === LINK_KEY_DESCRIPTION) ?? deps.keys.create({ bucket: null, access: 'read-write', description: LINK_KEY_DESCRIPTION });
      const now = new Date();
      const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      const step = multipartStep(multipart);
      const url = presignUrl({ method: step?.method ?? method, url: `http://${address}:${deps.ports.s3}${path}${step?.query ?? ''}`, key: linkKey, region: config.region, expiresSeconds, now });
      return { url, expiresAt: new Date(now.getTime() + expiresSeconds * 1000).toISOString(), accessKeyId: linkKey.accessKeyId };
    },
    setConfig(next) {
      config = next;
      store?.setHealPriority(next.healPriority);
    },
    async close() {
      closed = true;
      await opening;
      await store?.close();
    },
    log: deps.log,
  };
  return runtime;
}
