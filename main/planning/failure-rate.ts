import type { DiskHealth } from '../health/smart-verdict';

/**
 * An annual failure rate (0–1) for a disk, from its age and SMART verdict — the planner's input
 * when real disks are known. Stated model: 1.5 % a year for a disk under five years old (roughly
 * the fleet-wide rate large operators publish), 3 % from five years on (failure rates climb with
 * age); doubled for a `warning` verdict and ×10 for `failing`, capped at 50 %; a `failed` disk is
 * counted as failing now (rate 1 would make every layout lose data — it should be replaced first).
 */
export function estimateAnnualFailureRate(health: Pick<DiskHealth, 'verdict' | 'metrics'>): number {
  const old = (health.metrics.powerOnHours ?? 0) >= 5 * 8766;
  const base = old ? 0.03 : 0.015;
  const factor = health.verdict === 'warning' ? 2 : health.verdict === 'failing' || health.verdict === 'failed' ? 10 : 1;
  return Math.min(0.5, base * factor);
}

/** A set of disks as one rate: the mean, since the planner's model treats disks alike. */
export function meanAnnualFailureRate(disks: readonly Pick<DiskHealth, 'verdict' | 'metrics'>[]): number {
  if (disks.length === 0) return 0.015;
  return disks.reduce((s, d) => s + estimateAnnualFailureRate(d), 0) / disks.length;
}
