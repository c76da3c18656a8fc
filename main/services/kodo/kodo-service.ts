import type { DataDisk } from '../../../agents/protocol/data-disk';
import type { KodoStatus } from '../../../agents/protocol/services/kodo';
import type { MethodOutput, MethodParsedInput } from '../../contract/api.contract';
import { ApiError } from '../../contract/errors';
import type { KodoStatusView } from '../../contract/kodo.contract';
import { formatEndpoint } from '../../contract/network-address';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/log';
import type { Reach } from '../../reach/reach';
import { unansweredReason } from '../agent-call';
import { createKodoControl } from './kodo-control';
import { createKodoTransfers, type KodoTransferLimits } from './kodo-transfers';
import { ASSUMED_DISK_BYTES, KODO_PLANNER_ASSUMPTIONS, kodoLayoutOptions, layoutFigures } from './kodo-layouts';

/**
 * The console's side of Kodo on an appliance (the `kodo.*` methods): each is one of Kodo's control
 * methods through the agent (kodo-control.ts), plus what only the console knows — the planner's
 * durability for a layout, the endpoint clients use, the raw ÷ logical redundancy. The secret of a
 * new access key passes through and is not kept.
 */
export interface KodoServiceDeps {
  reach: Pick<Reach, 'withAgent' | 'tcp'>;
  /** Throws not-found for an unknown appliance id. */
  requireAppliance(applianceId: string): { name: string; address: string };
  /** The data disks the agent last reported (their sizes feed the planner); null before it has. */
  reportedDataDisks(applianceId: string): DataDisk[] | null;
  clock: Clock;
  log: Logger;
  /** Tests make multipart uploads of a few MiB. */
  transferLimits?: Partial<KodoTransferLimits>;
}

/** How long a presigned URL the console itself uses lives: one request, made at once. */
const TRANSFER_URL_SECONDS = 900;
/** The machine's address as a URL host (IPv6 in brackets); Kodo adds its own S3 port. */
const urlHost = (address: string) => (address.includes(':') ? `[${address}]` : address);

export function createKodoService(deps: KodoServiceDeps) {
  const callKodo = createKodoControl({ reach: deps.reach });
  const endpoint = (address: string, port: number) => `http://${formatEndpoint(address, port)}`;
  const transfers = createKodoTransfers({
    requireAppliance: deps.requireAppliance,
    presign: (applianceId, input) => {
      const { name, address } = deps.requireAppliance(applianceId);
      return callKodo(applianceId, name, 'object-presign.v1', { ...input, expiresSeconds: TRANSFER_URL_SECONDS, address: urlHost(address) });
    },
    openTcp: (applianceId, port) => deps.reach.tcp(applianceId, port),
    log: deps.log,
    ...(deps.transferLimits ? { limits: deps.transferLimits } : {}),
  });

  /** The planner's inputs for this appliance: its data disks' sizes when reported (the smallest: it bounds the set), else an assumed large disk. */
  function plannerBasis(applianceId: string, disks: number) {
    const sizes = (deps.reportedDataDisks(applianceId) ?? []).map((d) => d.sizeBytes).filter((s) => s > 0);
    const diskSizeBytes = sizes.length > 0 ? Math.min(...sizes) : ASSUMED_DISK_BYTES;
    return { disks, diskSizeBytes, diskSizeAssumed: sizes.length === 0, ...KODO_PLANNER_ASSUMPTIONS };
  }

  function view(applianceId: string, address: string, s: KodoStatus): KodoStatusView {
    const disks = s.layout ? s.layout.k + s.layout.m : s.dataDisks.length;
    const basis = disks >= 3 ? plannerBasis(applianceId, disks) : null;
    const figures = s.layout && basis ? layoutFigures(s.layout, disks, basis.diskSizeBytes) : null;
    const scanned = s.buckets.filter((b) => b.logicalBytes !== null && b.rawBytes !== null);
    const logicalBytes = scanned.reduce((sum, b) => sum + (b.logicalBytes ?? 0), 0);
    const rawBytes = scanned.reduce((sum, b) => sum + (b.rawBytes ?? 0), 0);
    return {
      applianceId,
      asOf: deps.clock.now().toISOString(),
      available: true,
      reasonCode: null,
      reasonParams: {},
      initialized: s.initialized,
      layout: s.layout,
      storeId: s.storeId,
      durabilityNines: figures?.durabilityNines ?? null,
      redundancy: scanned.length > 0 ? { logicalBytes, rawBytes, ratio: logicalBytes > 0 ? rawBytes / logicalBytes : null } : null,
      dataDisks: s.dataDisks,
      disks: s.disks,
      buckets: s.buckets,
      heal: s.heal,
      endpoints: { s3: endpoint(address, s.ports.s3), qiniu: endpoint(address, s.ports.qiniu) },
      region: s.region,
      problem: s.problem,
      layoutOptions: !s.initialized && basis ? kodoLayoutOptions(disks, basis.diskSizeBytes) : [],
      plannerBasis: basis,
    };
  }

  /** Kodo's status now; a failure to reach it is a view saying why (the page shows it), not an error. */
  async function status(applianceId: string): Promise<KodoStatusView> {
    const appliance = deps.requireAppliance(applianceId);
    try {
      return view(applianceId, appliance.address, await callKodo(applianceId, appliance.name, 'status.v1', {}));
    } catch (err) {
      const why = unansweredReason(err);
      if (!why) throw err;
      return {
        applianceId,
        asOf: deps.clock.now().toISOString(),
        available: false,
        reasonCode: why.code,
        reasonParams: why.params,
        initialized: false,
        layout: null,
        storeId: null,
        durabilityNines: null,
        redundancy: null,
        dataDisks: [],
        disks: [],
        buckets: [],
        heal: null,
        endpoints: null,
        region: null,
        problem: null,
        layoutOptions: [],
        plannerBasis: null,
      };
    }
  }

  /** Kodo's status, or the refusal as the error (for the calls that need a running Kodo). */
  async function liveStatus(applianceId: string, name: string): Promise<KodoStatus> {
    return callKodo(applianceId, name, 'status.v1', {});
  }

  return {
    status,

    /**
     * Format the data disks once. Checked here first, so a person is told before anything is
     * written: already initialized, or a layout that does not split this appliance's data disks.
     */
    async init(input: MethodParsedInput<'kodo.init'>): Promise<MethodOutput<'kodo.init'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      const s = await liveStatus(input.applianceId, name);
      if (s.initialized) {
        throw new ApiError('conflict', `Kodo on ${name} is already initialized as ${s.layout?.k}+${s.layout?.m}; the layout cannot change`, {
          params: { reason: 'kodo.already-initialized', k: s.layout?.k ?? 0, m: s.layout?.m ?? 0 },
        });
      }
      const disks = s.dataDisks.length;
      const basis = plannerBasis(input.applianceId, disks);
      const options = disks >= 3 ? kodoLayoutOptions(disks, basis.diskSizeBytes) : [];
      if (options.length === 0) {
        throw new ApiError('conflict', `${name} has ${disks} data disk(s); Kodo needs at least 3 (2 data + 1 parity): add disks, provision again, then initialize`, {
          params: { reason: 'kodo.too-few-disks', disks },
        });
      }
      const chosen = input.layout ? options.find((o) => o.k === input.layout!.k && o.m === input.layout!.m) : options.find((o) => o.recommended);
      if (!chosen) {
        const wanted = input.layout!;
        const choices = options.map((o) => `${o.k}+${o.m}`).join(', ');
        throw new ApiError('invalid-input', `${wanted.k}+${wanted.m} does not fit ${name}'s ${disks} data disks: Kodo uses every data disk, so k+m must be ${disks} (${choices})`, {
          issues: [{ path: 'layout', code: 'kodo-layout-disks', message: `k+m must be ${disks}: one of ${choices}`, params: { k: wanted.k, m: wanted.m, disks, choices } }],
        });
      }
      const layout = { k: chosen.k, m: chosen.m };
      const done = await callKodo(input.applianceId, name, 'init.v1', { layout });
      deps.log.info('kodo initialized', { applianceId: input.applianceId, layout: `${layout.k}+${layout.m}`, disks: done.disks });
      return {
        storeId: done.storeId,
        layout: done.layout,
        disks: done.disks,
        chosenBy: input.layout ? 'request' : 'planner',
        durabilityNines: chosen.durabilityNines,
        redundancyRatio: chosen.redundancyRatio,
      };
    },

    async listKeys(applianceId: string): Promise<MethodOutput<'kodo.listKeys'>> {
      const { name } = deps.requireAppliance(applianceId);
      return callKodo(applianceId, name, 'keys-list.v1', {});
    },

    /** The secret goes to the caller once; it is in no log and no store (the audit log has only the input). */
    async createKey(input: MethodParsedInput<'kodo.createKey'>): Promise<MethodOutput<'kodo.createKey'>> {
      const appliance = deps.requireAppliance(input.applianceId);
      const s = await liveStatus(input.applianceId, appliance.name);
      const created = await callKodo(input.applianceId, appliance.name, 'keys-create.v1', { bucket: input.bucket, access: input.readOnly ? 'read-only' : 'read-write', description: input.description });
      return { key: created.key, secretKey: created.secretKey, endpoint: endpoint(appliance.address, s.ports.s3), region: s.region };
    },

    async revokeKey(input: MethodParsedInput<'kodo.revokeKey'>): Promise<MethodOutput<'kodo.revokeKey'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'keys-revoke.v1', { accessKeyId: input.accessKeyId });
    },

    async listBuckets(applianceId: string): Promise<MethodOutput<'kodo.listBuckets'>> {
      const { name } = deps.requireAppliance(applianceId);
      return { buckets: (await liveStatus(applianceId, name)).buckets };
    },

    async createBucket(input: MethodParsedInput<'kodo.createBucket'>): Promise<MethodOutput<'kodo.createBucket'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'bucket-create.v1', { name: input.name, publicRead: input.publicRead });
    },

    async deleteBucket(input: MethodParsedInput<'kodo.deleteBucket'>): Promise<MethodOutput<'kodo.deleteBucket'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'bucket-delete.v1', { name: input.name });
    },

    async setPublicRead(input: MethodParsedInput<'kodo.setPublicRead'>): Promise<MethodOutput<'kodo.setPublicRead'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'bucket-settings.v1', { name: input.name, publicRead: input.publicRead });
    },

    async heal(input: MethodParsedInput<'kodo.heal'>): Promise<MethodOutput<'kodo.heal'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'heal.v1', { start: input.start, rescanDisks: input.rescanDisks, ...(input.priority ? { priority: input.priority } : {}) });
    },

    async listObjects(input: MethodParsedInput<'kodo.listObjects'>): Promise<MethodOutput<'kodo.listObjects'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'objects-list.v1', {
        bucket: input.bucket,
        prefix: input.prefix,
        delimiter: '/',
        maxKeys: input.maxKeys,
        ...(input.continuationToken ? { continuationToken: input.continuationToken } : {}),
      });
    },

    async presignObject(input: MethodParsedInput<'kodo.presignObject'>): Promise<MethodOutput<'kodo.presignObject'>> {
      const { name, address } = deps.requireAppliance(input.applianceId);
      // How clients reach the machine is part of the signature (Kodo adds its own S3 port).
      return callKodo(input.applianceId, name, 'object-presign.v1', { bucket: input.bucket, key: input.key, method: input.method, expiresSeconds: input.expiresSeconds, address: urlHost(address) });
    },

    async deleteObject(input: MethodParsedInput<'kodo.deleteObject'>): Promise<MethodOutput<'kodo.deleteObject'>> {
      const { name } = deps.requireAppliance(input.applianceId);
      return callKodo(input.applianceId, name, 'object-delete.v1', { bucket: input.bucket, key: input.key });
    },

    beginUpload: (input: MethodParsedInput<'kodo.beginUpload'>) => transfers.beginUpload(input),
    uploadChunk: (input: MethodParsedInput<'kodo.uploadChunk'>) => transfers.uploadChunk(input),
    beginDownload: (input: MethodParsedInput<'kodo.beginDownload'>) => transfers.beginDownload(input),
    downloadChunk: (input: MethodParsedInput<'kodo.downloadChunk'>) => transfers.downloadChunk(input),
    cancelTransfer: (input: MethodParsedInput<'kodo.cancelTransfer'>) => transfers.cancel(input),
    /** Cancels open transfers (aborting their multipart uploads on the machines) before the console stops. */
    closeTransfers: () => transfers.closeAll(),
  };
}
export type KodoService = ReturnType<typeof createKodoService>;
