import { Alert, Card, Flex, Form, InputNumber, Select, Table, Typography } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import type { MethodInput } from '../../../../main/contract/api.contract';
import type { CapacityFigures } from '../../../../main/contract/capacity.contract';
import { useCapacityWhatIf, useFleetCapacity } from '../../api/capacity-hooks';
import { useEcLayouts } from '../../api/planning-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatPercent } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { etaText, explanationText } from './capacity-figures';

interface Inputs {
  scope: string; // 'fleet' or an appliance id
  count: number;
  sizeTB: number;
  layout: string | null; // 'k+m', null: keep the current one
  reservePercent: number;
  retentionDays: number | null;
}

const DEFAULTS: Inputs = { scope: 'fleet', count: 4, sizeTB: 8, layout: null, reservePercent: 10, retentionDays: null };

/**
 * What if: add N disks of S TB to each appliance in scope, change the erasure-coding layout or the
 * reserve, or put a retention period on the data — and see the figures before → after. The layout
 * choices are the planner's (planning.ecLayouts) for the disk count after adding.
 */
export function WhatIfPanel() {
  const tr = useI18n();
  const { t, locale } = tr;
  const fleet = useFleetCapacity();
  const [v, setV] = useState<Inputs>(DEFAULTS);
  const deferred = useDeferredValue(v);
  const appliances = fleet.data?.appliances ?? [];
  const inScope = deferred.scope === 'fleet' ? appliances : appliances.filter((a) => a.applianceId === deferred.scope);
  // A layout must fit the narrowest appliance in scope (a wider one is refused by the service anyway).
  const fewestDisks = Math.max(2, Math.min(...inScope.filter((a) => a.disks > 0).map((a) => a.disks + deferred.count), 256));
  const layouts = useEcLayouts({ disks: fewestDisks, diskSizeTB: Math.min(100, Math.max(0.01, deferred.sizeTB)), annualFailureRatePercent: 1.5, rebuildMBps: 100, reservePercent: deferred.reservePercent, targetNines: 11 });
  const input = useMemo<MethodInput<'capacity.whatIf'>>(() => {
    const [k, m] = deferred.layout ? deferred.layout.split('+').map(Number) : [];
    return {
      scope: deferred.scope === 'fleet' ? 'fleet' : { applianceId: deferred.scope },
      addDisks: { count: deferred.count, sizeBytes: deferred.sizeTB * 1e12 },
      ...(k && m ? { layout: { k, m } } : {}),
      reservePercent: deferred.reservePercent,
      ...(deferred.retentionDays ? { retentionDays: deferred.retentionDays } : {}),
    };
  }, [deferred]);
  const whatIf = useCapacityWhatIf(fleet.data ? input : null);
  const set = <K extends keyof Inputs>(key: K) => (value: Inputs[K] | null) => setV((cur) => ({ ...cur, [key]: value ?? DEFAULTS[key] }));

  const rows: { key: string; label: string; show: (f: CapacityFigures) => string }[] = [
    { key: 'disks', label: t('capacity.col.disks'), show: (f) => f.disks.toLocaleString(locale) },
    // The fleet has no one layout when each appliance uses its own (the table's 1+1, 3+1…): say so rather than "—".
    { key: 'layout', label: t('capacity.col.layout'), show: (f) => (f.layout ? `${f.layout.k}+${f.layout.m}` : f.layoutSource === 'none' ? '—' : t('capacity.layoutPerAppliance')) },
    { key: 'raw', label: t('capacity.raw'), show: (f) => formatCapacity(f.rawBytes, locale) },
    { key: 'usable', label: t('capacity.usable'), show: (f) => formatCapacity(f.usableBytes, locale) },
    { key: 'used', label: t('capacity.used'), show: (f) => `${formatCapacity(f.usedBytes, locale)}${f.usedPercent === null ? '' : ` · ${formatPercent(f.usedPercent, locale)}`}` },
    { key: 'until80', label: t('capacity.until80'), show: (f) => etaText(tr, f, f.forecast?.until80 ?? null) },
    { key: 'until90', label: t('capacity.until90'), show: (f) => etaText(tr, f, f.forecast?.until90 ?? null) },
    { key: 'untilFull', label: t('capacity.untilFull'), show: (f) => etaText(tr, f, f.forecast?.untilFull ?? null) },
  ];
  const r = whatIf.data;

  return (
    <Card title={t('capacity.whatIf.title')} data-testid="what-if">
      <Flex vertical gap={12}>
        <Form layout="inline" style={{ rowGap: 8 }}>
          <Form.Item label={t('capacity.whatIf.scope')}>
            <Select
              style={{ minWidth: 160 }}
              value={v.scope}
              onChange={set('scope')}
              options={[{ value: 'fleet', label: t('capacity.whatIf.wholeFleet') }, ...appliances.map((a) => ({ value: a.applianceId!, label: a.name! }))]}
              data-testid="what-if-scope"
            />
          </Form.Item>
          <Form.Item label={t('capacity.whatIf.addDisks')}>
            <InputNumber min={0} max={256} value={v.count} onChange={set('count')} data-testid="what-if-count" />
          </Form.Item>
          <Form.Item label={t('capacity.whatIf.diskSize')}>
            <InputNumber min={0.01} max={100} step={1} value={v.sizeTB} onChange={set('sizeTB')} data-testid="what-if-size" />
          </Form.Item>
          <Form.Item label={t('capacity.col.layout')}>
            <Select
              style={{ minWidth: 140 }}
              value={v.layout ?? ''}
              onChange={(x: string) => set('layout')(x || null)}
              options={[{ value: '', label: t('capacity.whatIf.keepLayout') }, ...(layouts.data?.layouts ?? []).map((l) => ({ value: `${l.k}+${l.m}`, label: `${l.k}+${l.m}` }))]}
              data-testid="what-if-layout"
            />
          </Form.Item>
          <Form.Item label={t('planner.reserve')}>
            <InputNumber min={0} max={50} value={v.reservePercent} onChange={set('reservePercent')} />
          </Form.Item>
          <Form.Item label={t('capacity.whatIf.retention')}>
            <InputNumber min={1} max={36_500} value={v.retentionDays} onChange={(x) => setV((cur) => ({ ...cur, retentionDays: x }))} placeholder={t('capacity.whatIf.noRetention')} data-testid="what-if-retention" />
          </Form.Item>
        </Form>
        {whatIf.isError && <Alert type="error" showIcon title={describeError(tr, whatIf.error)} />}
        {r && (
          <Table
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={rows}
            columns={[
              { key: 'label', title: '', render: (_, row) => <Typography.Text strong>{row.label}</Typography.Text> },
              { key: 'before', title: t('capacity.whatIf.before'), render: (_, row) => row.show(r.before) },
              { key: 'after', title: t('capacity.whatIf.after'), render: (_, row) => <span data-testid={`what-if-after-${row.key}`}>{row.show(r.after)}</span> },
            ]}
          />
        )}
        {r && (
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {r.after.model
              .filter((e) => ['add-disks', 'retention', 'retention-no-growth', 'layout-requested'].includes(e.code))
              .map((e) => (
                <li key={e.code}>
                  <Typography.Text type="secondary">{explanationText(tr, e, locale)}</Typography.Text>
                </li>
              ))}
          </ul>
        )}
      </Flex>
    </Card>
  );
}
