import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import type { Collector, ReachedAgent, WatchParams } from '../connectivity/fleet-watch';
import type { Logger } from '../core/log';
import type { TelemetryStore } from '../telemetry/telemetry-store';
import type { SampleBatch } from '../telemetry/telemetry-types';
import { flattenSample } from './flatten-sample';
import { createServiceMetricsIngest, type ServiceMetricsIngest } from './service-metrics';

/**
 * Pulls each agent's metric history by cursor (`metrics.v1`) on the fleet watch's connection and
 * writes it to the telemetry store:
 * - Backfill: the cursor is kept per appliance (in the console's store), so after a disconnection
 *   or a console restart the next pull continues exactly where the last committed one ended; the
 *   agent keeps ≥ 24 h. A cursor is saved only after its samples are committed, and a re-sent
 *   sample is a duplicate the store ignores, so a crash between the two loses and doubles nothing.
 * - Batching: batches from all appliances that answer within `flushDelayMs` of each other (a
 *   watch round) are written in one transaction, each with its appliance's clock skew.
 * - Skew: sample times are moved onto the console's clock by the appliance's measured skew, but
 *   the correction applied is sticky — it changes only when the measurement moves by more than
 *   `SKEW_STEP_MS`, and below that it is 0 — because the measurement jitters by milliseconds and a
 *   re-sent sample must land on the same time to be recognised as a duplicate.
 * - Bounded: at most `maxPagesPerCheck` pages per appliance per check, so one appliance with a
 *   day to backfill cannot hold up a round; the rest comes in the following rounds.
 * - Service modules' metrics (`serviceMetrics`) become `service.<metric>{service}` series, counters
 *   as rates, capped per appliance (service-metrics.ts).
 * - No call of its own in a round: the first page is asked for in the check's `watch.v1`
 *   (`watchParams`), so an agent that offers it answers health, services and metrics at once.
 */
/** Skews within this are network jitter, not clock error. */
export const SKEW_STEP_MS = 1000;

/** The correction to apply given the one applied so far and a new measurement (see above). */
export function stickySkew(applied: number | undefined, measured: number): number {
  const fresh = Math.abs(measured) < SKEW_STEP_MS ? 0 : Math.round(measured);
  if (applied === undefined) return fresh;
  return Math.abs(measured - applied) > SKEW_STEP_MS ? fresh : applied;
}

export interface CursorStore {
  getMetricsCursor(applianceId: string): string | null;
  setMetricsCursor(applianceId: string, cursor: string): void;
  /** A batch's cursors in one transaction (one commit per round instead of one per appliance). */
  setMetricsCursors?(cursors: Iterable<[string, string]>): void;
}

/**
 * Samples asked for in the watch's own call each round: a round brings one (10 s apart), a console
 * that was away for a few minutes catches up in it too; a longer backfill continues with
 * `metrics.v1` pages of `pageSize`.
 */
export const WATCH_PAGE_SIZE = 60;

/**
 * The newest sample as alert rules read it (observations.ts → alertMetrics: time, CPU, memory, file
 * systems, temperatures), without the per-device lists they do not read — disks, NICs, per-core
 * CPU, services, module metrics — which the telemetry store keeps. On a storage box those lists are
 * most of a sample (41 disks on a testbed machine: ~40 KB of objects), held for every appliance.
 */
function forAlerts(s: MetricsSample): MetricsSample {
  const { serviceMetrics: _moduleMetrics, ...rest } = s;
  return { ...rest, cpu: { ...s.cpu, coresBusyPercent: [] }, net: [], disks: [], services: [] };
}

export interface MetricsCollector {
  collect: Collector;
  /** The newest sample seen from the appliance, as alert rules read it (forAlerts), null before the first. */
  latest(applianceId: string): MetricsSample | null;
  /** Writes what is pending now (also done by itself shortly after the last pull). */
  flush(): void;
  dispose(): void;
}

export function createMetricsCollector(deps: {
  telemetry: Pick<TelemetryStore, 'write'>;
  cursors: CursorStore;
  log: Logger;
  pageSize?: number;
  maxPagesPerCheck?: number;
  flushDelayMs?: number;
  /** Pending samples that force a write at once (memory bound during a large backfill). */
  maxPendingSamples?: number;
  /** Module metrics → series (default: one with the default cap and nothing known of the store). */
  serviceMetrics?: ServiceMetricsIngest;
}): MetricsCollector {
  const log = deps.log.child('metrics');
  const pageSize = deps.pageSize ?? 1000;
  const maxPages = deps.maxPagesPerCheck ?? 10;
  const flushDelayMs = deps.flushDelayMs ?? 250;
  const maxPending = deps.maxPendingSamples ?? 200_000;
  const latest = new Map<string, MetricsSample>();
  const serviceMetrics = deps.serviceMetrics ?? createServiceMetricsIngest({ log });
  const appliedSkew = new Map<string, number>();
  /** Cursors not yet committed: the cursor store may be behind them, never ahead. */
  const inMemory = new Map<string, string>();
  let pending: SampleBatch[] = [];
  let pendingCursors = new Map<string, string>();
  let pendingCount = 0;
  let timer: NodeJS.Timeout | null = null;
  /** Bumped when a write fails: a pull in flight then stops, so it cannot carry a cursor past the lost samples. */
  let failedWrites = 0;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0 && pendingCursors.size === 0) return;
    const batches = pending;
    const cursors = pendingCursors;
    pending = [];
    pendingCursors = new Map();
    pendingCount = 0;
    try {
      const r = deps.telemetry.write(batches);
      if (r.invalid > 0 || r.tooOld > 0) log.info('samples skipped', { invalid: r.invalid, tooOld: r.tooOld });
      if (deps.cursors.setMetricsCursors) deps.cursors.setMetricsCursors(cursors);
      else for (const [id, cursor] of cursors) deps.cursors.setMetricsCursor(id, cursor);
    } catch (err) {
      // Not committed: forget the in-memory cursors so the next pull asks for these samples again.
      for (const id of cursors.keys()) inMemory.delete(id);
      failedWrites += 1;
      log.warn('telemetry write failed; the samples will be pulled again', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  const cursorOf = (applianceId: string): string | undefined => inMemory.get(applianceId) ?? deps.cursors.getMetricsCursor(applianceId) ?? undefined;

  const pull = async ({ applianceId, agent, clockSkewMs, watched }: ReachedAgent): Promise<void> => {
    const session = agent.session();
    if (session && !session.hello.capabilities.methods.includes('metrics.v1')) return; // an older agent
    const skewMs = stickySkew(appliedSkew.get(applianceId), clockSkewMs);
    appliedSkew.set(applianceId, skewMs);
    const epoch = failedWrites;
    let after = cursorOf(applianceId);
    // The check's watch.v1 carried the first page, asked after this very cursor.
    let carried = watched?.result.metrics && watched.params.metrics?.after === after ? watched.result.metrics : null;
    for (let page = 0; page < maxPages; page++) {
      const r = carried ?? (await agent.call('metrics.v1', after ? { after, limit: pageSize } : { limit: pageSize }));
      carried = null;
      if (failedWrites !== epoch) return; // the next check starts again from the last committed cursor
      if (r.gap && after) log.info('metric history has a gap (the agent no longer has samples after the cursor)', { applianceId, after, oldest: r.oldest });
      if (r.samples.length > 0) {
        const samples = r.samples.flatMap((s) => {
          const system = flattenSample(applianceId, s);
          return s.serviceMetrics?.length ? system.concat(serviceMetrics.flatten(applianceId, s)) : system;
        });
        pending.push({ samples, skewMs });
        pendingCount += samples.length;
        latest.set(applianceId, forAlerts(r.samples[r.samples.length - 1]!));
      }
      if (r.next) {
        after = r.next;
        inMemory.set(applianceId, r.next);
        pendingCursors.set(applianceId, r.next);
      }
      if (pendingCount >= maxPending) flush();
      if (!r.more) break;
    }
    if (!timer && (pending.length > 0 || pendingCursors.size > 0)) {
      timer = setTimeout(flush, flushDelayMs);
      timer.unref?.();
    }
  };

  const collect: Collector = Object.assign(pull, {
    watchParams: (applianceId: string): WatchParams => {
      const after = cursorOf(applianceId);
      return { metrics: after ? { after, limit: WATCH_PAGE_SIZE } : { limit: WATCH_PAGE_SIZE } };
    },
  });

  return {
    collect,
    latest: (id) => latest.get(id) ?? null,
    flush,
    dispose() {
      flush();
    },
  };
}
