import { Alert, App, Button, Collapse, Descriptions, Drawer, Empty, Flex, List, Space, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import type { DiskHealthView } from '../../../../../main/contract/disks.contract';
import { useDiskSmart, useDisks, useSelfTest } from '../../../api/monitoring-hooks';
import type { ChartUnit, SeriesColumns } from '../../../components/charts/chart-data';
import { TimeSeriesChart } from '../../../components/charts/time-series-chart';
import { QueryErrorAlert } from '../../../components/query-error-alert';
import { describeError } from '../../../i18n/describe-error';
import { formatCapacity, formatLocalTime } from '../../../i18n/format';
import { useI18n } from '../../../i18n/i18n-context';
import type { PlainMessageKey } from '../../../i18n/translate';
import { useElementSize } from '../../../hooks/use-element-size';
import { reasonText, VerdictTag } from './disk-table';

/** The agent's record of a reading (agents/protocol/payloads/smart.ts SmartHistoryPoint). */
type HistoryPoint = { time: string } & Partial<Record<'temperatureCelsius' | 'reallocatedSectors' | 'pendingSectors' | 'percentageUsed' | 'mediaErrors', number | null>>;
type SelfTests = {
  inProgress: { remainingPercent: number | null } | null;
  log: { type: string; status: string; passed: boolean | null; lifetimeHours: number | null }[];
  requests: { kind: string; requestedAt: string; scheduled: boolean; accepted: boolean; message: string | null }[];
  nextShortAt: string | null;
  nextLongAt: string | null;
};

const TRENDS: { keys: (keyof HistoryPoint)[]; names: PlainMessageKey[]; title: PlainMessageKey; unit: ChartUnit }[] = [
  { keys: ['reallocatedSectors', 'pendingSectors'], names: ['disks.attr.reallocated', 'disks.attr.pending'], title: 'disks.trend.sectors', unit: 'count' },
  { keys: ['temperatureCelsius'], names: ['disks.attr.temperature'], title: 'disks.trend.temperature', unit: 'celsius' },
  { keys: ['percentageUsed'], names: ['disks.attr.wear'], title: 'disks.trend.wear', unit: 'percent' },
];

/** One attribute over the readings, as chart columns (a reading is one point: min = avg = max). */
function column(history: HistoryPoint[], key: keyof HistoryPoint): SeriesColumns {
  const t: number[] = [];
  const v: number[] = [];
  for (const h of history) {
    const value = h[key];
    if (typeof value === 'number') {
      t.push(Date.parse(h.time));
      v.push(value);
    }
  }
  return { t, min: v, avg: v, max: v };
}

/**
 * One disk's SMART detail: verdict and reasons, key attributes, their trends over the agent's
 * readings (a slow decline shows before it is a failure), the self-test log with buttons to start
 * one, and smartctl's JSON as read.
 */
export function DiskDrawer({ applianceId, device, onClose }: { applianceId: string; device: string | null; onClose(): void }) {
  const tr = useI18n();
  const { t, locale } = tr;
  const { message } = App.useApp();
  const disks = useDisks(applianceId);
  const smart = useDiskSmart(applianceId, device);
  const selfTest = useSelfTest(applianceId);
  const disk: DiskHealthView | undefined = disks.data?.disks.find((d) => d.device === device) ?? smart.data?.disk;
  const history = useMemo(() => ((disk?.history ?? []) as HistoryPoint[]).slice().sort((a, b) => Date.parse(a.time) - Date.parse(b.time)), [disk?.history]);
  const tests = (disk?.selfTests ?? null) as SelfTests | null;
  const { ref, width } = useElementSize<HTMLDivElement>();

  const run = (kind: 'short' | 'long') =>
    selfTest.mutate(
      { device: device!, kind },
      {
        onSuccess: (r) => void (r.accepted ? message.success(t('disks.selfTest.accepted', { kind: t(`disks.selfTest.${kind}`) })) : message.warning(r.message)),
        onError: (err) => void message.error(describeError(tr, err)),
      },
    );

  const m = disk?.metrics ?? {};
  const attr = (v: number | null | undefined, suffix = '') => (v === null || v === undefined ? '—' : `${v.toLocaleString(locale)}${suffix}`);

  return (
    <Drawer open={device !== null} onClose={onClose} size="large" title={device ? t('disks.drawer.title', { device }) : ''} data-testid="disk-drawer" destroyOnHidden>
      <div ref={ref}>
        {!disk ? (
          smart.isError ? <QueryErrorAlert error={smart.error} /> : <Empty />
        ) : (
          <Flex vertical gap={16}>
            <Space wrap>
              <VerdictTag disk={disk} />
              <Typography.Text type="secondary">{[disk.identity.model, disk.identity.serial, disk.identity.firmware].filter(Boolean).join(' · ')}</Typography.Text>
              {disk.readAt && <Typography.Text type="secondary">{t('disks.readAt', { time: formatLocalTime(disk.readAt) })}</Typography.Text>}
            </Space>
            {disk.error && <Alert type="warning" showIcon title={disk.error} />}
            <div>
              <Typography.Title level={5}>{t('disks.drawer.reasons')}</Typography.Title>
              {disk.reasons.length === 0 ? (
                <Typography.Text type="secondary">{t('disks.drawer.noReasons')}</Typography.Text>
              ) : (
                <List size="small" dataSource={disk.reasons} data-testid="disk-reasons" renderItem={(r) => <List.Item><Tag>{tr.lookup(`disks.severity.${r.severity}`) ?? r.severity}</Tag>{reasonText(tr, r)}</List.Item>} />
              )}
            </div>
            <Descriptions size="small" column={2} bordered title={t('disks.drawer.attributes')}>
              <Descriptions.Item label={t('disks.col.capacity')}>{disk.identity.capacityBytes === null ? '—' : formatCapacity(disk.identity.capacityBytes, locale)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.temperature')}>{attr(m.temperatureC, ' °C')}</Descriptions.Item>
              <Descriptions.Item label={t('disks.col.powerOn')}>{attr(m.powerOnHours, ' h')}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.reallocated')}>{attr(m.reallocatedSectors)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.pending')}>{attr(m.pendingSectors)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.mediaErrors')}>{attr(m.mediaErrors)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.wear')}>{attr(m.percentageUsed, ' %')}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.spare')}>{attr(m.availableSpare, ' %')}</Descriptions.Item>
            </Descriptions>
            <div>
              <Typography.Title level={5}>{t('disks.drawer.trends')}</Typography.Title>
              {history.length === 0 && <Typography.Text type="secondary">{t('charts.noData')}</Typography.Text>}
              {history.length > 0 &&
                TRENDS.filter((x) => x.keys.some((k) => history.some((h) => typeof h[k] === 'number'))).map((trend) => (
                  <div key={trend.title} data-testid="disk-trend">
                    <Typography.Text strong>{t(trend.title)}</Typography.Text>
                    <TimeSeriesChart
                      series={trend.keys.map((k, i) => ({ name: t(trend.names[i]!), data: column(history, k) }))}
                      unit={trend.unit}
                      from={Date.parse(history[0]!.time)}
                      to={Math.max(Date.parse(history[history.length - 1]!.time), Date.parse(history[0]!.time) + 3_600_000)}
                      width={width}
                      height={160}
                    />
                  </div>
                ))}
            </div>
            <div>
              <Flex justify="space-between" align="center">
                <Typography.Title level={5} style={{ margin: 0 }}>
                  {t('disks.drawer.selfTests')}
                </Typography.Title>
                <Space>
                  <Button size="small" onClick={() => run('short')} loading={selfTest.isPending} data-testid="selftest-short">
                    {t('disks.selfTest.runShort')}
                  </Button>
                  <Button size="small" onClick={() => run('long')} loading={selfTest.isPending} data-testid="selftest-long">
                    {t('disks.selfTest.runLong')}
                  </Button>
                </Space>
              </Flex>
              {tests?.inProgress && <Alert type="info" showIcon title={t('disks.selfTest.inProgress', { percent: tests.inProgress.remainingPercent ?? '?' })} />}
              <Table
                size="small"
                pagination={false}
                rowKey={(_, i) => String(i)}
                dataSource={tests?.log ?? []}
                locale={{ emptyText: t('disks.selfTest.noLog') }}
                columns={[
                  { key: 'type', title: t('disks.selfTest.type'), dataIndex: 'type' },
                  { key: 'status', title: t('disks.selfTest.status'), render: (_, e) => <Tag color={e.passed === false ? 'red' : e.passed ? 'green' : 'default'}>{e.status}</Tag> },
                  { key: 'hours', title: t('disks.selfTest.atHours'), render: (_, e) => attr(e.lifetimeHours, ' h') },
                ]}
              />
              {tests && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('disks.selfTest.next', { short: tests.nextShortAt ? formatLocalTime(tests.nextShortAt) : '—', long: tests.nextLongAt ? formatLocalTime(tests.nextLongAt) : '—' })}
                </Typography.Text>
              )}
            </div>
            <Collapse
              size="small"
              items={[
                {
                  key: 'json',
                  label: t('disks.drawer.rawJson'),
                  children: smart.isError ? <QueryErrorAlert error={smart.error} /> : <pre style={{ maxHeight: 400, overflow: 'auto', fontSize: 11, margin: 0 }}>{smart.data?.smartctl ? JSON.stringify(smart.data.smartctl, null, 2) : '—'}</pre>,
                },
              ]}
            />
          </Flex>
        )}
      </div>
    </Drawer>
  );
}
