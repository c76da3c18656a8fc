import { KodoLayoutSchema, type KodoLayout } from '../../../agents/protocol/services/kodo';
import { planLayout, type PlannerInput } from '../../planning/erasure-coding';

/**
 * The erasure layouts Kodo can be initialized with on one appliance, each with the planner's
 * figures (main/planning/erasure-coding.ts), and the one picked when a person does not choose.
 *
 * Kodo stripes every object over all of the appliance's data disks as one erasure set, so the
 * candidates are exactly the k + m = D splits of the D data disks that Kodo accepts (2 ≤ k ≤ 32,
 * 1 ≤ m ≤ 8, agents/protocol/services/kodo.ts).
 *
 * The default is the planner's own rule (planLayouts' order, as the capacity figures' "recommended"
 * layout uses it): the layouts reaching the durability target first, of those the lowest
 * redundancy ratio, ties broken by the higher durability. With disks that rebuild quickly (small
 * disks) that is D−1 + 1; with large, slow-to-rebuild disks it takes more parity. When none reaches
 * the target, the most durable one is picked (the most parity), never a cheaper one that misses by more.
 */

/** The planner's inputs the Storage page recommends for (main/planning/capacity-service.ts RECOMMENDATION). */
export const KODO_PLANNER_ASSUMPTIONS = { annualFailureRate: 0.015, rebuildBytesPerSecond: 100e6, targetNines: 11 } as const;
/**
 * When the agent has not reported its data disks' sizes: a large disk, so the figure errs low
 * (a longer rebuild means fewer nines). Said in the answer (`diskSizeAssumed`).
 */
export const ASSUMED_DISK_BYTES = 20e12;
/** Infinity does not survive JSON: a layout beyond measure is shown as 99 nines (as planning.ecLayouts). */
const MAX_NINES = 99;

export interface KodoLayoutOption {
  k: number;
  m: number;
  /** (k + m) / k: bytes stored per byte of data. */
  redundancyRatio: number;
  toleratesFailures: number;
  /** Data bytes that fit, before any reserve. */
  usableBytes: number;
  rebuildHours: number;
  durabilityNines: number;
  meetsTarget: boolean;
  /** The one `kodo.init` picks without a layout. */
  recommended: boolean;
}

/** Every layout Kodo accepts on `disks` data disks of `diskSizeBytes`, fewest parity disks first, the recommended one marked. */
export function kodoLayoutOptions(disks: number, diskSizeBytes: number): KodoLayoutOption[] {
  const input: PlannerInput = { disks, diskSizeBytes, reserveFraction: 0, ...KODO_PLANNER_ASSUMPTIONS };
  const options: KodoLayoutOption[] = [];
  for (let m = 1; m <= 8; m++) {
    const k = disks - m;
    if (!KodoLayoutSchema.safeParse({ k, m }).success) continue;
    const plan = planLayout(input, k, m);
    options.push({
      k,
      m,
      redundancyRatio: plan.redundancyRatio,
      toleratesFailures: plan.toleratesFailures,
      usableBytes: plan.usableBytes,
      rebuildHours: plan.rebuildHours,
      durabilityNines: Math.min(MAX_NINES, plan.durabilityNines),
      meetsTarget: plan.meetsTarget,
      recommended: false,
    });
  }
  const pick = pickDefault(options);
  return options.map((o) => (o === pick ? { ...o, recommended: true } : o));
}

function pickDefault(options: KodoLayoutOption[]): KodoLayoutOption | undefined {
  const meeting = options.filter((o) => o.meetsTarget);
  if (meeting.length > 0) return [...meeting].sort((a, b) => a.redundancyRatio - b.redundancyRatio || b.durabilityNines - a.durabilityNines)[0];
  return [...options].sort((a, b) => b.durabilityNines - a.durabilityNines || a.redundancyRatio - b.redundancyRatio)[0];
}

/** The planner's figures for one layout (the initialized store's, or one a person asked for); null when Kodo would not accept it there. */
export function layoutFigures(layout: KodoLayout, disks: number, diskSizeBytes: number): KodoLayoutOption | null {
  return kodoLayoutOptions(disks, diskSizeBytes).find((o) => o.k === layout.k && o.m === layout.m) ?? null;
}

/** "20+2" → { k: 20, m: 2 } (the CLI's --layout); null when it is not K+M. */
export function parseLayout(text: string): KodoLayout | null {
  const match = /^\s*(\d{1,2})\s*\+\s*(\d{1,2})\s*$/.exec(text);
  if (!match) return null;
  return { k: Number(match[1]), m: Number(match[2]) };
}
