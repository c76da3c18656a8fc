import type { ApplianceStatus } from '../../../../main/contract/status.contract';

/**
 * How current the agent's health is: `current` when the agent answered the last check; `stale`
 * when it did not (offline, agent silent: the card shows the last report "as of" when, never
 * green); `not-provisioned` and `none` when there is no report to show.
 */
export type HealthFreshness = 'current' | 'stale' | 'not-provisioned' | 'none';

export function healthFreshness(status: ApplianceStatus | null): HealthFreshness {
  if (!status) return 'none';
  if (status.state === 'not-provisioned') return 'not-provisioned';
  if (!status.health) return 'none';
  const answeredLastCheck = status.agentSeenAt !== null && status.agentSeenAt === status.checkedAt;
  return answeredLastCheck && (status.state === 'online' || status.state === 'degraded') ? 'current' : 'stale';
}
