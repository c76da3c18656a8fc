/**
 * Which charts the Appliance page draws per service module (renderer/src/pages/appliance/monitoring/
 * service-chart-groups.ts), from a catalog shaped as metrics.catalog answers it.
 */
import { describe, expect, it } from 'vitest';
import { metricsMethods } from '../../main/contract/metrics.contract';
import { metricUnit } from '../../main/monitoring/metric-units';
import { createTranslator } from '../../renderer/src/i18n/translate';
import { serviceCharts } from '../../renderer/src/pages/appliance/monitoring/service-chart-groups';

/** A catalog as the API answers it: each entry with the unit its name says, checked against the contract. */
function catalog(entries: [metric: string, service?: string][]) {
  const metrics = entries.map(([metric, service]) => ({ metric, ...(service ? { labels: { service } } : {}), unit: metricUnit(metric) }));
  return metricsMethods['metrics.catalog'].output.parse({ metrics }).metrics;
}

describe('service chart groups', () => {
  const entries: [string, string?][] = [
    ['cpu.busy_percent'],
    ['service.cpu_percent', 'legacy'], // a plain supervised service: process series only, no module
    ['service.rss_bytes', 'legacy'],
    ['service.cpu_percent', 'kodo'],
    ['service.ready', 'kodo'],
    ['service.probe_ms', 'kodo'],
    ['service.requests_per_s', 'kodo'],
    ['service.used_bytes', 'kodo'],
    ['service.ready', 'cdn-cache'],
    ['service.probe_ms', 'cdn-cache'],
  ];

  it('one group per module, readiness and check time first, then its own metrics; plain services and process series are left out', () => {
    const groups = serviceCharts(catalog(entries), createTranslator('en').t);
    expect(groups.map((g) => g.service)).toEqual(['cdn-cache', 'kodo']);
    const kodo = groups[1]!;
    expect(kodo.charts.map((c) => [c.title, c.unit, c.lines.map((l) => `${l.metric}{${l.labels?.service}}`).join()])).toEqual([
      ['Ready (1 = answers its check)', 'count', 'service.ready{kodo}'],
      ['Readiness check time', 'ms', 'service.probe_ms{kodo}'],
      ['requests (per second)', 'count', 'service.requests_per_s{kodo}'],
      ['used_bytes', 'capacity', 'service.used_bytes{kodo}'],
    ]);
    expect(groups[0]!.charts.map((c) => c.id)).toEqual(['cdn-cache-ready', 'cdn-cache-probe']);
  });

  it('in Chinese too', () => {
    const [cdn] = serviceCharts(catalog(entries), createTranslator('zh-CN').t);
    expect(cdn!.charts.map((c) => c.title)).toEqual(['就绪（1 = 通过检查）', '就绪检查耗时']);
  });

  it('no module metrics stored yet: no group', () => {
    expect(serviceCharts(catalog([['cpu.busy_percent'], ['service.cpu_percent', 'legacy']]), createTranslator('en').t)).toEqual([]);
  });
});
