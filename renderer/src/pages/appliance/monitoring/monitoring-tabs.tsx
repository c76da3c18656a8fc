import { Card, Tabs } from 'antd';
import { useState } from 'react';
import { useI18n } from '../../../i18n/i18n-context';
import { DiskTable } from './disk-table';
import { OverviewCharts } from './overview-charts';

/**
 * Charts and disks of one appliance, as tabs the Appliance page mounts. The inactive tab is not
 * rendered (its queries do not run until it is opened).
 */
export function MonitoringTabs({ applianceId }: { applianceId: string }) {
  const { t } = useI18n();
  const [tab, setTab] = useState('charts');
  return (
    <Card size="small" data-testid="monitoring-tabs">
      <Tabs
        activeKey={tab}
        onChange={setTab}
        destroyOnHidden
        items={[
          { key: 'charts', label: <span data-testid="tab-charts">{t('charts.tab')}</span>, children: <OverviewCharts applianceId={applianceId} /> },
          { key: 'disks', label: <span data-testid="tab-disks">{t('disks.tab')}</span>, children: <DiskTable applianceId={applianceId} /> },
        ]}
      />
    </Card>
  );
}
