import { Alert, Flex, Typography } from 'antd';
import { useI18n } from '../../i18n/i18n-context';
import { ErasureCodingPlanner } from './erasure-coding-planner';
import { FleetCapacityCard } from './fleet-capacity-card';
import { WhatIfPanel } from './what-if-panel';

/**
 * Storage: fleet capacity (raw, usable, used, forecast, days until 80/90/100 %), the what-if panel
 * and the erasure-coding planner; Kodo management arrives with the storage service.
 */
export default function StoragePage() {
  const { t } = useI18n();
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('nav.storage')}
      </Typography.Title>
      <FleetCapacityCard />
      <WhatIfPanel />
      <ErasureCodingPlanner />
      <Alert type="info" showIcon title={t('planner.rest')} data-testid="page-not-built" />
    </Flex>
  );
}
