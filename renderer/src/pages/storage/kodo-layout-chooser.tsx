import { Alert, Button, Flex, Modal, Table, Tag, Typography, message } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { KodoLayoutOption, KodoStatusView } from '../../../../main/contract/kodo.contract';
import { useKodoChange } from '../../api/kodo-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatPercent, formatRate } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { ninesText, ratioText } from './kodo-figures';

/**
 * Before Kodo is initialized: every k+m split of the data disks, with its redundancy, what it
 * survives, usable capacity and the planner's durability; the planner's pick preselected. Choosing
 * asks for a confirmation that says the layout is for good.
 */
export function KodoLayoutChooser(p: { applianceId: string; status: KodoStatusView }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const options = p.status.layoutOptions;
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = options.find((o) => `${o.k}+${o.m}` === chosen) ?? options.find((o) => o.recommended) ?? null;
  const init = useKodoChange(p.applianceId, 'kodo.init');
  const basis = p.status.plannerBasis;

  const columns: ColumnsType<KodoLayoutOption> = [
    {
      key: 'layout',
      title: t('kodo.init.col.layout'),
      render: (_, o) => (
        <Flex gap={6}>
          <Typography.Text strong>{`${o.k}+${o.m}`}</Typography.Text>
          {o.recommended && <Tag color="blue">{t('kodo.init.recommended')}</Tag>}
        </Flex>
      ),
    },
    { key: 'ratio', title: t('kodo.init.col.redundancy'), render: (_, o) => ratioText(o.redundancyRatio, locale) },
    { key: 'survives', title: t('kodo.init.col.survives'), render: (_, o) => t('kodo.init.survives', { count: o.m }) },
    { key: 'usable', title: t('kodo.init.col.usable'), render: (_, o) => formatCapacity(o.usableBytes, locale) },
    {
      key: 'durability',
      title: t('kodo.init.col.durability'),
      render: (_, o) => (
        <Flex gap={6}>
          {ninesText(t, o.durabilityNines, locale)}
          {!o.meetsTarget && <Tag color="orange">{t('kodo.init.belowTarget')}</Tag>}
        </Flex>
      ),
    },
  ];

  const confirm = (o: KodoLayoutOption) => {
    const layout = `${o.k}+${o.m}`;
    Modal.confirm({
      title: t('kodo.init.confirmTitle', { layout }),
      content: t('kodo.init.confirmBody', { k: o.k, m: o.m }),
      okText: t('kodo.init.confirmOk'),
      cancelText: t('kodo.cancel'),
      okButtonProps: { danger: true, 'data-testid': 'kodo-init-confirm' } as never,
      onOk: () =>
        init.mutateAsync({ layout: { k: o.k, m: o.m } }).then(
          () => void message.success(t('kodo.init.done', { layout })),
          (err: unknown) => void message.error(describeError(translator, err)),
        ),
    });
  };

  return (
    <Flex vertical gap={12} data-testid="kodo-layout-chooser">
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('kodo.init.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('kodo.init.help', { disks: p.status.dataDisks.length })}</Typography.Text>
      {options.length === 0 ? (
        <Alert type="info" showIcon title={t('kodo.init.noDisks', { disks: p.status.dataDisks.length })} />
      ) : (
        <>
          <Table<KodoLayoutOption>
            size="small"
            rowKey={(o) => `${o.k}+${o.m}`}
            columns={columns}
            dataSource={options}
            pagination={false}
            rowSelection={{ type: 'radio', selectedRowKeys: selected ? [`${selected.k}+${selected.m}`] : [], onChange: (keys) => setChosen(String(keys[0])) }}
            onRow={(o) => ({ 'data-testid': `kodo-layout-${o.k}+${o.m}` }) as React.HTMLAttributes<HTMLElement>}
          />
          {basis && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {basis.diskSizeAssumed && `${t('kodo.init.assumed', { size: formatCapacity(basis.diskSizeBytes, locale) })} `}
              {t('kodo.init.basis', {
                size: formatCapacity(basis.diskSizeBytes, locale),
                afr: formatPercent(basis.annualFailureRate * 100, locale),
                rate: formatRate(basis.rebuildBytesPerSecond, locale),
                target: basis.targetNines,
              })}
            </Typography.Text>
          )}
          <div>
            <Button type="primary" disabled={!selected} loading={init.isPending} onClick={() => selected && confirm(selected)} data-testid="kodo-init">
              {t('kodo.init.button', { layout: selected ? `${selected.k}+${selected.m}` : '' })}
            </Button>
          </div>
        </>
      )}
    </Flex>
  );
}
