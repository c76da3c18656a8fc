import { Button, Card, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import type { AuditEntry } from '../../../../main/contract/audit.contract';
import { useFleetList } from '../../api/fleet-hooks';
import { useAuditLog } from '../../api/system-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { formatLocalTime, utcOffsetLabel } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';
import { reasonText } from '../appliance/status-labels';
import { HOST_LABELS } from './system-info-card';

/** `value[key]` of a recorded input, whose shape is whatever the method took (unknown here). */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Appliance names as the log itself recorded them (`fleet.add` and renames in `fleet.update`), so
 * entries about an appliance that was removed since still say which one it was.
 */
function namesFromAudit(entries: readonly AuditEntry[]): Map<string, string> {
  const names = new Map<string, string>();
  // Newest first in the log: walk oldest → newest so the latest name wins.
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (!e || e.target === null || e.result !== 'ok') continue;
    const name = e.method === 'fleet.add' ? field(e.input, 'name') : e.method === 'fleet.update' ? field(field(e.input, 'patch'), 'name') : undefined;
    if (typeof name === 'string') names.set(e.target, name.trim());
  }
  return names;
}

/** `fleet.add` → "Add appliance"; a method added later without a translation shows its name. */
function methodLabel(translator: Translator, method: string): string {
  return translator.lookup(`methods.${method}`) ?? method;
}

function auditColumns(translator: Translator, nameOf: (id: string) => string | undefined): ColumnsType<AuditEntry> {
  const { t } = translator;
  return [
    {
      key: 'at',
      title: <Tooltip title={utcOffsetLabel()}>{t('audit.column.time')}</Tooltip>,
      dataIndex: 'at',
      width: 170,
      render: (_, e) => formatLocalTime(e.at),
    },
    { key: 'host', title: t('audit.column.host'), dataIndex: 'host', width: 190, render: (_, e) => t(HOST_LABELS[e.host]) },
    { key: 'actor', title: t('audit.column.actor'), dataIndex: 'actor', width: 140, ellipsis: true },
    {
      key: 'method',
      title: t('audit.column.method'),
      dataIndex: 'method',
      width: 200,
      render: (_, e) => (
        <Flex vertical>
          <span>{methodLabel(translator, e.method)}</span>
          <Typography.Text type="secondary" code style={{ fontSize: 12 }}>
            {e.method}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'target',
      title: t('audit.column.target'),
      dataIndex: 'target',
      ellipsis: true,
      render: (_, e) => {
        if (e.target === null) return <Typography.Text type="secondary">—</Typography.Text>;
        const name = nameOf(e.target);
        return name ? <Tooltip title={e.target}>{name}</Tooltip> : <Typography.Text code>{e.target}</Typography.Text>;
      },
    },
    {
      key: 'result',
      title: t('audit.column.result'),
      dataIndex: 'result',
      width: 110,
      render: (_, e) =>
        e.result === 'ok' ? (
          <Tag color="success">{t('audit.result.ok')}</Tag>
        ) : e.result === 'failed' ? (
          // Taken, but the run it started failed: why, as the status reasons word it (ssh.*, cancelled, …).
          <Tooltip title={e.errorCode ? (reasonText(translator, e.errorCode, {}, null) ?? e.errorCode) : undefined}>
            <Tag color="warning">{t('audit.result.failed')}</Tag>
          </Tooltip>
        ) : (
          // The short word in the table, the full translated reason on hover.
          <Tooltip title={e.errorCode ? (translator.lookup(`errors.${e.errorCode}`) ?? e.errorCode) : undefined}>
            <Tag color="error">{t('audit.result.error')}</Tag>
          </Tooltip>
        ),
    },
  ];
}

/** Every change made through any host, newest first, a page at a time. */
export function AuditLogCard() {
  const translator = useI18n();
  const { t } = translator;
  const audit = useAuditLog();
  // Targets are appliance ids; show the name while the appliance still exists.
  const fleet = useFleetList();
  const entries = useMemo(() => audit.data?.pages.flatMap((page) => page.entries) ?? [], [audit.data]);
  const names = useMemo(() => {
    const known = namesFromAudit(entries);
    for (const a of fleet.data ?? []) known.set(a.id, a.name);
    return known;
  }, [entries, fleet.data]);
  const columns = useMemo(() => auditColumns(translator, (id) => names.get(id)), [translator, names]);

  return (
    <Card title={t('audit.title')} size="small" data-testid="audit-log">
      {audit.isError && <QueryErrorAlert error={audit.error} onRetry={() => void audit.refetch()} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={entries}
        loading={audit.isPending}
        pagination={false}
        scroll={{ x: 960 }}
        locale={{ emptyText: t('audit.empty') }}
      />
      <Flex justify="center" style={{ marginTop: 12 }}>
        {audit.hasNextPage ? (
          <Button onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage} data-testid="audit-load-more">
            {t('audit.loadMore')}
          </Button>
        ) : (
          entries.length > 0 && <Typography.Text type="secondary">{t('audit.end')}</Typography.Text>
        )}
      </Flex>
    </Card>
  );
}
