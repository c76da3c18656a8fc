import { Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { DiskHealthView } from '../../../../../main/contract/disks.contract';
import { useDisks } from '../../../api/monitoring-hooks';
import { QueryErrorAlert } from '../../../components/query-error-alert';
import { formatCapacity } from '../../../i18n/format';
import { useI18n } from '../../../i18n/i18n-context';
import type { Translator } from '../../../i18n/translate';
import { DiskDrawer } from './disk-drawer';

export const VERDICT_COLORS: Record<DiskHealthView['verdict'], string> = { healthy: 'green', warning: 'gold', failing: 'orange', failed: 'red', unknown: 'default' };

/** A SMART reason in the viewer's language when the dictionary has its code; the English text otherwise. */
export function reasonText(tr: Translator, r: DiskHealthView['reasons'][number]): string {
  return tr.lookup(`disks.reason.${r.code}`, r.params) ?? r.message;
}

export function VerdictTag({ disk }: { disk: DiskHealthView }) {
  const tr = useI18n();
  const tag = (
    <Tag color={VERDICT_COLORS[disk.verdict]} data-testid="disk-verdict">
      {tr.t(`disks.verdict.${disk.verdict}`)}
    </Tag>
  );
  if (disk.reasons.length === 0) return tag;
  return <Tooltip title={disk.reasons.map((r) => reasonText(tr, r)).join(' ')}>{tag}</Tooltip>;
}

const num = (v: number | null | undefined, locale: string, digits = 0) => (v === null || v === undefined ? '—' : v.toLocaleString(locale, { maximumFractionDigits: digits }));

/**
 * The appliance's disks from their last SMART reading: identity, verdict with reasons, temperature,
 * age and wear; a row opens the SMART drawer.
 */
export function DiskTable({ applianceId }: { applianceId: string }) {
  const tr = useI18n();
  const { t, locale } = tr;
  const disks = useDisks(applianceId);
  const [open, setOpen] = useState<string | null>(null);

  const columns: ColumnsType<DiskHealthView> = [
    {
      key: 'device',
      title: t('disks.col.device'),
      // The stable by-id name and the controller slot are what a field engineer matches on the tray.
      render: (_, d) => (
        <>
          <Typography.Link onClick={() => setOpen(d.device)} title={d.placement.idPaths.join('\n') || undefined}>
            {d.device}
          </Typography.Link>
          {d.placement.slot && (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
              {t('disks.slot', { slot: d.placement.slot })}
            </Typography.Text>
          )}
          {d.placement.idPaths[0] && (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }} copyable={{ text: d.placement.idPaths[0] }}>
              {d.placement.idPaths[0].replace('/dev/disk/by-id/', '')}
            </Typography.Text>
          )}
        </>
      ),
    },
    { key: 'model', title: t('disks.col.model'), render: (_, d) => d.identity.model ?? '—' },
    { key: 'serial', title: t('disks.col.serial'), render: (_, d) => <Typography.Text copyable={d.identity.serial ? { text: d.identity.serial } : false}>{d.identity.serial ?? '—'}</Typography.Text> },
    { key: 'firmware', title: t('disks.col.firmware'), render: (_, d) => d.identity.firmware ?? '—' },
    { key: 'capacity', title: t('disks.col.capacity'), render: (_, d) => (d.identity.capacityBytes === null ? '—' : formatCapacity(d.identity.capacityBytes, locale)) },
    {
      key: 'placement',
      title: t('disks.col.placement'),
      render: (_, d) => (
        <>
          {d.placement.mountpoints.join(', ') || '—'} {d.placement.dataDisk && <Tag color="blue">{t('disks.dataDisk')}</Tag>}
        </>
      ),
    },
    { key: 'verdict', title: t('disks.col.verdict'), render: (_, d) => <VerdictTag disk={d} /> },
    { key: 'reasons', title: t('disks.col.reasons'), render: (_, d) => (d.error ? <Typography.Text type="warning">{d.error}</Typography.Text> : d.reasons.length ? reasonText(tr, d.reasons[0]!) + (d.reasons.length > 1 ? ` (+${d.reasons.length - 1})` : '') : '—'), ellipsis: true },
    { key: 'temp', title: t('disks.col.temperature'), render: (_, d) => (d.metrics.temperatureC == null ? '—' : `${num(d.metrics.temperatureC, locale)} °C`) },
    { key: 'hours', title: t('disks.col.powerOn'), render: (_, d) => (d.metrics.powerOnHours == null ? '—' : `${num(d.metrics.powerOnHours, locale)} h`) },
    { key: 'wear', title: t('disks.col.wear'), render: (_, d) => (d.metrics.percentageUsed == null ? '—' : `${num(d.metrics.percentageUsed, locale)} %`) },
  ];

  if (disks.isError && !disks.data) return <QueryErrorAlert error={disks.error} onRetry={() => void disks.refetch()} />;
  return (
    <>
      <Table<DiskHealthView>
        size="small"
        rowKey="device"
        columns={columns}
        dataSource={disks.data?.disks ?? []}
        loading={disks.isLoading}
        pagination={false}
        locale={{ emptyText: t('disks.empty') }}
        onRow={(d) => ({ onClick: () => setOpen(d.device), style: { cursor: 'pointer' }, 'data-testid': 'disk-row' }) as React.HTMLAttributes<HTMLElement>}
        data-testid="disk-table"
      />
      <DiskDrawer applianceId={applianceId} device={open} onClose={() => setOpen(null)} />
    </>
  );
}
