import { z } from 'zod';
import { entityId } from './common.schemas';
import { defineMethod } from './define';

/**
 * Capacity planning (main/planning/capacity-service.ts): raw, usable and used capacity per
 * appliance and for the fleet, growth from the telemetry history, a forecast with a band, days
 * until 80 %, 90 % and full, and what-if recomputations. Bytes are bytes; "used" is data bytes
 * (what people stored: the on-disk usage with the erasure-coding parity taken out), so it compares
 * with "usable". Every figure comes with the model behind it, as codes with params (translated by
 * the UI) and English text (for logs and the CLI).
 */
const layout = z.strictObject({ k: z.number().int().min(1).max(64), m: z.number().int().min(1).max(16) });
const reservePercent = z.number().min(0).max(50);

const eta = z.strictObject({
  /** Days from now at the expected growth rate. */
  expectedDays: z.number(),
  /** At the high growth rate (the earliest it may happen). */
  earliestDays: z.number(),
  /** At the low growth rate; null when the low rate is not growth. */
  latestDays: z.number().nullable(),
});

const explanation = z.strictObject({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), text: z.string() });
export type CapacityExplanation = z.infer<typeof explanation>;

export const capacityFigures = z.strictObject({
  /** The appliance, or null for the fleet total. */
  applianceId: z.string().nullable(),
  name: z.string().nullable(),
  /** Time of the newest size/usage sample behind the figures (null: none reported yet). */
  asOf: z.number().nullable(),
  /** Data disks, as the appliances' agents report them (main/fleet/data-disks.ts). */
  disks: z.number().int(),
  /** The layout used for "usable"; null with fewer than 2 disks (no erasure coding) or for the fleet. */
  layout: layout.nullable(),
  layoutSource: z.enum(['requested', 'recommended', 'none', 'mixed']),
  reservePercent: z.number(),
  rawBytes: z.number(),
  usableBytes: z.number(),
  /** What the data disks' file systems report as used (parity included). */
  usedOnDiskBytes: z.number(),
  /** Data bytes: on-disk usage × k/(k+m). Compare with usableBytes. */
  usedBytes: z.number(),
  /** usedBytes ÷ usableBytes × 100; null when nothing is usable. */
  usedPercent: z.number().nullable(),
  /**
   * Data bytes used, one point an hour (the hour's average), the last 90 days or what exists.
   * null in the fleet's per-appliance rows (a table needs figures, not 1,000 histories).
   */
  history: z.strictObject({ t: z.array(z.number()), usedBytes: z.array(z.number()) }).nullable(),
  forecast: z
    .strictObject({
      growing: z.boolean(),
      slopeBytesPerDay: z.number(),
      slopeLowBytesPerDay: z.number(),
      slopeHighBytesPerDay: z.number(),
      usedNowBytes: z.number(),
      /** With a what-if retention: the level usage settles at (ingest × retention); null otherwise. */
      plateauBytes: z.number().nullable(),
      daysOfHistory: z.number(),
      seasonalityRemoved: z.boolean(),
      /** null: not within the horizon, or not growing (see `growing`). 0: already there. */
      until80: eta.nullable(),
      until90: eta.nullable(),
      untilFull: eta.nullable(),
      horizonDays: z.number(),
      /** One point a day from now: expected usage and its band (empty in the fleet's per-appliance rows). */
      projection: z.strictObject({ t: z.array(z.number()), expected: z.array(z.number()), low: z.array(z.number()), high: z.array(z.number()) }),
    })
    .nullable(),
  /** How these figures were made, in order; the UI shows it as "why". */
  model: z.array(explanation),
});
export type CapacityFigures = z.infer<typeof capacityFigures>;

export const capacityScope = z.union([z.literal('fleet'), z.strictObject({ applianceId: entityId })]);
export type CapacityScope = z.infer<typeof capacityScope>;

export const whatIfInput = z.strictObject({
  scope: capacityScope,
  /** Disks added to each appliance in scope. */
  addDisks: z.strictObject({ count: z.number().int().min(0).max(256), sizeBytes: z.number().min(0).max(1e15) }).default({ count: 0, sizeBytes: 0 }),
  layout: layout.optional(),
  reservePercent: reservePercent.optional(),
  /** A lifecycle rule deleting data older than this many days (all data in scope). */
  retentionDays: z.number().int().min(1).max(36_500).optional(),
});
export type WhatIfInput = z.input<typeof whatIfInput>;

export const capacityMethods = {
  'capacity.appliance': defineMethod({
    summary: "One appliance's raw, usable and used capacity, growth, forecast and days until 80 %, 90 % and full",
    mutating: false,
    input: z.strictObject({ id: entityId, layout: layout.optional(), reservePercent: reservePercent.optional() }),
    output: capacityFigures,
  }),
  'capacity.fleet': defineMethod({
    summary: 'The fleet total and each appliance: raw, usable and used capacity, forecast and days until 80 %, 90 % and full',
    mutating: false,
    input: z.strictObject({ layout: layout.optional(), reservePercent: reservePercent.optional() }),
    output: z.strictObject({ fleet: capacityFigures, appliances: z.array(capacityFigures) }),
  }),
  'capacity.whatIf': defineMethod({
    summary: 'Capacity figures recomputed with added disks, another erasure-coding layout or a retention period',
    mutating: false,
    input: whatIfInput,
    output: z.strictObject({ before: capacityFigures, after: capacityFigures }),
  }),
};
