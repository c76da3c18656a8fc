import type { SmartDisk } from '../../agents/protocol/payloads/smart';
import type { Collector } from '../connectivity/fleet-watch';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { differentDriveProblem } from '../health/smartctl-recording';
import { assessDisk, smartctlJson } from '../health/smart-verdict';
import type { DiskHealthRecord, DiskHealthStore } from './disk-health-store';

/**
 * Reads each appliance's SMART (`smart.v1`, the agent's last `smartctl -j -x` of every disk — the
 * agent reads the drives every 30 min itself) every `everyMs`, judges every disk with
 * main/health/smart-verdict.ts against its previous reading of the same drive (for trends; a drive
 * swapped into the slot starts afresh), and keeps the result for
 * the disk table and the alert rules. A disk the agent could not read is kept as `unknown` with
 * the agent's reason, never as healthy.
 */
export function createSmartCollector(deps: { disks: DiskHealthStore; clock: Clock; log: Logger; everyMs?: number }): { collect: Collector; forget(applianceId: string): void } {
  const everyMs = deps.everyMs ?? 10 * 60_000;
  const lastPolled = new Map<string, number>();
  const log = deps.log.child('smart');

  function judge(applianceId: string, d: SmartDisk, now: string): DiskHealthRecord {
    const previous = deps.disks.get(applianceId, d.device);
    const base = {
      applianceId,
      device: d.device,
      selfTests: d.selfTests,
      history: d.history,
      error: d.error,
      readAt: d.readAt,
      judgedAt: now,
    };
    const parsed = d.data ? smartctlJson.safeParse(d.data) : null;
    if (!parsed?.success) {
      const s = d.summary;
      return {
        ...base,
        verdict: 'unknown',
        reasons: [],
        identity: { model: s?.model ?? null, serial: s?.serial ?? null, firmware: s?.firmware ?? null, capacityBytes: s?.capacityBytes ?? null, protocol: d.protocol, kind: 'unknown' },
        metrics: {},
        smartctl: null,
        error: d.error ?? (parsed ? 'smartctl output is not in the expected JSON format' : 'no SMART reading yet'),
      };
    }
    const prev = previous?.smartctl ? smartctlJson.safeParse(previous.smartctl) : null;
    // A drive swapped into the same slot is not the old one getting better or worse: no trend then.
    const sameDrive = prev?.success && differentDriveProblem(parsed.data, prev.data) === null;
    const health = assessDisk(parsed.data, sameDrive ? prev.data : undefined);
    return {
      ...base,
      verdict: health.verdict,
      reasons: health.reasons,
      identity: { ...health.device },
      metrics: { ...health.metrics },
      smartctl: d.data,
    };
  }

  const collect: Collector = async ({ applianceId, agent }) => {
    const now = deps.clock.now().getTime();
    if (now - (lastPolled.get(applianceId) ?? -Infinity) < everyMs) return;
    const session = agent.session();
    if (session && !session.hello.capabilities.methods.includes('smart.v1')) return;
    const r = await agent.call('smart.v1', { includeData: true });
    // The first reading is still running: ask again next round rather than in `everyMs`.
    if (r.state === 'pending') return;
    lastPolled.set(applianceId, now);
    if (r.state !== 'ok') {
      // Keep what was judged before (smartctl removed, SMART switched off): stale beats nothing.
      log.info('no SMART from the appliance', { applianceId, state: r.state, message: r.message });
      return;
    }
    const at = new Date(now).toISOString();
    deps.disks.replaceAll(applianceId, r.disks.map((d) => judge(applianceId, d, at)));
  };

  return { collect, forget: (id) => lastPolled.delete(id) };
}
