import { Flex, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import { type ChartLine, MetricChartCard } from '../appliance/monitoring/metric-chart-card';

const HOUR_MS = 3_600_000;
/** The range moves on by whole minutes, as the Appliance page's charts do (overview-charts.tsx), so a query is not re-keyed every render. */
const ANCHOR_STEP_MS = 60_000;
const anchorNow = () => Math.ceil(Date.now() / ANCHOR_STEP_MS) * ANCHOR_STEP_MS;
const labels = { service: 'kodo' };
/** Kodo's counters are stored as rates (`…_total` → `service.…_per_s`, main/monitoring/service-metrics.ts); its latencies are gauges. */
const line = (metric: string, name: string, dashed = false): ChartLine => ({ metric: `service.${metric}`, labels, name, dashed });

/** Request rate, errors, throughput in and out, latency (median and 99th percentile) over the last hour. */
export function KodoCharts(p: { applianceId: string }) {
  const { t } = useI18n();
  const [anchor, setAnchor] = useState(anchorNow);
  useEffect(() => {
    const timer = setInterval(() => setAnchor(anchorNow()), ANCHOR_STEP_MS);
    return () => clearInterval(timer);
  }, []);
  const range = useMemo(() => ({ from: anchor - HOUR_MS, to: anchor }), [anchor]);
  const charts = useMemo(
    () => [
      { id: 'requests', title: t('kodo.charts.requests'), unit: 'count' as const, lines: [line('requests_per_s', t('kodo.charts.requests'))] },
      { id: 'errors', title: t('kodo.charts.errors'), unit: 'count' as const, lines: [line('errors_per_s', t('kodo.charts.errors'))] },
      { id: 'throughput', title: t('kodo.charts.throughput'), unit: 'rate' as const, lines: [line('bytes_in_per_s', t('kodo.charts.in')), line('bytes_out_per_s', t('kodo.charts.out'), true)] },
      { id: 'latency', title: t('kodo.charts.latency'), unit: 'ms' as const, lines: [line('latency_ms_p50', t('kodo.charts.p50')), line('latency_ms_p99', t('kodo.charts.p99'), true)] },
    ],
    [t],
  );
  return (
    <Flex vertical gap={8} data-testid="kodo-charts">
      <div>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('kodo.charts.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('kodo.charts.hint')}</Typography.Text>
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))', gap: 12 }}>
        {charts.map((c) => (
          <MetricChartCard key={c.id} applianceId={p.applianceId} title={c.title} unit={c.unit} lines={c.lines} range={range} asOf={null} testId={`kodo-chart-${c.id}`} />
        ))}
      </div>
    </Flex>
  );
}
