import { Card, Flex, Spin, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { CapacityFigures } from '../../../../main/contract/capacity.contract';
import { useFleetCapacity } from '../../api/capacity-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { formatCapacity, formatPercent } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { CapacityForecastChart, CapacitySummary, etaText } from './capacity-figures';

/** The fleet's capacity with its forecast chart, then one row per appliance. */
export function FleetCapacityCard() {
  const tr = useI18n();
  const { t, locale } = tr;
  const q = useFleetCapacity();

  const columns: ColumnsType<CapacityFigures> = [
    { key: 'name', title: t('capacity.col.appliance'), render: (_, f) => <Typography.Link href={`#/fleet/${f.applianceId}`}>{f.name}</Typography.Link> },
    { key: 'disks', title: t('capacity.col.disks'), render: (_, f) => f.disks },
    { key: 'layout', title: t('capacity.col.layout'), render: (_, f) => (f.layout ? `${f.layout.k}+${f.layout.m}` : '—') },
    { key: 'raw', title: t('capacity.raw'), render: (_, f) => formatCapacity(f.rawBytes, locale) },
    { key: 'usable', title: t('capacity.usable'), render: (_, f) => formatCapacity(f.usableBytes, locale) },
    { key: 'used', title: t('capacity.used'), render: (_, f) => `${formatCapacity(f.usedBytes, locale)}${f.usedPercent === null ? '' : ` · ${formatPercent(f.usedPercent, locale)}`}` },
    { key: 'growth', title: t('capacity.growth'), render: (_, f) => (f.forecast ? t('capacity.perDay', { bytes: formatCapacity(Math.max(0, f.forecast.slopeBytesPerDay), locale) }) : '—') },
    { key: 'full', title: t('capacity.untilFull'), render: (_, f) => etaText(tr, f, f.forecast?.untilFull ?? null) },
  ];

  return (
    <Card title={t('capacity.fleetTitle')} data-testid="fleet-capacity">
      {q.isError && !q.data ? (
        <QueryErrorAlert error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data ? (
        <Spin />
      ) : (
        <Flex vertical gap={16}>
          <CapacitySummary figures={q.data.fleet} testId="fleet-capacity-summary" />
          <CapacityForecastChart figures={q.data.fleet} />
          <Table<CapacityFigures>
            size="small"
            rowKey={(f) => f.applianceId ?? ''}
            columns={columns}
            dataSource={q.data.appliances}
            pagination={q.data.appliances.length > 20 ? { pageSize: 20 } : false}
            onRow={() => ({ 'data-testid': 'capacity-row' }) as React.HTMLAttributes<HTMLElement>}
          />
        </Flex>
      )}
    </Card>
  );
}
