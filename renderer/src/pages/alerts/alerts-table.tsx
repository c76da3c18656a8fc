import { Button, Flex, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import type { Alert, AlertState } from '../../../../main/contract/alerts.contract';
import { useAlertList } from '../../api/alerts-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { formatLocalTime, utcOffsetLabel } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';
import { AcknowledgeDialog } from './acknowledge-dialog';
import { alertDetail, ruleTitle, SeverityTag } from './alert-labels';
import { SilenceDialog } from './silence-dialog';

const STATE_COLORS: Record<AlertState, string> = { pending: 'default', firing: 'red', acknowledged: 'blue', resolved: 'green' };
const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

function columns(translator: Translator, history: boolean, act: (a: Alert, what: 'ack' | 'silence') => void): ColumnsType<Alert> {
  const { t } = translator;
  const cols: ColumnsType<Alert> = [
    { key: 'severity', title: t('alerts.column.severity'), width: 100, render: (_, a) => <SeverityTag severity={a.severity} translator={translator} /> },
    {
      key: 'alert',
      title: t('alerts.column.alert'),
      render: (_, a) => (
        <Flex vertical>
          <span>
            <Typography.Text strong>{ruleTitle(translator, a.ruleId)}</Typography.Text>
            {a.subject && (
              <Typography.Text code style={{ marginInlineStart: 8 }}>
                {a.subject}
              </Typography.Text>
            )}
          </span>
          {/* Agent-reported text (reasons, service states) is shown as text, never as markup. */}
          <Typography.Text type="secondary">{alertDetail(translator, a)}</Typography.Text>
        </Flex>
      ),
    },
    { key: 'appliance', title: t('alerts.column.appliance'), dataIndex: 'applianceName', width: 160, ellipsis: true },
    {
      key: 'state',
      title: t('alerts.column.state'),
      width: 170,
      render: (_, a) => (
        <Space size={4} wrap>
          <Tooltip title={a.acknowledged ? `${t('alerts.ackedBy', { by: a.acknowledged.by })} · ${formatLocalTime(a.acknowledged.at)}${a.acknowledged.note ? ` · ${a.acknowledged.note}` : ''}` : undefined}>
            <Tag color={STATE_COLORS[a.state]} data-testid="alert-state">
              {t(`alerts.state.${a.state}`)}
            </Tag>
          </Tooltip>
          {a.silencedBy && <Tag data-testid="alert-silenced">{t('alerts.silenced')}</Tag>}
        </Space>
      ),
    },
    {
      key: 'since',
      title: <Tooltip title={utcOffsetLabel()}>{t('alerts.column.since')}</Tooltip>,
      width: 170,
      render: (_, a) => formatLocalTime(a.firedAt ?? a.startedAt),
    },
  ];
  if (history) {
    cols.push({
      key: 'resolved',
      title: <Tooltip title={utcOffsetLabel()}>{t('alerts.column.resolved')}</Tooltip>,
      width: 200,
      render: (_, a) =>
        a.resolvedAt ? (
          <Flex vertical>
            <span>{formatLocalTime(a.resolvedAt)}</span>
            {a.resolution && <Typography.Text type="secondary">{t(`alerts.resolution.${a.resolution}`)}</Typography.Text>}
          </Flex>
        ) : (
          '—'
        ),
    });
  } else {
    cols.push({
      key: 'actions',
      title: t('alerts.column.actions'),
      width: 190,
      render: (_, a) => (
        <Space>
          {a.state === 'firing' && (
            <Button size="small" type="primary" onClick={() => act(a, 'ack')} data-testid="alert-ack">
              {t('alerts.ack')}
            </Button>
          )}
          <Button size="small" onClick={() => act(a, 'silence')} data-testid="alert-silence">
            {t('alerts.silence')}
          </Button>
        </Space>
      ),
    });
  }
  return cols;
}

/**
 * Alerts in some states, a page at a time from the host (the history grows without bound). Active
 * alerts are shown worst first within what is loaded; history stays newest first.
 */
export function AlertsTable({ states, history }: { states: readonly AlertState[]; history: boolean }) {
  const translator = useI18n();
  const { t } = translator;
  const list = useAlertList(states);
  const [dialog, setDialog] = useState<{ alert: Alert; what: 'ack' | 'silence' } | null>(null);
  const rows = useMemo(() => {
    const all = list.data?.pages.flatMap((p) => p.alerts) ?? [];
    return history ? all : [...all].sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] || (y.firedAt ?? y.startedAt).localeCompare(x.firedAt ?? x.startedAt));
  }, [list.data, history]);
  const cols = useMemo(() => columns(translator, history, (alert, what) => setDialog({ alert, what })), [translator, history]);

  return (
    <>
      {list.isError && <QueryErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      <Table<Alert>
        rowKey="id"
        size="small"
        columns={cols}
        dataSource={rows}
        loading={list.isPending}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={() => ({ 'data-testid': 'alert-row' }) as object}
        locale={{ emptyText: history ? t('alerts.empty.history') : t('alerts.empty.active') }}
      />
      {list.hasNextPage && (
        <Flex justify="center" style={{ marginTop: 12 }}>
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('alerts.loadMore')}
          </Button>
        </Flex>
      )}
      {dialog?.what === 'ack' && <AcknowledgeDialog alert={dialog.alert} onClose={() => setDialog(null)} />}
      {dialog?.what === 'silence' && <SilenceDialog alert={dialog.alert} onClose={() => setDialog(null)} />}
    </>
  );
}
