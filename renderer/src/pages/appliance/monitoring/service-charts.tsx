import { Flex, Typography } from 'antd';
import type { Translate } from '../../../i18n/translate';
import { MetricChartCard } from './metric-chart-card';
import type { ServiceChartGroup } from './service-chart-groups';

/** The service groups under the system charts, over the same range. */
export function ServiceChartGroups(p: { applianceId: string; groups: readonly ServiceChartGroup[]; range: { from: number; to: number }; asOf: number | null; t: Translate }) {
  if (p.groups.length === 0) return null;
  return (
    <Flex vertical gap={12} data-testid="service-charts">
      <div>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {p.t('charts.services')}
        </Typography.Title>
        <Typography.Text type="secondary">{p.t('charts.servicesHint')}</Typography.Text>
      </div>
      {p.groups.map((g) => (
        <Flex vertical gap={8} key={g.service} data-testid={`service-charts-${g.service}`}>
          <Typography.Text strong>{p.t('charts.service.heading', { name: g.service })}</Typography.Text>
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))', gap: 12 }}>
            {g.charts.map((c) => (
              <MetricChartCard key={c.id} applianceId={p.applianceId} title={c.title} unit={c.unit} lines={c.lines} range={p.range} asOf={p.asOf} testId={`chart-service-${c.id}`} />
            ))}
          </div>
        </Flex>
      ))}
    </Flex>
  );
}
