import type { ApplianceStatus } from '../../../../main/contract/status.contract';

/**
 * How current the agent's health is: `current` when the agent answered the last check; `stale`
 * when it answered once but not now (offline, agent silent: the card says since when, shows the
 * last report if it is kept, and is never green); `not-provisioned`, and `none` when the agent has
 * never answered.
 */
export type HealthFreshness = 'current' | 'stale' | 'not-provisioned' | 'none';

export function healthFreshness(status: ApplianceStatus | null): HealthFreshness {
  if (!status) return 'none';
  if (status.state === 'not-provisioned') return 'not-provisioned';
  const answeredLastCheck = status.agentSeenAt !== null && status.agentSeenAt === status.checkedAt;
  if (answeredLastCheck && status.health && (status.state === 'online' || status.state === 'degraded')) return 'current';
  return status.agentSeenAt !== null ? 'stale' : 'none';
}
