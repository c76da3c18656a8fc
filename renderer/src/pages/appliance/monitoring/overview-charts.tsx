import { Flex, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useMetricCatalog, useMetricLatest } from '../../../api/monitoring-hooks';
import type { ChartUnit } from '../../../components/charts/chart-data';
import { type ChartRange, RANGE_MS, RangePicker } from '../../../components/charts/range-picker';
import { useI18n } from '../../../i18n/i18n-context';
import type { Translate } from '../../../i18n/translate';
import { type ChartLine, MetricChartCard } from './metric-chart-card';
import { serviceCharts } from './service-chart-groups';
import { ServiceChartGroups } from './service-charts';

/** The range's end moves on with time, a minute at a time (so query keys stay put in between). */
const ANCHOR_STEP_MS = 60_000;
const anchorNow = () => Math.ceil(Date.now() / ANCHOR_STEP_MS) * ANCHOR_STEP_MS;

type Catalog = { metric: string; labels?: Record<string, string> }[];

/** Label values of a metric in the catalog, natural order (d2 before d10). */
function labelValues(catalog: Catalog, metric: string, label: string, skip: (v: string) => boolean = () => false): string[] {
  const values = catalog.filter((m) => m.metric === metric && m.labels?.[label] !== undefined).map((m) => m.labels![label]!);
  return [...new Set(values)].filter((v) => !skip(v)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

interface ChartSpec {
  id: string;
  title: string;
  unit: ChartUnit;
  lines: ChartLine[];
}

/** Which charts to draw and their series, from what the appliance has reported. */
export function overviewCharts(catalog: Catalog, t: Translate): ChartSpec[] {
  const nics = labelValues(catalog, 'net.rx_bytes_per_s', 'nic', (n) => n === 'lo');
  const disks = labelValues(catalog, 'disk.util_percent', 'disk');
  const mounts = labelValues(catalog, 'fs.used_percent', 'mount');
  const sensors = labelValues(catalog, 'temp.celsius', 'sensor');
  const charts: ChartSpec[] = [
    { id: 'cpu', title: t('charts.cpu'), unit: 'percent', lines: [{ metric: 'cpu.busy_percent', name: t('charts.cpuBusy') }] },
    { id: 'load', title: t('charts.load'), unit: 'count', lines: [{ metric: 'load.1m', name: t('charts.load1') }] },
    {
      id: 'memory',
      title: t('charts.memory'),
      unit: 'memory',
      lines: [
        { metric: 'memory.used_bytes', name: t('charts.memoryUsed') },
        { metric: 'memory.total_bytes', name: t('charts.memoryTotal'), dashed: true },
      ],
    },
    {
      id: 'network',
      title: t('charts.network'),
      unit: 'rate',
      lines: nics.flatMap((nic) => [
        { metric: 'net.rx_bytes_per_s', labels: { nic }, name: t('charts.rx', { name: nic }) },
        { metric: 'net.tx_bytes_per_s', labels: { nic }, name: t('charts.tx', { name: nic }) },
      ]),
    },
    {
      id: 'disk-throughput',
      title: t('charts.diskThroughput'),
      unit: 'rate',
      lines: disks.flatMap((disk) => [
        { metric: 'disk.read_bytes_per_s', labels: { disk }, name: t('charts.read', { name: disk }) },
        { metric: 'disk.write_bytes_per_s', labels: { disk }, name: t('charts.write', { name: disk }) },
      ]),
    },
    { id: 'disk-util', title: t('charts.diskUtil'), unit: 'percent', lines: disks.map((disk) => ({ metric: 'disk.util_percent', labels: { disk }, name: disk })) },
    { id: 'fs', title: t('charts.fsUsage'), unit: 'percent', lines: mounts.map((mount) => ({ metric: 'fs.used_percent', labels: { mount }, name: mount })) },
    { id: 'temp', title: t('charts.temperature'), unit: 'celsius', lines: sensors.map((sensor) => ({ metric: 'temp.celsius', labels: { sensor }, name: sensor })) },
  ];
  return charts;
}

/**
 * The appliance's overview: CPU, load, memory, network, disks, file systems and temperatures, then
 * each service module's readiness and metrics (service-charts.tsx), over one range (1 h … 1 y)
 * shared by every chart.
 */
export function OverviewCharts({ applianceId }: { applianceId: string }) {
  const { t } = useI18n();
  const [range, setRange] = useState<ChartRange>('24h');
  const [anchor, setAnchor] = useState(anchorNow);
  useEffect(() => {
    const timer = setInterval(() => setAnchor(anchorNow()), ANCHOR_STEP_MS);
    return () => clearInterval(timer);
  }, []);
  const catalog = useMetricCatalog(applianceId);
  const latest = useMetricLatest(applianceId);
  const span = useMemo(() => ({ from: anchor - RANGE_MS[range], to: anchor }), [anchor, range]);
  const charts = useMemo(() => overviewCharts(catalog.data?.metrics ?? [], t), [catalog.data, t]);
  const services = useMemo(() => serviceCharts(catalog.data?.metrics ?? [], t), [catalog.data, t]);

  return (
    <Flex vertical gap={12} data-testid="overview-charts">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">{t('charts.rangeHint')}</Typography.Text>
        <RangePicker
          value={range}
          onChange={(r) => {
            setAnchor(anchorNow());
            setRange(r);
          }}
        />
      </Flex>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(420px, 1fr))', gap: 12 }}>
        {charts.map((c) => (
          <MetricChartCard key={c.id} applianceId={applianceId} title={c.title} unit={c.unit} lines={c.lines} range={span} asOf={latest.data?.asOf ?? null} testId={`chart-${c.id}`} />
        ))}
      </div>
      <ServiceChartGroups applianceId={applianceId} groups={services} range={span} asOf={latest.data?.asOf ?? null} t={t} />
    </Flex>
  );
}
