import { z } from 'zod';
import {
  HEAL_PRIORITIES,
  KodoBucketSchema,
  KodoDiskSchema,
  KodoHealStatusSchema,
  KodoObjectsListResultSchema,
} from '../../agents/protocol/services/kodo';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/**
 * Kodo, an appliance's S3-compatible object store, managed from the console: its status, the
 * one-time choice of erasure layout, access keys, buckets, healing and the object browser. Each
 * method is one or two of Kodo's own control methods (agents/protocol/services/kodo.ts) through the
 * agent's `service-call.v1`; enabling Kodo and its config are `service.configure`. A refusal
 * (not initialized, bucket not empty, Kodo not running, …) is an API error whose `params.reason`
 * is a status reason code (`kodo.*`, `service.*`, `ssh.*`, `agent.*`).
 */

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'expected a bucket name: 3–63 lower-case letters, digits, dots and dashes, starting and ending with a letter or digit' });
const objectKey = z.string().min(1).max(1024);
const accessKeyId = z.string().regex(/^[A-Z0-9]{16,64}$/, { message: 'expected an access key id: 16–64 upper-case letters and digits' });
const applianceOnly = z.strictObject({ applianceId: entityId });
const transferId = z.string().uuid();

export const kodoLayout = z.strictObject({ k: z.number().int().min(2).max(32), m: z.number().int().min(1).max(8) });

/** One layout Kodo accepts on this appliance's data disks, with the planner's figures (main/services/kodo/kodo-layouts.ts). */
export const kodoLayoutOption = z.strictObject({
  k: z.number().int(),
  m: z.number().int(),
  redundancyRatio: z.number(),
  toleratesFailures: z.number().int(),
  usableBytes: z.number(),
  rebuildHours: z.number(),
  /** The planner's annual durability in nines, capped at 99. */
  durabilityNines: z.number(),
  meetsTarget: z.boolean(),
  recommended: z.boolean(),
});
export type KodoLayoutOption = z.infer<typeof kodoLayoutOption>;

/** What the planner assumed for the durability figures. */
export const kodoPlannerBasis = z.strictObject({
  disks: z.number().int(),
  diskSizeBytes: z.number(),
  /** No disk size reported by the agent: a large disk was assumed (the figure errs low). */
  diskSizeAssumed: z.boolean(),
  annualFailureRate: z.number(),
  rebuildBytesPerSecond: z.number(),
  targetNines: z.number(),
});

export const kodoStatusView = z.strictObject({
  applianceId: entityId,
  asOf: isoTime,
  /** Kodo answered now. False: the rest is empty and `reasonCode` says why (not running, unreachable, …). */
  available: z.boolean(),
  reasonCode: z.string().nullable(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])),
  initialized: z.boolean(),
  layout: kodoLayout.nullable(),
  storeId: z.string().nullable(),
  /** The planner's durability for the layout in use (null before init). */
  durabilityNines: z.number().nullable(),
  /** Raw ÷ logical bytes over every bucket's last scan: the redundancy the data really costs (null: no scan yet or no data). */
  redundancy: z.strictObject({ logicalBytes: z.number(), rawBytes: z.number(), ratio: z.number().nullable() }).nullable(),
  dataDisks: z.array(z.string()),
  disks: z.array(KodoDiskSchema),
  buckets: z.array(KodoBucketSchema),
  heal: z.nullable(KodoHealStatusSchema),
  /** `http://<address>:<port>` as clients reach them (null when Kodo did not answer). */
  endpoints: z.strictObject({ s3: z.string(), qiniu: z.string() }).nullable(),
  region: z.string().nullable(),
  /** Kodo's own words on why its store cannot open (too few disks, a format mismatch). */
  problem: z.string().nullable(),
  /** Before init: the layouts to choose from (empty when the data disks are not known). */
  layoutOptions: z.array(kodoLayoutOption),
  plannerBasis: kodoPlannerBasis.nullable(),
});
export type KodoStatusView = z.infer<typeof kodoStatusView>;

export const kodoKeyView = z.strictObject({
  accessKeyId: z.string(),
  bucket: z.string().nullable(),
  access: z.enum(['read-write', 'read-only']),
  created: z.string(),
  description: z.string(),
});

export const kodoMethods = {
  'kodo.status': defineMethod({
    summary: "An appliance's object store (Kodo): layout and durability, disks, buckets with usage, healing, endpoints; the layouts to choose from before it is initialized",
    mutating: false,
    input: applianceOnly,
    output: kodoStatusView,
  }),
  'kodo.init': defineMethod({
    summary: "Format an appliance's data disks as Kodo's one erasure set (k+m, fixed for good); without a layout, the planner's choice",
    mutating: true,
    input: z.strictObject({ applianceId: entityId, layout: kodoLayout.optional() }),
    output: z.strictObject({
      storeId: z.string(),
      layout: kodoLayout,
      disks: z.number().int(),
      chosenBy: z.enum(['request', 'planner']),
      durabilityNines: z.number().nullable(),
      redundancyRatio: z.number(),
    }),
  }),
  'kodo.listKeys': defineMethod({ summary: "Kodo's access keys on an appliance (never their secrets)", mutating: false, input: applianceOnly, output: z.strictObject({ keys: z.array(kodoKeyView) }) }),
  'kodo.createKey': defineMethod({
    summary: 'Create a Kodo access key; its secret is in this answer only (the console does not keep it)',
    mutating: true,
    input: z.strictObject({
      applianceId: entityId,
      /** Limit the key to one bucket (null: every bucket). */
      bucket: bucketName.nullable().default(null),
      readOnly: z.boolean().default(false),
      description: z.string().max(200).default(''),
    }),
    output: z.strictObject({ key: kodoKeyView, secretKey: z.string(), endpoint: z.string(), region: z.string() }),
  }),
  'kodo.revokeKey': defineMethod({
    summary: 'Revoke a Kodo access key',
    mutating: true,
    input: z.strictObject({ applianceId: entityId, accessKeyId }),
    output: z.strictObject({ revoked: z.boolean() }),
  }),
  'kodo.listBuckets': defineMethod({ summary: "Kodo's buckets on an appliance, with their last scan's usage", mutating: false, input: applianceOnly, output: z.strictObject({ buckets: z.array(KodoBucketSchema) }) }),
  'kodo.createBucket': defineMethod({
    summary: 'Create a Kodo bucket',
    mutating: true,
    input: z.strictObject({ applianceId: entityId, name: bucketName, publicRead: z.boolean().default(false) }),
    output: z.strictObject({ name: z.string() }),
  }),
  'kodo.deleteBucket': defineMethod({ summary: 'Delete an empty Kodo bucket', mutating: true, input: z.strictObject({ applianceId: entityId, name: bucketName }), output: z.strictObject({ deleted: z.boolean() }) }),
  'kodo.setPublicRead': defineMethod({
    summary: "Let anyone read a Kodo bucket's objects without a key, or stop it",
    mutating: true,
    input: z.strictObject({ applianceId: entityId, name: bucketName, publicRead: z.boolean() }),
    output: z.strictObject({ name: z.string(), publicRead: z.boolean() }),
  }),
  'kodo.heal': defineMethod({
    summary: "Kodo's healing: its state and progress; start a full cycle, set its I/O priority, or take replaced disks into the set",
    mutating: true,
    input: z.strictObject({ applianceId: entityId, start: z.boolean().default(false), priority: z.enum(HEAL_PRIORITIES).optional(), rescanDisks: z.boolean().default(false) }),
    output: z.object(KodoHealStatusSchema.shape),
  }),
  'kodo.listObjects': defineMethod({
    summary: 'One page of a Kodo bucket listing (objects and the folders under a prefix)',
    mutating: false,
    input: z.strictObject({
      applianceId: entityId,
      bucket: bucketName,
      prefix: z.string().max(1024).default(''),
      continuationToken: z.string().max(2048).optional(),
      maxKeys: z.number().int().min(1).max(1000).default(200),
    }),
    output: z.object(KodoObjectsListResultSchema.shape),
  }),
  'kodo.presignObject': defineMethod({
    summary: "A link to one object that works without a key until it expires (GET: download; PUT: upload), signed on the appliance with Kodo's link key; the console holds no Kodo secret",
    mutating: true,
    input: z.strictObject({
      applianceId: entityId,
      bucket: bucketName,
      key: objectKey,
      method: z.enum(['GET', 'PUT']).default('GET'),
      expiresSeconds: z.number().int().min(60).max(604_800).default(3600),
    }),
    output: z.strictObject({ url: z.string(), expiresAt: z.string(), accessKeyId: z.string() }),
  }),
  // Uploads and downloads through the console (main/services/kodo/kodo-transfers.ts): a file
  // crosses the contract in chunks, so both hosts carry it alike and the page shows progress and
  // can cancel between chunks. Only starting an upload is audited: a chunk is part of that
  // request, and an audit row per 512 KiB would bury every other row.
  'kodo.beginUpload': defineMethod({
    summary: 'Start uploading a file to a Kodo bucket through the console (then kodo.uploadChunk from byte 0)',
    mutating: true,
    input: z.strictObject({
      applianceId: entityId,
      bucket: bucketName,
      key: objectKey.refine((k) => !k.endsWith('/'), { message: 'expected an object name, not a folder (it ends with /)' }),
      /** Bytes; S3's largest object is 5 TiB. */
      size: z.number().int().min(0).max(5 * 1024 ** 4),
      contentType: z.string().max(255).default(''),
    }),
    output: z.strictObject({ transferId: transferId, chunkBytes: z.number().int(), parts: z.number().int() }),
  }),
  'kodo.uploadChunk': defineMethod({
    summary: 'The next bytes of an upload (base64, at most one chunk); the last one answers when the object is stored',
    mutating: false,
    input: z.strictObject({
      transferId,
      offset: z.number().int().min(0),
      // base64 of at most 512 KiB (the host's request limit is 1 MiB)
      data: z.string().max(700_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'expected base64' }),
    }),
    output: z.strictObject({ received: z.number().int(), done: z.boolean(), etag: z.string().nullable() }),
  }),
  'kodo.beginDownload': defineMethod({
    summary: 'Start downloading an object from a Kodo bucket through the console (then kodo.downloadChunk from byte 0)',
    mutating: false,
    input: z.strictObject({ applianceId: entityId, bucket: bucketName, key: objectKey }),
    output: z.strictObject({ transferId, size: z.number().int(), contentType: z.string(), etag: z.string(), chunkBytes: z.number().int() }),
  }),
  'kodo.downloadChunk': defineMethod({
    summary: 'The next bytes of a download (base64, at most one chunk), from `offset`',
    mutating: false,
    input: z.strictObject({ transferId, offset: z.number().int().min(0) }),
    output: z.strictObject({ offset: z.number().int(), data: z.string(), done: z.boolean() }),
  }),
  'kodo.cancelTransfer': defineMethod({
    summary: 'Cancel an upload (nothing is stored) or a download',
    mutating: false,
    input: z.strictObject({ transferId }),
    output: z.strictObject({ cancelled: z.boolean() }),
  }),
  'kodo.deleteObject': defineMethod({
    summary: 'Delete one object from a Kodo bucket',
    mutating: true,
    input: z.strictObject({ applianceId: entityId, bucket: bucketName, key: objectKey }),
    output: z.strictObject({ deleted: z.boolean() }),
  }),
};

/** Re-exported for the renderer, which imports only main/contract. */
export { HEAL_PRIORITIES };
