import { Alert, Flex, Typography } from 'antd';
import { useI18n } from '../../i18n/i18n-context';
import { ErasureCodingPlanner } from './erasure-coding-planner';

/** Storage: the erasure-coding planner now; Kodo management arrives with the storage service. */
export default function StoragePage() {
  const { t } = useI18n();
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('nav.storage')}
      </Typography.Title>
      <ErasureCodingPlanner />
      <Alert type="info" showIcon title={t('planner.rest')} data-testid="page-not-built" />
    </Flex>
  );
}
