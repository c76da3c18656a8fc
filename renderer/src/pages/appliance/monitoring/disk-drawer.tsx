import { Alert, App, Button, Collapse, Descriptions, Drawer, Empty, Flex, List, Space, Table, Tag, Typography } from 'antd';
import type { DiskHealthView } from '../../../../../main/contract/disks.contract';
import { useDiskSmart, useDisks, useSelfTest } from '../../../api/monitoring-hooks';
import { QueryErrorAlert } from '../../../components/query-error-alert';
import { describeError } from '../../../i18n/describe-error';
import { formatCapacity, formatCelsius, formatCount, formatHours, formatLocalTime, formatPercent } from '../../../i18n/format';
import { useI18n } from '../../../i18n/i18n-context';
import { reasonText, VerdictTag } from './disk-table';
import type { HistoryPoint } from './disk-history';
import { DiskTrends } from './disk-trends';

type SelfTests = {
  inProgress: { remainingPercent: number | null } | null;
  log: { type: string; status: string; passed: boolean | null; lifetimeHours: number | null }[];
  requests: { kind: string; requestedAt: string; scheduled: boolean; accepted: boolean; message: string | null }[];
  nextShortAt: string | null;
  nextLongAt: string | null;
};

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
  const history = (disk?.history ?? []) as HistoryPoint[];
  const tests = (disk?.selfTests ?? null) as SelfTests | null;

  const run = (kind: 'short' | 'long') =>
    selfTest.mutate(
      { device: device!, kind },
      {
        onSuccess: (r) => void (r.accepted ? message.success(t('disks.selfTest.accepted', { kind: t(`disks.selfTest.${kind}`) })) : message.warning(t('disks.selfTest.refused', { kind: t(`disks.selfTest.${kind}`) }))),
        onError: (err) => void message.error(describeError(tr, err)),
      },
    );

  const m = disk?.metrics ?? {};
  // Every figure with its unit and the locale's grouping (format.ts): 47,657 h, 41 °C, 3 %.
  const attr = (v: number | null | undefined, format: (n: number) => string = (n) => formatCount(n, locale)) => (v === null || v === undefined ? '—' : format(v));
  const hours = (n: number) => formatHours(n, locale);
  const celsius = (n: number) => formatCelsius(n, locale);
  const percent = (n: number) => formatPercent(n, locale, 0);

  return (
    <Drawer open={device !== null} onClose={onClose} size="large" title={device ? t('disks.drawer.title', { device }) : ''} data-testid="disk-drawer" destroyOnHidden>
      <div>
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
              <Descriptions.Item label={t('disks.attr.temperature')}>{attr(m.temperatureC, celsius)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.col.powerOn')}>{attr(m.powerOnHours, hours)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.reallocated')}>{attr(m.reallocatedSectors)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.pending')}>{attr(m.pendingSectors)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.mediaErrors')}>{attr(m.mediaErrors)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.wear')}>{attr(m.percentageUsed, percent)}</Descriptions.Item>
              <Descriptions.Item label={t('disks.attr.spare')}>{attr(m.availableSpare, percent)}</Descriptions.Item>
            </Descriptions>
            <div>
              <Typography.Title level={5}>{t('disks.drawer.trends')}</Typography.Title>
              <DiskTrends history={history} />
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
                  { key: 'type', title: t('disks.selfTest.type'), render: (_, e) => <span title={e.type}>{selfTestKind(e.type) ? t(`disks.selfTest.${selfTestKind(e.type)!}`) : e.type}</span> },
                  { key: 'status', title: t('disks.selfTest.status'), render: (_, e) => (
                      // The drive's own words as a tooltip; the outcome in the reader's language.
                      <Tag color={e.passed === false ? 'red' : e.passed ? 'green' : 'default'} title={e.status}>
                        {t(e.passed === true ? 'disks.selfTest.result.passed' : e.passed === false ? 'disks.selfTest.result.failed' : 'disks.selfTest.result.interrupted')}
                      </Tag>
                    ),
                  },
                  { key: 'hours', title: t('disks.selfTest.atHours'), render: (_, e) => attr(e.lifetimeHours, hours) },
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

/** `Short offline`, `Extended offline`, `Short self-test`…: the drive's name for a test, as short or long. */
function selfTestKind(type: string): 'short' | 'long' | null {
  if (/short/i.test(type)) return 'short';
  if (/extended|long/i.test(type)) return 'long';
  return null;
}
