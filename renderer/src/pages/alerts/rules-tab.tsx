import { Button, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { AlertRule } from '../../../../main/contract/alerts.contract';
import { useAlertRules, useResetAlertRule } from '../../api/alerts-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration, formatValue, ruleTitle, SeverityTag } from './alert-labels';
import { RuleDialog } from './rule-dialog';

/** The built-in rules with their current thresholds and durations; edit or put back the defaults. */
export function RulesTab() {
  const translator = useI18n();
  const { t } = translator;
  const rules = useAlertRules();
  const reset = useResetAlertRule();
  const [editing, setEditing] = useState<AlertRule | null>(null);

  const columns: ColumnsType<AlertRule> = [
    {
      key: 'rule',
      title: t('alerts.rules.column.rule'),
      render: (_, r) => (
        <Space>
          <Typography.Text strong={r.enabled} type={r.enabled ? undefined : 'secondary'}>
            {ruleTitle(translator, r.id)}
          </Typography.Text>
          {r.customised && <Tag color="blue">{t('alerts.rules.customised')}</Tag>}
        </Space>
      ),
    },
    {
      key: 'severity',
      title: t('alerts.rules.column.severity'),
      width: 120,
      render: (_, r) =>
        r.thresholds.length > 1 || r.id === 'disk-health-worse' || r.id === 'disk-temperature' ? t('alerts.rules.severityFromLevel') : <SeverityTag severity={r.severity} translator={translator} />,
    },
    {
      key: 'thresholds',
      title: t('alerts.rules.column.thresholds'),
      render: (_, r) =>
        r.thresholds.length === 0 ? (
          <Typography.Text type="secondary">{t('alerts.rules.none')}</Typography.Text>
        ) : (
          <Space size={4} wrap>
            {r.thresholds.map((x) => (
              <Tag key={x.key} color={x.severity === 'critical' ? 'error' : 'warning'}>
                {`≥ ${formatValue(translator, x.unit, x.value)}`}
              </Tag>
            ))}
          </Space>
        ),
    },
    { key: 'duration', title: t('alerts.rules.column.duration'), width: 130, render: (_, r) => formatDuration(translator, r.durationSeconds) },
    { key: 'enabled', title: t('alerts.rules.column.enabled'), width: 80, render: (_, r) => (r.enabled ? '✓' : '—') },
    {
      key: 'actions',
      title: t('alerts.column.actions'),
      width: 220,
      render: (_, r) => (
        <Space>
          <Button size="small" onClick={() => setEditing(r)} data-testid="rule-edit">
            {t('alerts.rules.edit')}
          </Button>
          <Button size="small" disabled={!r.customised} loading={reset.isPending && reset.variables?.id === r.id} onClick={() => reset.mutate({ id: r.id })} data-testid="rule-reset">
            {t('alerts.rules.reset')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <>
      {rules.isError && <QueryErrorAlert error={rules.error} onRetry={() => void rules.refetch()} />}
      <Table<AlertRule>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={rules.data?.rules ?? []}
        loading={rules.isPending}
        pagination={false}
        onRow={(r) => ({ 'data-testid': `rule-row-${r.id}` }) as object}
      />
      {editing && <RuleDialog rule={editing} onClose={() => setEditing(null)} />}
    </>
  );
}
