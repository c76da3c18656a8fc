import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import type { ServiceMetricSample } from '../../agents/protocol/services/service-metrics';
import { isModuleSeries, SERVICE_PROCESS_SERIES } from '../contract/metrics.contract';
import type { Logger } from '../core/log';
import type { IncomingSample } from '../telemetry/telemetry-types';

/**
 * A service module's own metrics (`serviceMetrics` in each `metrics.v1` sample: `ready`, `probe_ms`
 * and whatever the module reports) as telemetry series, named like the system ones: the metric
 * under `service.` with the unit at the end of its name, the module id as the `service` label —
 * `service.probe_ms{service=kodo}`, as `fs.used_percent{mount=…}` (flatten-sample.ts).
 *
 * - A gauge is stored as read (`ready` is 0 or 1, `probe_ms` in ms).
 * - A counter is stored as its rate per second between two samples, `…_total` → `…_per_s`
 *   (`requests_total` → `service.requests_per_s`), as the agent turns the kernel's counters into
 *   `…PerSec` for the system metrics: a total that resets at every restart draws as a saw, a rate
 *   as what a person asks ("how many requests now"). No rate for the first sample this console
 *   sees of a series, after the value went down, or when the service's pid changed (a restart
 *   resets the counter): a gap, never a made-up figure. The value is what the module reported at
 *   its last probe (every 5 s by default, samples every 10 s), so a rate is over the sample times.
 * - Bounded: at most `maxSeriesPerAppliance` module series per appliance, counting those already
 *   in the store when the console starts, first come first kept. A module that invents a new
 *   metric name in every sample then costs the store that many series in all, not a new one every
 *   10 s for ever; what is beyond the cap is dropped and logged (at once, then at most hourly per
 *   appliance). 256 is about ten modules of 20-odd metrics each.
 * - A module metric whose series name the supervisor's process series already use (flatten-sample.ts:
 *   `service.cpu_percent`, `service.rss_bytes`, `service.restarts`, labelled the same) would write
 *   into them: dropped and logged the same way.
 */
export const MAX_SERVICE_SERIES_PER_APPLIANCE = 256;

/** How often an appliance's dropped series are logged again while they keep coming (sample time). */
const DROP_LOG_EVERY_MS = 3_600_000;

/** The series a module metric is stored as (see above). */
export function serviceSeriesName(m: Pick<ServiceMetricSample, 'metric' | 'kind'>): string {
  return m.kind === 'counter' ? `service.${m.metric.replace(/_total$/, '')}_per_s` : `service.${m.metric}`;
}

export interface ServiceMetricsIngest {
  /** One sample's module metrics as series, within the appliance's cap. Samples of an appliance must come oldest first. */
  flatten(applianceId: string, sample: MetricsSample): IncomingSample[];
  /** Module metric values dropped for the appliance since this console started (cap or a taken name). */
  dropped(applianceId: string): number;
}

interface CounterReading {
  t: number;
  v: number;
  pid: number | null;
}

interface ApplianceState {
  /** `<series>\0<service>` of every series this appliance may write. */
  admitted: Set<string>;
  counters: Map<string, CounterReading>;
  dropped: number;
  lastDropLogT: number | null;
}

export function createServiceMetricsIngest(deps: {
  log: Logger;
  maxSeriesPerAppliance?: number;
  /** What the store already holds of an appliance (its catalog), so the cap holds across console restarts. */
  storedSeries?: (applianceId: string) => readonly { metric: string; labels?: Record<string, string> }[];
}): ServiceMetricsIngest {
  const cap = deps.maxSeriesPerAppliance ?? MAX_SERVICE_SERIES_PER_APPLIANCE;
  const appliances = new Map<string, ApplianceState>();

  const stateOf = (applianceId: string): ApplianceState => {
    let st = appliances.get(applianceId);
    if (st) return st;
    const admitted = new Set<string>();
    for (const s of deps.storedSeries?.(applianceId) ?? []) if (isModuleSeries(s)) admitted.add(`${s.metric}\0${s.labels!.service}`);
    appliances.set(applianceId, (st = { admitted, counters: new Map(), dropped: 0, lastDropLogT: null }));
    return st;
  };

  const logDrops = (applianceId: string, st: ApplianceState, t: number, refused: { service: string; metric: string; why: string }[]) => {
    st.dropped += refused.length;
    if (st.lastDropLogT !== null && Math.abs(t - st.lastDropLogT) < DROP_LOG_EVERY_MS) return;
    st.lastDropLogT = t;
    deps.log.warn('service metrics dropped: a module reports more series than the console keeps, or a name the process series use', {
      applianceId,
      maxSeriesPerAppliance: cap,
      droppedSoFar: st.dropped,
      examples: refused.slice(0, 5),
    });
  };

  return {
    flatten(applianceId, sample) {
      const metrics = sample.serviceMetrics;
      if (!metrics || metrics.length === 0) return [];
      const t = Date.parse(sample.time);
      const st = stateOf(applianceId);
      const pids = new Map(sample.services.map((s) => [s.name, s.pid]));
      const out: IncomingSample[] = [];
      const refused: { service: string; metric: string; why: string }[] = [];
      const seen = new Set<string>();
      for (const m of metrics) {
        if (!Number.isFinite(m.value)) continue;
        const series = serviceSeriesName(m);
        const key = `${series}\0${m.service}`;
        if (seen.has(key)) continue; // the same series twice in one sample: the first one counts
        seen.add(key);
        if (SERVICE_PROCESS_SERIES.has(series)) {
          refused.push({ service: m.service, metric: m.metric, why: 'name-taken' });
          continue;
        }
        if (!st.admitted.has(key)) {
          if (st.admitted.size >= cap) {
            refused.push({ service: m.service, metric: m.metric, why: 'cap' });
            continue;
          }
          st.admitted.add(key);
        }
        const labels = { service: m.service };
        if (m.kind === 'gauge') {
          out.push({ series: { applianceId, metric: series, labels }, t, v: m.value });
          continue;
        }
        const pid = pids.get(m.service) ?? null;
        const prev = st.counters.get(key);
        st.counters.set(key, { t, v: m.value, pid });
        // Older than or as old as the last one: a sample pulled again after a failed write. It
        // becomes the base for the next rate; no rate from it.
        if (!prev || t <= prev.t) continue;
        if (m.value < prev.v || pid !== prev.pid) continue; // reset: the service restarted
        out.push({ series: { applianceId, metric: series, labels }, t, v: (m.value - prev.v) / ((t - prev.t) / 1000) });
      }
      if (refused.length > 0) logDrops(applianceId, st, t, refused);
      return out;
    },
    dropped: (applianceId) => appliances.get(applianceId)?.dropped ?? 0,
  };
}
