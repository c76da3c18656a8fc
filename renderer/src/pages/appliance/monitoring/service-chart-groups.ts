import { isModuleSeries, type MetricUnit } from '../../../../../main/contract/metrics.contract';
import type { ChartUnit } from '../../../components/charts/chart-data';
import type { Translate } from '../../../i18n/translate';

type CatalogEntry = { metric: string; labels?: Record<string, string>; unit?: MetricUnit };

/**
 * How a catalog unit is drawn. A per-second count and seconds have no chart unit of their own:
 * plain numbers, the unit in the title. Readiness (0/1) likewise, its averages being the share of
 * a bucket spent ready. Bytes use decimal prefixes, as capacity does.
 */
const CHART_UNIT: Record<MetricUnit, ChartUnit> = {
  percent: 'percent',
  bytes: 'capacity',
  bytes_per_s: 'rate',
  per_s: 'count',
  ms: 'ms',
  seconds: 'count',
  celsius: 'celsius',
  state: 'count',
  count: 'count',
};

/** One series of a chart, as MetricChartCard's `ChartLine` takes it (declared here: this file stays free of React for its tests). */
export interface ServiceChartLine {
  metric: string;
  labels: Record<string, string>;
  name: string;
}

export interface ServiceChartSpec {
  id: string;
  title: string;
  unit: ChartUnit;
  lines: ServiceChartLine[];
}

export interface ServiceChartGroup {
  service: string;
  charts: ServiceChartSpec[];
}

/**
 * One group per service module the appliance has reported metrics for: readiness and the check's
 * time first (every module has them), then each metric the module reports, in name order. A
 * service whose metrics the console has not stored yet has no group.
 */
export function serviceCharts(catalog: readonly CatalogEntry[], t: Translate): ServiceChartGroup[] {
  const byService = new Map<string, CatalogEntry[]>();
  for (const e of catalog) {
    if (!isModuleSeries(e)) continue;
    const service = e.labels!.service!;
    const list = byService.get(service) ?? [];
    list.push(e);
    byService.set(service, list);
  }
  const services = [...byService.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return services.map((service) => {
    const labels = { service };
    const own = byService
      .get(service)!
      .filter((e) => e.metric !== 'service.ready' && e.metric !== 'service.probe_ms')
      .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    const charts: ServiceChartSpec[] = [
      { id: `${service}-ready`, title: t('charts.service.ready'), unit: 'count', lines: [{ metric: 'service.ready', labels, name: t('charts.service.readyLine') }] },
      { id: `${service}-probe`, title: t('charts.service.probe'), unit: 'ms', lines: [{ metric: 'service.probe_ms', labels, name: t('charts.service.probeLine') }] },
      ...own.map((e) => {
        const name = e.metric.slice('service.'.length);
        const unit = e.unit ?? 'count';
        const title = unit === 'per_s' ? t('charts.service.rate', { metric: name.replace(/_per_s$/, '') }) : name;
        return { id: `${service}-${name}`, title, unit: CHART_UNIT[unit], lines: [{ metric: e.metric, labels, name: service }] };
      }),
    ];
    return { service, charts };
  });
}
