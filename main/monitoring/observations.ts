import type { ApplianceObservation } from '../alerts/observation';
import type { ApplianceStatus } from '../contract/status.contract';
import type { DiskHealthRecord } from './disk-health-store';
import { alertMetrics } from './flatten-sample';
import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import type { ServiceReadiness } from '../../agents/protocol/payloads/services';

type ReadinessObservation = NonNullable<NonNullable<ApplianceObservation['agent']>['services'][number]['readiness']>;

/**
 * What the alert engine sees of one appliance after a watch round. Connectivity here is SSH
 * reachability (the alert rules tell "offline" from "reachable but the agent is down"): the
 * appliance was reached if it was seen in this very check.
 */
export function observe(
  status: ApplianceStatus,
  name: string,
  latestSample: MetricsSample | null,
  disks: DiskHealthRecord[],
): ApplianceObservation {
  const reached = status.lastSeenAt !== null && status.lastSeenAt === status.checkedAt;
  const agentAnswered = reached && status.health !== null && status.agentSeenAt === status.checkedAt;
  return {
    applianceId: status.applianceId,
    name,
    at: Date.parse(status.checkedAt),
    connectivity: {
      state: status.state === 'not-provisioned' ? 'not-provisioned' : reached ? 'online' : 'offline',
      since: Date.parse(status.since),
      reason: status.reason,
      reasonCode: status.reasonCode,
      reasonParams: status.reasonParams,
    },
    agent: agentAnswered
      ? {
          health: status.health!.status,
          services: (status.services ?? []).map((s) => ({
            name: s.name,
            state: s.flapping ? 'flapping' : s.state,
            restarts: s.restarts,
            flapping: s.flapping,
            ...(s.readiness ? { readiness: readinessOf(s.readiness, status.clockSkewMs) } : {}),
          })),
        }
      : null,
    // A sample older than a few rounds says nothing about now (the agent's monitor stalled, or it
    // did not answer this round): unknown, which the rules treat as "no change".
    metrics: reached ? alertMetrics(agentAnswered && isFresh(latestSample, status) ? latestSample : null, status.clockSkewMs) : {},
    disks: disks
      .filter((d) => d.verdict !== 'unknown')
      .map((d) => ({
        device: d.device,
        verdict: d.verdict as Exclude<DiskHealthRecord['verdict'], 'unknown'>,
        reasons: d.reasons.map((r) => r.message),
        reasonCodes: d.reasons.map((r) => ({ code: r.code, params: r.params ?? {} })),
        temperatureC: typeof d.metrics.temperatureC === 'number' ? d.metrics.temperatureC : null,
        temperatureLimitC: typeof d.metrics.temperatureLimitC === 'number' ? d.metrics.temperatureLimitC : null,
        lastSelfTest: lastSelfTest(d.selfTests),
      })),
  };
}

/** A module's readiness as the service-unready rule reads it, its time moved onto the console's clock. */
function readinessOf(r: ServiceReadiness, clockSkewMs: number | null): ReadinessObservation {
  const since = r.since === null ? null : Date.parse(r.since) - (clockSkewMs ?? 0);
  return { state: r.state, since: since !== null && Number.isFinite(since) ? since : null, probe: r.probe, message: r.message, consecutiveFailures: r.consecutiveFailures };
}

/** The agent samples every 10 s by default; a sample more than a minute older than the check is stale. */
const FRESH_SAMPLE_MS = 60_000;

function isFresh(sample: MetricsSample | null, status: ApplianceStatus): boolean {
  if (!sample) return false;
  // Sample times are the appliance's clock: move them onto the console's before comparing.
  const t = Date.parse(sample.time) - (status.clockSkewMs ?? 0);
  return Date.parse(status.checkedAt) - t <= FRESH_SAMPLE_MS;
}

function lastSelfTest(selfTests: unknown): ApplianceObservation['disks'][number]['lastSelfTest'] {
  const st = selfTests as { inProgress: unknown; log: { type: string; passed: boolean | null }[] } | null;
  if (!st) return null;
  if (st.inProgress) return { status: 'in-progress', at: null, kind: st.log[0]?.type ?? 'self-test' };
  const last = st.log[0];
  if (!last) return null;
  return { status: last.passed === true ? 'passed' : last.passed === false ? 'failed' : 'aborted', at: null, kind: last.type };
}
