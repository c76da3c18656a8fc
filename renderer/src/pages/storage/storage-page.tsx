import { Flex, Typography } from 'antd';
import { useI18n } from '../../i18n/i18n-context';
import { ErasureCodingPlanner } from './erasure-coding-planner';
import { FleetCapacityCard } from './fleet-capacity-card';
import { KodoSection } from './kodo-section';
import { WhatIfPanel } from './what-if-panel';

/**
 * Storage: fleet capacity (raw, usable, used, forecast, days until 80/90/100 %), the what-if panel,
 * the erasure-coding planner, and Kodo, the object store, per storage appliance.
 */
export default function StoragePage() {
  const { t } = useI18n();
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('nav.storage')}
      </Typography.Title>
      <FleetCapacityCard />
      <KodoSection />
      <WhatIfPanel />
      <ErasureCodingPlanner />
    </Flex>
  );
}
