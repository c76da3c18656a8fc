import { z } from 'zod';
import { defineMethod } from './define';

/** Inputs in the units people think in (TB, %, MB/s); the planner works in bytes and fractions. */
export const ecPlanInput = z.strictObject({
  disks: z.number().int().min(2).max(256),
  diskSizeTB: z.number().positive().max(100),
  annualFailureRatePercent: z.number().positive().max(50),
  rebuildMBps: z.number().positive().max(10_000),
  reservePercent: z.number().min(0).max(50),
  targetNines: z.number().min(1).max(20),
});
export type EcPlanInput = z.infer<typeof ecPlanInput>;

export const ecLayout = z.strictObject({
  k: z.number().int(),
  m: z.number().int(),
  redundancyRatio: z.number(),
  rawBytes: z.number(),
  usableBytes: z.number(),
  toleratesFailures: z.number().int(),
  rebuildHours: z.number(),
  mttdlHours: z.number(),
  annualLossProbability: z.number(),
  /** Infinity does not survive JSON: a layout beyond measure is capped at 99 nines. */
  durabilityNines: z.number(),
  meetsTarget: z.boolean(),
});
export type EcLayout = z.infer<typeof ecLayout>;

export const planningMethods = {
  'planning.ecLayouts': defineMethod({
    summary: 'Erasure-coding layouts for a disk count, with cost, rebuild time and estimated durability',
    mutating: false,
    input: ecPlanInput,
    output: z.strictObject({ layouts: z.array(ecLayout) }),
  }),
};
