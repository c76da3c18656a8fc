import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled } from '@ant-design/icons';
import { Table, Typography } from 'antd';
import type { HTMLAttributes } from 'react';
import type { PreflightRowOutput } from '../../../../../main/contract/provision.contract';
import { formatCapacity, formatMemory } from '../../../i18n/format';
import { useI18n } from '../../../i18n/i18n-context';
import type { Translator } from '../../../i18n/translate';

/** A row's text in the viewer's language: its key with params, else the console's English. */
function say(translator: Translator, s: { key: string; params: Record<string, string | number>; text: string } | undefined): string | null {
  return s ? (translator.lookup(s.key, s.params) ?? s.text) : null;
}

export function rowLabel(translator: Translator, row: PreflightRowOutput): string {
  return translator.lookup(row.label, row.labelParams) ?? row.id;
}

function rowValue(translator: Translator, row: PreflightRowOutput): string | null {
  const { t, locale } = translator;
  const v = row.value;
  if (v === null) return row.detail ? null : t('preflight.value.none');
  if (typeof v === 'number') {
    // Memory in binary units as `free -h` says it; free space is storage capacity (decimal).
    if (row.unit === 'bytes') return row.id === 'memory' ? formatMemory(v, locale) : formatCapacity(v, locale);
    if (row.unit === 'seconds') return t('preflight.value.seconds', { seconds: v });
    return v.toLocaleString(locale);
  }
  // Words the machine reports (sudo, init) have translations; names and versions stay as they are.
  return translator.lookup(`preflight.value.${row.id}.${v}`) ?? v;
}

const ICONS = {
  ok: <CheckCircleFilled style={{ color: '#52c41a' }} />,
  warning: <ExclamationCircleFilled style={{ color: '#faad14' }} />,
  fail: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
};

/** The preflight report: status icon, what was looked at, what was found, and what to do. */
export function PreflightTable({ rows }: { rows: readonly PreflightRowOutput[] }) {
  const translator = useI18n();
  const { t } = translator;
  return (
    <Table<PreflightRowOutput>
      data-testid="wizard-preflight-table"
      size="small"
      rowKey="id"
      pagination={false}
      scroll={{ y: 360 }}
      dataSource={rows as PreflightRowOutput[]}
      onRow={(row) => ({ 'data-testid': `preflight-row-${row.id}`, 'data-status': row.status }) as HTMLAttributes<HTMLElement>}
      columns={[
        {
          key: 'item',
          title: t('wizard.preflight.col.item'),
          width: '32%',
          render: (_, row) => (
            <span>
              <span role="img" aria-label={t(`preflight.status.${row.status}`)} title={t(`preflight.status.${row.status}`)} style={{ marginInlineEnd: 8 }}>
                {ICONS[row.status]}
              </span>
              {rowLabel(translator, row)}
            </span>
          ),
        },
        {
          key: 'value',
          title: t('wizard.preflight.col.value'),
          width: '28%',
          render: (_, row) => {
            const value = rowValue(translator, row);
            const detail = say(translator, row.detail);
            return (
              <span>
                {value}
                {value && detail ? ' · ' : null}
                {detail && <Typography.Text type="secondary">{detail}</Typography.Text>}
              </span>
            );
          },
        },
        {
          key: 'remedy',
          title: t('wizard.preflight.col.remedy'),
          render: (_, row) =>
            row.remedy ? (
              <Typography.Text type={row.status === 'fail' ? 'danger' : 'warning'} title={row.remedy.text} data-testid={`preflight-remedy-${row.id}`}>
                {say(translator, row.remedy)}
              </Typography.Text>
            ) : null,
        },
      ]}
    />
  );
}
