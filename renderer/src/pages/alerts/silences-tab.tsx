import { Button, Flex, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import type { Silence } from '../../../../main/contract/alerts.contract';
import { useAlertSilences, useUnsilence } from '../../api/alerts-hooks';
import { useFleetList } from '../../api/fleet-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { formatLocalTime, utcOffsetLabel } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { ruleTitle } from './alert-labels';

/** Silences in force (and, on request, the recent ended ones), with who made them and why. */
export function SilencesTab() {
  const translator = useI18n();
  const { t } = translator;
  const [includeEnded, setIncludeEnded] = useState(false);
  const silences = useAlertSilences(includeEnded);
  const fleet = useFleetList();
  const unsilence = useUnsilence();
  const names = useMemo(() => new Map((fleet.data ?? []).map((a) => [a.id, a.name])), [fleet.data]);

  const columns: ColumnsType<Silence> = [
    {
      key: 'match',
      title: t('alerts.silences.column.match'),
      render: (_, s) => (
        <Space size={4} wrap>
          {s.match.ruleId && <Tag>{t('alerts.match.rule', { rule: ruleTitle(translator, s.match.ruleId) })}</Tag>}
          {s.match.applianceId && <Tag>{t('alerts.match.appliance', { appliance: names.get(s.match.applianceId) ?? s.match.applianceId })}</Tag>}
          {s.match.subject && <Tag>{t('alerts.match.subject', { subject: s.match.subject })}</Tag>}
        </Space>
      ),
    },
    { key: 'reason', title: t('alerts.silences.column.reason'), dataIndex: 'reason', ellipsis: true },
    { key: 'createdBy', title: t('alerts.silences.column.createdBy'), dataIndex: 'createdBy', width: 180, ellipsis: true },
    { key: 'ends', title: <Tooltip title={utcOffsetLabel()}>{t('alerts.silences.column.ends')}</Tooltip>, width: 170, render: (_, s) => formatLocalTime(s.endsAt) },
    {
      key: 'status',
      title: t('alerts.silences.column.status'),
      width: 200,
      render: (_, s) =>
        s.active ? (
          <Flex gap={8} align="center">
            <Tag color="processing">{t('alerts.silences.active')}</Tag>
            <Button size="small" danger loading={unsilence.isPending && unsilence.variables?.id === s.id} onClick={() => unsilence.mutate({ id: s.id })} data-testid="silence-lift">
              {t('alerts.silences.lift')}
            </Button>
          </Flex>
        ) : (
          <Tag>{s.liftedBy ? t('alerts.silences.lifted', { by: s.liftedBy }) : t('alerts.silences.ended')}</Tag>
        ),
    },
  ];

  return (
    <Flex vertical gap={12}>
      <Space>
        <Switch checked={includeEnded} onChange={setIncludeEnded} size="small" />
        <Typography.Text>{t('alerts.silences.showEnded')}</Typography.Text>
      </Space>
      {silences.isError && <QueryErrorAlert error={silences.error} onRetry={() => void silences.refetch()} />}
      <Table<Silence>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={silences.data?.silences ?? []}
        loading={silences.isPending}
        pagination={false}
        onRow={() => ({ 'data-testid': 'silence-row' }) as object}
        locale={{ emptyText: t('alerts.empty.silences') }}
      />
    </Flex>
  );
}
