import { Alert, Button, Descriptions, Flex, Modal, Progress, Select, Table, Tag, Typography, message } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { HEAL_PRIORITIES, type KodoStatusView } from '../../../../main/contract/kodo.contract';
import { useKodoChange } from '../../api/kodo-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatCount, formatDuration, formatRelativeTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { ninesText, ratioText } from './kodo-figures';

type Disk = KodoStatusView['disks'][number];
const DISK_COLOR = { online: 'green', offline: 'red', healing: 'blue' } as const;

/** The initialized store: layout, real redundancy, durability, endpoint; each disk's state; healing with its controls. */
export function KodoOverview(p: { applianceId: string; status: KodoStatusView }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const s = p.status;
  const heal = useKodoChange(p.applianceId, 'kodo.heal');
  const act = (input: Parameters<typeof heal.mutateAsync>[0], done: string) =>
    heal.mutateAsync(input).then(
      () => void message.success(done),
      (err: unknown) => void message.error(describeError(translator, err)),
    );

  const diskColumns: ColumnsType<Disk> = [
    { key: 'index', title: t('kodo.disks.col.index'), render: (_, d) => d.index, width: 80 },
    { key: 'path', title: t('kodo.disks.col.path'), render: (_, d) => d.path ?? t('kodo.disks.missing') },
    {
      key: 'state',
      title: t('kodo.disks.col.state'),
      render: (_, d) => {
        const state = d.healing ? 'healing' : d.state;
        return <Tag color={DISK_COLOR[state]}>{t(`kodo.disks.state.${state}`)}</Tag>;
      },
    },
    // Kodo's own words (a path, an errno): shown as it said them.
    { key: 'reason', title: t('kodo.disks.col.reason'), render: (_, d) => d.reason ?? '—' },
  ];

  const h = s.heal;
  const cycle = h?.cycle ?? null;
  const total = cycle?.objectsTotalEstimate ?? null;
  return (
    <Flex vertical gap={16} data-testid="kodo-overview">
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} bordered>
        <Descriptions.Item label={t('kodo.overview.layout')}>
          <span data-testid="kodo-layout">{s.layout ? `${s.layout.k}+${s.layout.m}` : '—'}</span>
          {s.layout && <Typography.Text type="secondary">{` · ${t('kodo.overview.layoutValue', { k: s.layout.k, m: s.layout.m })}`}</Typography.Text>}
        </Descriptions.Item>
        <Descriptions.Item label={t('kodo.overview.redundancy')}>
          <span data-testid="kodo-redundancy">
            {s.redundancy?.ratio != null ? `${ratioText(s.redundancy.ratio, locale)} (${formatCapacity(s.redundancy.rawBytes, locale)} ÷ ${formatCapacity(s.redundancy.logicalBytes, locale)})` : t('kodo.overview.redundancyNone')}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('kodo.overview.durability')}>{s.durabilityNines !== null ? ninesText(t, s.durabilityNines, locale) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('kodo.overview.endpoint')}>
          <Typography.Text copyable data-testid="kodo-endpoint">
            {s.endpoints?.s3 ?? '—'}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('kodo.overview.region')}>{s.region ?? '—'}</Descriptions.Item>
      </Descriptions>

      <div>
        <Typography.Title level={5}>{t('kodo.disks.title')}</Typography.Title>
        <Table<Disk> size="small" rowKey={(d) => String(d.index)} columns={diskColumns} dataSource={s.disks} pagination={false} data-testid="kodo-disks" />
      </div>

      <Flex vertical gap={8} data-testid="kodo-heal">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('kodo.heal.title')}
        </Typography.Title>
        {h ? (
          <>
            <Flex gap={12} align="center" wrap>
              <Tag color={h.state === 'idle' ? 'default' : 'blue'} data-testid="kodo-heal-state">
                {t(`kodo.heal.state.${h.state}`)}
              </Tag>
              <Typography.Text type="secondary">{t('kodo.heal.priority')}</Typography.Text>
              <Select
                size="small"
                style={{ width: 120 }}
                value={h.priority}
                options={HEAL_PRIORITIES.map((v) => ({ value: v, label: t(`kodo.heal.priority.${v}`) }))}
                onChange={(priority) => void act({ priority }, t(`kodo.heal.priority.${priority}`))}
                disabled={heal.isPending}
                data-testid="kodo-heal-priority"
              />
              <Button size="small" onClick={() => void act({ start: true }, t('kodo.heal.started'))} loading={heal.isPending} data-testid="kodo-heal-start">
                {t('kodo.heal.start')}
              </Button>
              <Button
                size="small"
                onClick={() =>
                  Modal.confirm({
                    title: t('kodo.heal.rescan'),
                    content: t('kodo.heal.rescanConfirm'),
                    okText: t('kodo.confirm'),
                    cancelText: t('kodo.cancel'),
                    onOk: () => act({ rescanDisks: true }, t('kodo.heal.rescanned')),
                  })
                }
                data-testid="kodo-heal-rescan"
              >
                {t('kodo.heal.rescan')}
              </Button>
            </Flex>
            {cycle && (
              <Flex vertical gap={4}>
                {total ? <Progress percent={Math.min(100, Math.floor((cycle.objectsScanned / Math.max(1, total)) * 100))} size="small" /> : null}
                <Typography.Text>
                  {total !== null ? t('kodo.heal.progress', { scanned: formatCount(cycle.objectsScanned, locale), total: formatCount(total, locale) }) : t('kodo.heal.progressNoTotal', { scanned: formatCount(cycle.objectsScanned, locale) })}
                  {cycle.etaSeconds !== null && ` · ${t('kodo.heal.eta', { duration: formatDuration(cycle.etaSeconds * 1000, locale) })}`}
                </Typography.Text>
                <Typography.Text type="secondary">{t('kodo.heal.repaired', { healed: formatCount(cycle.objectsHealed, locale), shards: formatCount(cycle.shardsRepaired, locale), errors: formatCount(cycle.errors, locale) })}</Typography.Text>
              </Flex>
            )}
            {(cycle ?? h.lastCycle)?.unrecoverable ? <Alert type="error" showIcon title={t('kodo.heal.unrecoverable', { count: formatCount((cycle ?? h.lastCycle)!.unrecoverable, locale) })} /> : null}
            {h.queue.pending > 0 && <Typography.Text type="secondary">{t('kodo.heal.queue', { pending: formatCount(h.queue.pending, locale) })}</Typography.Text>}
            {!cycle && h.lastCycle?.finished && <Typography.Text type="secondary">{t('kodo.heal.last', { when: formatRelativeTime(h.lastCycle.finished, Date.now(), locale) })}</Typography.Text>}
            {!cycle && !h.lastCycle && <Typography.Text type="secondary">{t('kodo.heal.never')}</Typography.Text>}
          </>
        ) : (
          <Typography.Text type="secondary">{t('kodo.heal.never')}</Typography.Text>
        )}
      </Flex>
    </Flex>
  );
}
