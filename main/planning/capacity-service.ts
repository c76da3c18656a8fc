import type { CapacityExplanation, CapacityFigures, CapacityScope } from '../contract/capacity.contract';
import { ApiError } from '../contract/errors';
import type { Clock } from '../core/clock';
import type { Point, SeriesKey } from '../telemetry/telemetry-types';
import { DAY_MS, forecastCapacity, type Eta } from './capacity-forecast';
import { planLayouts } from './erasure-coding';

/**
 * Capacity planning from what the appliances report (issue 4, §5).
 *
 * The model, stated so it can be checked (tests/unit/capacity-service.test.ts does, by hand):
 * - raw: the sum of the sizes of the data disks' file systems (`fs.size_bytes` of the mounts the
 *   agent reports as data disks, main/fleet/data-disks.ts), newest samples. An appliance whose
 *   agent has not reported (never provisioned) has no data disks and is left out, with a line
 *   saying so: it must not count in a what-if that adds disks to each appliance;
 * - usable: raw × k/(k+m) × (1 − reserve). The layout is the one asked for, else the planner's
 *   recommendation for the disk count (planLayouts with the Storage page's defaults) — the storage
 *   service does not report its own layout yet; one disk has no erasure coding;
 * - used: what those file systems report used, which includes parity, × k/(k+m): data bytes,
 *   comparable with usable, and unchanged by a what-if layout (the same data, re-encoded);
 * - growth and forecast: capacity-forecast.ts (Theil–Sen on daily usage, weekly pattern removed,
 *   10th–90th percentile slope band) on the hourly history of used data bytes (1-hour rollups,
 *   last 90 days); days until 80 %, 90 % and 100 % of usable, null past ETA_HORIZON_DAYS;
 * - what-if retention (a lifecycle rule deleting data older than R days, on all data in scope):
 *   assumes nothing is deleted today, so today's growth rate is the daily ingest; usage then
 *   settles at ingest × R. Applying the rule cuts usage to at most that level at once; it then
 *   grows at the same rate until it gets there. A level above it is never reached.
 */
export const HISTORY_DAYS = 90;
export const ETA_HORIZON_DAYS = 3 * 365;
export const DEFAULT_RESERVE_PERCENT = 10;
/** The Storage page planner's defaults: what "recommended" is recommended for. */
const RECOMMENDATION = { annualFailureRate: 0.015, rebuildBytesPerSecond: 100e6, targetNines: 11 };
const HOUR_MS = 3_600_000;

export interface CapacityDeps {
  telemetry: {
    metrics(applianceId: string): { metric: string; labels?: Record<string, string> }[];
    latest(applianceId: string): { metrics: { metric: string; labels?: Record<string, string>; t: number; v: number }[] };
    range(key: SeriesKey, from: number, to: number, resolution: '1h'): Point[];
  };
  appliances: { list(): { id: string; name: string }[]; get(id: string): { id: string; name: string } };
  /** The data disks' mount points the appliance's agent reports; null when it has not reported. */
  dataDiskMounts(applianceId: string): string[] | null;
  clock: Clock;
}

type Layout = { k: number; m: number };

/** What one appliance reports, before any model is applied. */
interface Observed {
  id: string;
  name: string;
  disks: number;
  rawBytes: number;
  usedOnDiskBytes: number;
  asOf: number | null;
  /** Hourly on-disk usage summed over the data mounts (a mount's gap carries its last value). */
  history: { t: number[]; v: number[] };
}

interface Scenario {
  layout?: Layout;
  reservePercent?: number;
  addDisks?: { count: number; sizeBytes: number };
  retentionDays?: number;
}

/** One explanation line: a code the UI translates, its params, and the English text. */
const say = (code: string, params: Record<string, string | number>, text: string): CapacityExplanation => ({ code, params, text });
const tb = (bytes: number) => `${(bytes / 1e12).toFixed(2)} TB`;

/** A data mount not reported for this long before the newest report is gone (see observe). */
const STALE_MOUNT_MS = 60 * 60_000;

export function createCapacityService(deps: CapacityDeps) {
  function observe(id: string, name: string, dataMounts: readonly string[], now: number): Observed {
    const isData = (mount: string | undefined) => mount !== undefined && dataMounts.includes(mount);
    const latest = new Map(deps.telemetry.latest(id).metrics.filter((l) => isData(l.labels?.mount)).map((l) => [`${l.metric} ${l.labels!.mount}`, l]));
    const seen = deps.telemetry
      .metrics(id)
      .filter((s) => s.metric === 'fs.size_bytes' && isData(s.labels?.mount))
      .map((s) => s.labels!.mount!);
    // A disk taken out (or unmounted) stops reporting; it must not count for ever. Kept: mounts
    // reported within an hour of the newest report of any of them.
    const newest = Math.max(-Infinity, ...seen.map((m) => latest.get(`fs.size_bytes ${m}`)?.t ?? -Infinity));
    const mounts = seen.filter((m) => (latest.get(`fs.size_bytes ${m}`)?.t ?? -Infinity) >= newest - STALE_MOUNT_MS);
    let rawBytes = 0;
    let usedOnDiskBytes = 0;
    let asOf: number | null = null;
    for (const mount of mounts) {
      const size = latest.get(`fs.size_bytes ${mount}`);
      const used = latest.get(`fs.used_bytes ${mount}`);
      rawBytes += size?.v ?? 0;
      usedOnDiskBytes += used?.v ?? 0;
      for (const l of [size, used]) if (l && (asOf === null || l.t > asOf)) asOf = l.t;
    }
    const perMount = mounts.map((mount) => deps.telemetry.range({ applianceId: id, metric: 'fs.used_bytes', labels: { mount } }, now - HISTORY_DAYS * DAY_MS, now + 1, '1h'));
    return { id, name, disks: mounts.length, rawBytes, usedOnDiskBytes, asOf, history: sumCarryingForward(perMount.map((p) => ({ t: p.map((x) => x.t), v: p.map((x) => x.avg) }))) };
  }

  /** The layout "usable" assumes: asked for, else the planner's first choice, else none (one disk). */
  function chooseLayout(o: { name: string; disks: number; rawBytes: number }, asked: Layout | undefined): { layout: Layout | null; source: 'requested' | 'recommended' | 'none' } {
    if (o.disks === 0) return { layout: null, source: 'none' }; // nothing reported yet: nothing to lay out
    if (asked) {
      if (asked.k + asked.m > o.disks) {
        throw new ApiError('invalid-input', `A ${asked.k}+${asked.m} layout needs ${asked.k + asked.m} disks; ${o.name} has ${o.disks}`, {
          issues: [{ path: 'layout', code: 'layout-too-wide', message: `${asked.k}+${asked.m} needs ${asked.k + asked.m} disks; ${o.name} has ${o.disks}`, params: { k: asked.k, m: asked.m, disks: o.disks, appliance: o.name } }],
        });
      }
      return { layout: asked, source: 'requested' };
    }
    if (o.disks < 2 || o.rawBytes <= 0) return { layout: null, source: 'none' };
    const best = planLayouts({ disks: o.disks, diskSizeBytes: o.rawBytes / o.disks, reserveFraction: 0, ...RECOMMENDATION })[0]!;
    return { layout: { k: best.k, m: best.m }, source: 'recommended' };
  }

  const dataFraction = (l: Layout | null) => (l ? l.k / (l.k + l.m) : 1);

  /** Figures for one appliance before and after a scenario (the "before" is the plain view). */
  function applianceFigures(o: Observed, s: Scenario, now: number, whatIf: boolean) {
    // A what-if compares against the plain view: the recommended layout and the default reserve.
    const reserve = whatIf ? DEFAULT_RESERVE_PERCENT : (s.reservePercent ?? DEFAULT_RESERVE_PERCENT);
    const current = chooseLayout(o, whatIf ? undefined : s.layout);
    const dataHistory = o.history.v.map((v) => v * dataFraction(current.layout));
    const usedBytes = o.usedOnDiskBytes * dataFraction(current.layout);
    const before = { o, layout: current, reserve, usedBytes, rawBytes: o.rawBytes, disks: o.disks, history: { t: o.history.t, usedBytes: dataHistory } };
    if (!whatIf) return { before, after: before };
    const add = s.addDisks ?? { count: 0, sizeBytes: 0 };
    const disks = o.disks + add.count;
    const rawBytes = o.rawBytes + add.count * add.sizeBytes;
    // Data already written keeps its layout when disks are added; a new layout is asked for explicitly.
    const layout = s.layout ? chooseLayout({ name: o.name, disks, rawBytes }, s.layout) : current.layout ? current : chooseLayout({ name: o.name, disks, rawBytes }, undefined);
    return { before, after: { ...before, layout, disks, rawBytes, reserve: s.reservePercent ?? DEFAULT_RESERVE_PERCENT } };
  }

  type Part = ReturnType<typeof applianceFigures>['before'];

  function finish(scope: { id: string | null; name: string | null }, parts: Part[], s: Scenario, now: number, opts: { history: boolean; projection: boolean; retention?: number; unreported: number }): CapacityFigures {
    const model: CapacityExplanation[] = [];
    const sum = (f: (p: Part) => number) => parts.reduce((a, p) => a + f(p), 0);
    const disks = sum((p) => p.disks);
    const rawBytes = sum((p) => p.rawBytes);
    const reserve = parts[0]?.reserve ?? s.reservePercent ?? DEFAULT_RESERVE_PERCENT;
    const usableBytes = sum((p) => p.rawBytes * dataFraction(p.layout.layout) * (1 - p.reserve / 100));
    let usedBytes = sum((p) => p.usedBytes);
    const usedOnDiskBytes = sum((p) => p.usedBytes / dataFraction(p.layout.layout));
    const asOfs = parts.map((p) => p.o.asOf).filter((t): t is number => t !== null);
    const asOf = asOfs.length ? Math.max(...asOfs) : null;
    const sources = new Set(parts.map((p) => p.layout.source));
    const layoutSource = sources.size === 1 ? [...sources][0]! : sources.size === 0 ? 'none' : 'mixed';
    const layout = parts.length === 1 ? parts[0]!.layout.layout : (s.layout ?? null);
    const summed = parts.length === 1 ? null : sumCarryingForward(parts.map((p) => ({ t: p.history.t, v: p.history.usedBytes })));
    const fleetHistory = summed ? { t: summed.t, usedBytes: summed.v } : (parts[0]?.history ?? { t: [], usedBytes: [] });

    model.push(say('raw', { disks, rawBytes }, `Raw ${tb(rawBytes)}: the sizes of the ${disks} data disks' file systems the agents report, newest samples.`));
    if (opts.unreported > 0) model.push(say('unreported', { count: opts.unreported }, `${opts.unreported} appliances have not reported their data disks yet (not provisioned, or no inventory yet) and are left out.`));
    if (layout && layoutSource === 'requested') model.push(say('layout-requested', { k: layout.k, m: layout.m }, `Usable assumes ${layout.k}+${layout.m} erasure coding, as asked: ${layout.k} of every ${layout.k + layout.m} bytes are data.`));
    else if (layout && layoutSource === 'recommended') model.push(say('layout-recommended', { k: layout.k, m: layout.m, disks }, `Usable assumes ${layout.k}+${layout.m} erasure coding, the planner's recommendation for ${disks} disks (1.5 % annual failure rate, 100 MB/s rebuild, 11 nines), until the storage service reports its own layout.`));
    else if (layoutSource === 'none') model.push(say('layout-none', {}, 'With fewer than two data disks there is no erasure coding: usable is raw less the reserve.'));
    else model.push(say('layout-mixed', {}, "Usable is each appliance's own: the layout asked for or the planner's recommendation for its disk count."));
    model.push(say('reserve', { percent: reserve }, `${reserve} % is kept free for rebuilds and bursts.`));
    model.push(say('used', {}, 'Used is what the file systems report, with the parity taken out (× k/(k+m)), so it compares with usable.'));

    let forecast: CapacityFigures['forecast'] = null;
    const f = usableBytes > 0 && fleetHistory.t.length ? forecastCapacity(fleetHistory.t.map((t, i) => ({ t, usedBytes: fleetHistory.usedBytes[i]! })), usableBytes, { now, horizonDays: ETA_HORIZON_DAYS }) : null;
    if (!f) {
      model.push(say('no-history', { days: 3 }, usableBytes > 0 ? 'Fewer than 3 days of usage history: no forecast yet.' : 'Nothing is usable: no forecast.'));
    } else {
      let usedNow = f.usedNowBytes;
      let plateau: number | null = null;
      let shift = 0;
      const levels = [0.8, 0.9, 1].map((q) => q * usableBytes);
      let etas: (Eta | null)[] = [f.until80, f.until90, f.untilFull];
      model.push(
        say('trend', { days: f.daysOfHistory, perDayBytes: f.slopeBytesPerDay, seasonality: f.seasonalityRemoved ? 1 : 0 }, `Growth ${tb(f.slopeBytesPerDay)} a day: the Theil–Sen trend of daily usage over ${f.daysOfHistory} days (the median slope between every pair of days, so bulk uploads and deletions do not steer it)${f.seasonalityRemoved ? ', weekly pattern removed' : ''}.`),
      );
      model.push(say('band', {}, 'The band spans the 10th to 90th percentile of those slopes, widened by twice the spread of days around the trend.'));
      const R = opts.retention;
      if (R !== undefined && f.slopeBytesPerDay > 0) {
        plateau = f.slopeBytesPerDay * R;
        const after = Math.min(usedNow, plateau);
        shift = usedNow - after;
        usedBytes = Math.min(usedBytes, plateau);
        usedNow = after;
        etas = levels.map((level) => retentionEta(level, usedNow, f.slopeBytesPerDay, f.slopeLowBytesPerDay, f.slopeHighBytesPerDay, R));
        model.push(say('retention', { days: R, plateauBytes: plateau }, `Retention ${R} days: assumes every object in scope is under the rule and nothing is deleted today, so today's growth is the daily ingest; usage settles at ingest × ${R} days = ${tb(plateau)}, and a level above that is never reached.`));
      } else if (R !== undefined) {
        model.push(say('retention-no-growth', { days: R }, 'Retention cannot be modelled without growth to estimate the daily ingest from: figures unchanged.'));
      }
      const within = (e: Eta | null): Eta | null => (e && e.expectedDays <= ETA_HORIZON_DAYS ? { ...e, latestDays: e.latestDays !== null && e.latestDays <= ETA_HORIZON_DAYS ? e.latestDays : null } : null);
      etas = etas.map(within);
      const growing = f.slopeBytesPerDay > 0;
      model.push(growing ? say('horizon', { days: ETA_HORIZON_DAYS }, `Dates further than ${ETA_HORIZON_DAYS} days ahead are not given.`) : say('not-growing', {}, 'Usage is not growing: no date for 80 %, 90 % or full.'));
      const full = etas[2]?.expectedDays;
      const days = opts.projection ? Math.min(ETA_HORIZON_DAYS, Math.max(90, Math.ceil((full ?? 365) * 1.15))) : -1;
      const proj = f.projection.slice(0, days + 1).map((p) => {
        const cap = (v: number, level: number | null) => (level === null ? v : Math.min(v, level));
        const expected = cap(p.expected - shift, plateau);
        return { t: p.t, expected, low: Math.min(expected, cap(p.low - shift, plateau === null ? null : f.slopeLowBytesPerDay * R!)), high: Math.max(expected, cap(p.high - shift, plateau === null ? null : f.slopeHighBytesPerDay * R!)) };
      });
      forecast = {
        growing,
        slopeBytesPerDay: f.slopeBytesPerDay,
        slopeLowBytesPerDay: f.slopeLowBytesPerDay,
        slopeHighBytesPerDay: f.slopeHighBytesPerDay,
        usedNowBytes: usedNow,
        plateauBytes: plateau,
        daysOfHistory: f.daysOfHistory,
        seasonalityRemoved: f.seasonalityRemoved,
        until80: etas[0]!,
        until90: etas[1]!,
        untilFull: etas[2]!,
        horizonDays: ETA_HORIZON_DAYS,
        projection: { t: proj.map((p) => p.t), expected: proj.map((p) => p.expected), low: proj.map((p) => p.low), high: proj.map((p) => p.high) },
      };
    }
    return {
      applianceId: scope.id,
      name: scope.name,
      asOf,
      disks,
      layout,
      layoutSource,
      reservePercent: reserve,
      rawBytes,
      usableBytes,
      usedOnDiskBytes,
      usedBytes,
      usedPercent: usableBytes > 0 ? (usedBytes / usableBytes) * 100 : null,
      history: opts.history ? fleetHistory : null,
      forecast,
      model,
    };
  }

  /** The appliances in scope that report data disks, and how many do not (left out of every figure). */
  function inScope(scope: CapacityScope, now: number): { observed: Observed[]; unreported: number } {
    const appliances = scope === 'fleet' ? deps.appliances.list() : [deps.appliances.get(scope.applianceId)];
    const observed: Observed[] = [];
    for (const a of appliances) {
      const mounts = deps.dataDiskMounts(a.id);
      if (mounts) observed.push(observe(a.id, a.name, mounts, now));
    }
    // One appliance asked for by id is shown even before it reports (with no disks), so its page has figures.
    if (scope !== 'fleet' && observed.length === 0) return { observed: [observe(appliances[0]!.id, appliances[0]!.name, [], now)], unreported: 1 };
    return { observed, unreported: appliances.length - observed.length };
  }

  const now = () => deps.clock.now().getTime();

  return {
    appliance(input: { id: string; layout?: Layout; reservePercent?: number }): CapacityFigures {
      const t = now();
      const { observed, unreported } = inScope({ applianceId: input.id }, t);
      const o = observed[0]!;
      const { before } = applianceFigures(o, input, t, false);
      return finish({ id: o.id, name: o.name }, [before], input, t, { history: true, projection: true, unreported });
    },
    fleet(input: { layout?: Layout; reservePercent?: number }): { fleet: CapacityFigures; appliances: CapacityFigures[] } {
      const t = now();
      const { observed, unreported } = inScope('fleet', t);
      const parts = observed.map((o) => applianceFigures(o, input, t, false).before);
      return {
        fleet: finish({ id: null, name: null }, parts, input, t, { history: true, projection: true, unreported }),
        appliances: parts.map((p) => finish({ id: p.o.id, name: p.o.name }, [p], input, t, { history: false, projection: false, unreported: 0 })),
      };
    },
    whatIf(input: Scenario & { scope: CapacityScope }): { before: CapacityFigures; after: CapacityFigures } {
      const t = now();
      const { observed, unreported } = inScope(input.scope, t);
      const both = observed.map((o) => applianceFigures(o, input, t, true));
      const id = input.scope === 'fleet' ? { id: null, name: null } : { id: both[0]!.before.o.id, name: both[0]!.before.o.name };
      const before = finish(id, both.map((b) => b.before), {}, t, { history: true, projection: true, unreported });
      const after = finish(id, both.map((b) => b.after), input, t, { history: true, projection: true, retention: input.retentionDays, unreported });
      if (input.addDisks && input.addDisks.count > 0) {
        after.model.push(say('add-disks', { count: input.addDisks.count, sizeBytes: input.addDisks.sizeBytes }, `Adds ${input.addDisks.count} disks of ${tb(input.addDisks.sizeBytes)} to each appliance in scope: raw grows by their size; data already stored does not move.`));
      }
      return { before, after };
    },
  };
}
export type CapacityService = ReturnType<typeof createCapacityService>;

/** Days until `level` under a retention of R days (see the model above); null when never reached. */
function retentionEta(level: number, usedNow: number, expected: number, low: number, high: number, R: number): Eta | null {
  const days = (rate: number): number | null => {
    if (rate <= 0) return null;
    const start = Math.min(usedNow, rate * R);
    if (level <= start) return 0;
    return level <= rate * R ? (level - start) / rate : null;
  };
  const e = days(expected);
  if (e === null) return null;
  return { expectedDays: e, earliestDays: Math.min(e, days(Math.max(high, expected)) ?? e), latestDays: days(low) };
}

/**
 * Sums series hour by hour. Each series counts from its first point (a disk added later adds from
 * then on) and a missing hour keeps its last value, so a collector gap is not read as a drop.
 */
export function sumCarryingForward(series: { t: number[]; v: number[] }[]): { t: number[]; v: number[] } {
  const hours = [...new Set(series.flatMap((s) => s.t.map((t) => Math.floor(t / HOUR_MS) * HOUR_MS)))].sort((a, b) => a - b);
  const idx = series.map(() => 0);
  const last = series.map(() => 0);
  const v = hours.map((h) => {
    let total = 0;
    series.forEach((s, i) => {
      while (idx[i]! < s.t.length && s.t[idx[i]!]! < h + HOUR_MS) last[i] = s.v[idx[i]!++]!;
      total += last[i]!;
    });
    return total;
  });
  return { t: hours, v };
}
