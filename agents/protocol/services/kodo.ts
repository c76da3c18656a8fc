import * as z from 'zod/mini';

/**
 * Kodo, the S3-compatible (and Qiniu-compatible) object store: its config (services.json) and its
 * own control methods (`kodo.<method>` through service-call.v1). Shared by the agent, the Kodo
 * server process and the console.
 *
 * The erasure layout (k + m) is not config: it is chosen once, by `init.v1`, and recorded on the
 * data disks (format.json); it cannot change afterwards.
 */

export const KODO_SERVICE_ID = 'kodo';
/** Port ids (agent.json `ports`, the console's service-ports.ts). */
export const KODO_S3_PORT_ID = 'kodo-s3';
export const KODO_QINIU_PORT_ID = 'kodo-qiniu';
export const KODO_S3_DEFAULT_PORT = 9000;
export const KODO_QINIU_DEFAULT_PORT = 9010;

export const HEAL_PRIORITIES = ['low', 'normal', 'high'] as const;
export type HealPriority = (typeof HEAL_PRIORITIES)[number];

export const KodoConfigSchema = z.strictObject({
  /** The region S3 clients sign for (their `region` setting). */
  region: z._default(z.string().check(z.regex(/^[a-z0-9-]{2,32}$/)), 'us-east-1'),
  /**
   * Host-name suffixes for virtual-hosted-style requests (`<bucket>.<suffix>`), e.g. `s3.example.lan`.
   * Path-style requests always work.
   */
  virtualHostSuffixes: z._default(z.array(z.string().check(z.regex(/^[a-z0-9.-]{1,253}$/))).check(z.maxLength(8)), []),
  /** Background healing's I/O budget; changed at run time without a restart (reload). */
  healPriority: z._default(z.enum(HEAL_PRIORITIES), 'normal'),
  /** Addresses the S3 and Qiniu ports listen on (default every interface). */
  listenAddress: z._default(z.string().check(z.minLength(1), z.maxLength(64)), '0.0.0.0'),
});
export type KodoConfig = z.output<typeof KodoConfigSchema>;

// ---- control methods -----------------------------------------------------------------------

export const KodoLayoutSchema = z.object({
  k: z.number().check(z.int(), z.gte(2), z.lte(32)),
  m: z.number().check(z.int(), z.gte(1), z.lte(8)),
});
export type KodoLayout = z.infer<typeof KodoLayoutSchema>;

export const KodoDiskSchema = z.object({
  index: z.number().check(z.int(), z.nonnegative()),
  /** Mount point of the data disk (null: the disk of this index was not found). */
  path: z.nullable(z.string().check(z.maxLength(4096))),
  state: z.enum(['online', 'offline']),
  /** Why it is offline (unreadable, blank, another store's disk, …). */
  reason: z.nullable(z.string().check(z.maxLength(1024))),
  /** A replaced disk being rebuilt. */
  healing: z.boolean(),
});

export const KodoBucketSchema = z.object({
  name: z.string().check(z.maxLength(63)),
  created: z.string().check(z.maxLength(40)),
  publicRead: z.boolean(),
  /** From the last full scan (null before the first). */
  objects: z.nullable(z.number().check(z.nonnegative())),
  logicalBytes: z.nullable(z.number().check(z.nonnegative())),
  rawBytes: z.nullable(z.number().check(z.nonnegative())),
});
export type KodoBucket = z.infer<typeof KodoBucketSchema>;

export const KodoHealCycleSchema = z.object({
  started: z.string().check(z.maxLength(40)),
  finished: z.nullable(z.string().check(z.maxLength(40))),
  /** Why it runs: on its schedule, asked for, or to rebuild replaced disks. */
  reason: z.enum(['scheduled', 'requested', 'disk-replaced']),
  /** Indices of the replaced disks this cycle rebuilds. */
  rebuilding: z.array(z.number().check(z.int(), z.nonnegative())).check(z.maxLength(256)),
  objectsScanned: z.number().check(z.nonnegative()),
  objectsTotalEstimate: z.nullable(z.number().check(z.nonnegative())),
  bytesScanned: z.number().check(z.nonnegative()),
  objectsHealed: z.number().check(z.nonnegative()),
  shardsRepaired: z.number().check(z.nonnegative()),
  /** Crash leftovers removed (unreferenced data, superseded versions, stale temp dirs). */
  leftoversRemoved: z.number().check(z.nonnegative()),
  /** Objects that could not be checked or healed (I/O). */
  errors: z.number().check(z.nonnegative()),
  /** Objects with fewer than k good shards: nothing can rebuild them. */
  unrecoverable: z.number().check(z.nonnegative()),
  lastErrors: z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(16)),
  /** Seconds left, from this cycle's rate and the previous cycle's total (null: unknown yet). */
  etaSeconds: z.nullable(z.number().check(z.nonnegative())),
  /** Stopped before the end (the store closed, or a replaced disk restarted the cycle). */
  aborted: z.boolean(),
});

export const KodoHealStatusSchema = z.object({
  state: z.enum(['idle', 'scanning', 'healing']),
  priority: z.enum(HEAL_PRIORITIES),
  cycle: z.nullable(KodoHealCycleSchema),
  lastCycle: z.nullable(KodoHealCycleSchema),
  /** Heal on read: objects waiting, healed, and dropped because the queue was full (the scanner finds those). */
  queue: z.object({ pending: z.number().check(z.nonnegative()), healed: z.number().check(z.nonnegative()), dropped: z.number().check(z.nonnegative()) }),
});

export const KodoStatusParamsSchema = z.strictObject({});
export const KodoStatusResultSchema = z.object({
  /** False until init.v1 has formatted the data disks. */
  initialized: z.boolean(),
  layout: z.nullable(KodoLayoutSchema),
  storeId: z.nullable(z.string().check(z.maxLength(64))),
  /** The data disks agent.json lists (what init.v1 would format). */
  dataDisks: z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(256)),
  disks: z.array(KodoDiskSchema).check(z.maxLength(256)),
  buckets: z.array(KodoBucketSchema).check(z.maxLength(10_000)),
  heal: z.nullable(KodoHealStatusSchema),
  ports: z.object({ s3: z.number().check(z.int()), qiniu: z.number().check(z.int()) }),
  region: z.string().check(z.maxLength(32)),
  /** Why the store cannot open (too few disks, format mismatch), when it cannot. */
  problem: z.nullable(z.string().check(z.maxLength(2048))),
});
export type KodoStatus = z.infer<typeof KodoStatusResultSchema>;

export const KodoInitParamsSchema = z.strictObject({ layout: KodoLayoutSchema });
export const KodoInitResultSchema = z.object({ storeId: z.string(), layout: KodoLayoutSchema, disks: z.number().check(z.int()) });

export const KodoKeyAccessSchema = z.enum(['read-write', 'read-only']);
export const KodoKeySchema = z.object({
  accessKeyId: z.string().check(z.maxLength(64)),
  bucket: z.nullable(z.string().check(z.maxLength(63))),
  access: KodoKeyAccessSchema,
  created: z.string().check(z.maxLength(40)),
  description: z.string().check(z.maxLength(200)),
});
export type KodoKey = z.infer<typeof KodoKeySchema>;

export const KodoKeysListParamsSchema = z.strictObject({});
export const KodoKeysListResultSchema = z.object({ keys: z.array(KodoKeySchema).check(z.maxLength(10_000)) });
export const KodoKeysCreateParamsSchema = z.strictObject({
  bucket: z._default(z.nullable(z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/))), null),
  access: z._default(KodoKeyAccessSchema, 'read-write'),
  description: z._default(z.string().check(z.maxLength(200)), ''),
});
/** The only answer that carries a secret: shown once, never stored by the console unencrypted. */
export const KodoKeysCreateResultSchema = z.object({ key: KodoKeySchema, secretKey: z.string().check(z.maxLength(128)) });
export const KodoKeysRevokeParamsSchema = z.strictObject({ accessKeyId: z.string().check(z.regex(/^[A-Z0-9]{16,64}$/)) });
export const KodoKeysRevokeResultSchema = z.object({ revoked: z.boolean() });

export const KodoBucketNameSchema = z.string().check(z.minLength(3), z.maxLength(63));
export const KodoBucketCreateParamsSchema = z.strictObject({ name: KodoBucketNameSchema, publicRead: z._default(z.boolean(), false) });
export const KodoBucketCreateResultSchema = z.object({ name: z.string() });
export const KodoBucketDeleteParamsSchema = z.strictObject({ name: KodoBucketNameSchema });
export const KodoBucketDeleteResultSchema = z.object({ deleted: z.boolean() });
export const KodoBucketSettingsParamsSchema = z.strictObject({ name: KodoBucketNameSchema, publicRead: z.boolean() });
export const KodoBucketSettingsResultSchema = z.object({ name: z.string(), publicRead: z.boolean() });

export const KodoHealParamsSchema = z.strictObject({
  /** Start a full cycle now. */
  start: z._default(z.boolean(), false),
  /** Change the I/O budget now (until the next config change; the config's healPriority is the standing one). */
  priority: z.optional(z.enum(HEAL_PRIORITIES)),
  /** A person swapped disks: look for blank disks in the set, format them into their slots and heal onto them. */
  rescanDisks: z._default(z.boolean(), false),
});
export const KodoHealResultSchema = KodoHealStatusSchema;

export const KodoObjectsListParamsSchema = z.strictObject({
  bucket: KodoBucketNameSchema,
  prefix: z._default(z.string().check(z.maxLength(1024)), ''),
  delimiter: z._default(z.string().check(z.maxLength(8)), '/'),
  continuationToken: z.optional(z.string().check(z.maxLength(2048))),
  maxKeys: z._default(z.number().check(z.int(), z.gte(1), z.lte(1000)), 200),
});
export const KodoObjectsListResultSchema = z.object({
  objects: z.array(z.object({ key: z.string(), size: z.number(), etag: z.string(), lastModified: z.string(), contentType: z.string() })).check(z.maxLength(1000)),
  commonPrefixes: z.array(z.string()).check(z.maxLength(1000)),
  nextContinuationToken: z.nullable(z.string()),
});
export const KodoObjectDeleteParamsSchema = z.strictObject({ bucket: KodoBucketNameSchema, key: z.string().check(z.minLength(1), z.maxLength(1024)) });
export const KodoObjectDeleteResultSchema = z.object({ deleted: z.boolean() });

/** A multipart upload's id as Kodo makes them (store/multipart-meta.ts newUploadId); nothing else reaches a URL. */
const KodoUploadIdSchema = z.string().check(z.regex(/^[0-9a-f]{12}-[0-9a-f]{32}$/));

/**
 * A presigned URL for one object (the object browser's download link and upload target), signed on
 * the machine with Kodo's link key (created on first use, listed among the keys as "Presigned
 * links": revoking it voids every link given out). The console never holds a Kodo secret.
 * `address` is how clients reach the machine (`10.0.0.5`, `[fd00::5]`); Kodo adds its S3 port.
 * Both are part of the signature.
 */
export const KodoObjectPresignParamsSchema = z.strictObject({
  bucket: KodoBucketNameSchema,
  key: z.string().check(z.minLength(1), z.maxLength(1024)),
  method: z._default(z.enum(['GET', 'PUT']), 'GET'),
  /** 1 s … 7 days (S3's limit for SigV4). */
  expiresSeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(604_800)), 3600),
  address: z.string().check(z.regex(/^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])$/)),
  /**
   * A step of a multipart upload instead of the whole object (the console uploads large files in
   * parts): create (POST ?uploads), part (PUT ?partNumber&uploadId), complete (POST ?uploadId),
   * abort (DELETE ?uploadId). The step fixes the HTTP method; `method` is ignored.
   */
  multipart: z.optional(
    z.discriminatedUnion('action', [
      z.strictObject({ action: z.literal('create') }),
      z.strictObject({ action: z.literal('part'), uploadId: KodoUploadIdSchema, partNumber: z.number().check(z.int(), z.gte(1), z.lte(10_000)) }),
      z.strictObject({ action: z.literal('complete'), uploadId: KodoUploadIdSchema }),
      z.strictObject({ action: z.literal('abort'), uploadId: KodoUploadIdSchema }),
    ]),
  ),
});
export const KodoObjectPresignResultSchema = z.object({
  url: z.string().check(z.maxLength(8192)),
  expiresAt: z.string().check(z.maxLength(40)),
  accessKeyId: z.string().check(z.maxLength(64)),
});

/** Kodo's control methods, called as `service-call.v1 { service: 'kodo', method, params }`. */
export const KODO_CONTROL_METHODS = {
  'status.v1': { params: KodoStatusParamsSchema, result: KodoStatusResultSchema, summary: 'Layout, disks, buckets with usage, healing, ports' },
  'init.v1': { params: KodoInitParamsSchema, result: KodoInitResultSchema, summary: 'Format the data disks as one erasure set of k + m (once; refused when already formatted)' },
  'keys-list.v1': { params: KodoKeysListParamsSchema, result: KodoKeysListResultSchema, summary: 'Access keys (no secrets)' },
  'keys-create.v1': { params: KodoKeysCreateParamsSchema, result: KodoKeysCreateResultSchema, summary: 'Create an access key (the secret is returned once)' },
  'keys-revoke.v1': { params: KodoKeysRevokeParamsSchema, result: KodoKeysRevokeResultSchema, summary: 'Revoke an access key' },
  'bucket-create.v1': { params: KodoBucketCreateParamsSchema, result: KodoBucketCreateResultSchema, summary: 'Create a bucket' },
  'bucket-delete.v1': { params: KodoBucketDeleteParamsSchema, result: KodoBucketDeleteResultSchema, summary: 'Delete an empty bucket' },
  'bucket-settings.v1': { params: KodoBucketSettingsParamsSchema, result: KodoBucketSettingsResultSchema, summary: "Set a bucket's public-read setting" },
  'heal.v1': { params: KodoHealParamsSchema, result: KodoHealResultSchema, summary: 'Healing status; start a cycle, set its priority, take replaced disks' },
  'objects-list.v1': { params: KodoObjectsListParamsSchema, result: KodoObjectsListResultSchema, summary: 'One page of a bucket listing (the object browser)' },
  'object-delete.v1': { params: KodoObjectDeleteParamsSchema, result: KodoObjectDeleteResultSchema, summary: 'Delete one object' },
  'object-presign.v1': { params: KodoObjectPresignParamsSchema, result: KodoObjectPresignResultSchema, summary: 'A presigned GET or PUT URL for one object, signed with Kodo\'s link key' },
} as const;
export type KodoControlMethods = typeof KODO_CONTROL_METHODS;
export type KodoControlMethodName = keyof KodoControlMethods;
