import { Alert, Card, Flex, Form, InputNumber, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useDeferredValue, useState } from 'react';
import type { EcLayout, EcPlanInput } from '../../../../main/contract/planning.contract';
import { ecPlanInput } from '../../../../main/contract/planning.contract';
import { useEcLayouts } from '../../api/planning-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { PlainMessageKey } from '../../i18n/translate';

/** A typical private-cloud box: 12 × 8 TB, a fleet-wide failure rate, a conservative rebuild speed. */
const DEFAULTS: EcPlanInput = { disks: 12, diskSizeTB: 8, annualFailureRatePercent: 1.5, rebuildMBps: 100, reservePercent: 10, targetNines: 11 };

const FIELDS: { name: keyof EcPlanInput; label: PlainMessageKey; min: number; max: number; step: number }[] = [
  { name: 'disks', label: 'planner.disks', min: 2, max: 256, step: 1 },
  { name: 'diskSizeTB', label: 'planner.diskSize', min: 0.01, max: 100, step: 1 },
  { name: 'annualFailureRatePercent', label: 'planner.afr', min: 0.01, max: 50, step: 0.5 },
  { name: 'rebuildMBps', label: 'planner.rebuild', min: 1, max: 10_000, step: 10 },
  { name: 'reservePercent', label: 'planner.reserve', min: 0, max: 50, step: 5 },
  { name: 'targetNines', label: 'planner.target', min: 1, max: 20, step: 1 },
];

/**
 * The planner of issue 4: change the inputs and the layouts re-rank at once, each with its cost,
 * what it survives, its rebuild time and its estimated durability, and the model in words.
 */
export function ErasureCodingPlanner() {
  const translator = useI18n();
  const { t, tp, locale } = translator;
  const [values, setValues] = useState<EcPlanInput>(DEFAULTS);
  const deferred = useDeferredValue(values);
  const valid = ecPlanInput.safeParse(deferred);
  const layouts = useEcLayouts(valid.success ? valid.data : null);
  const number = (n: number, digits: number) => n.toLocaleString(locale, { maximumFractionDigits: digits });

  const columns: ColumnsType<EcLayout> = [
    { key: 'layout', title: t('planner.col.layout'), render: (_, l) => <Typography.Text strong>{`${l.k}+${l.m}`}</Typography.Text> },
    { key: 'ratio', title: t('planner.col.ratio'), render: (_, l) => number(l.redundancyRatio, 2) },
    { key: 'usable', title: t('planner.col.usable'), render: (_, l) => formatCapacity(l.usableBytes, locale) },
    { key: 'survives', title: t('planner.col.survives'), render: (_, l) => tp('planner.survivesValue', { count: l.toleratesFailures }) },
    { key: 'rebuild', title: t('planner.col.rebuild'), render: (_, l) => t('planner.rebuildValue', { hours: number(l.rebuildHours, 1) }) },
    { key: 'durability', title: t('planner.col.durability'), render: (_, l) => t('planner.ninesValue', { nines: number(l.durabilityNines, 1) }) },
    {
      key: 'verdict',
      title: t('planner.col.verdict'),
      render: (_, l) => <Tag color={l.meetsTarget ? 'green' : 'red'}>{t(l.meetsTarget ? 'planner.meets' : 'planner.misses')}</Tag>,
    },
  ];

  return (
    <Card title={t('planner.title')} data-testid="ec-planner">
      <Flex vertical gap={16}>
        <Typography.Text type="secondary">{t('planner.intro')}</Typography.Text>
        <Form layout="inline" style={{ rowGap: 8 }}>
          {FIELDS.map((f) => (
            <Form.Item key={f.name} label={t(f.label)}>
              <InputNumber
                min={f.min}
                max={f.max}
                step={f.step}
                value={values[f.name]}
                onChange={(v) => v !== null && setValues((cur) => ({ ...cur, [f.name]: v }))}
                data-testid={`planner-${f.name}`}
              />
            </Form.Item>
          ))}
        </Form>
        {layouts.isError && <Alert type="error" showIcon title={describeError(translator, layouts.error)} />}
        <Table<EcLayout>
          size="small"
          rowKey={(l) => `${l.k}+${l.m}`}
          columns={columns}
          dataSource={layouts.data?.layouts ?? []}
          loading={layouts.isFetching && !layouts.data}
          pagination={false}
          onRow={() => ({ 'data-testid': 'planner-row' }) as React.HTMLAttributes<HTMLElement>}
        />
        <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
          {t('planner.model')}
        </Typography.Paragraph>
      </Flex>
    </Card>
  );
}
