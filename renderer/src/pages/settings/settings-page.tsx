import { Flex, Typography } from 'antd';
import { useI18n } from '../../i18n/i18n-context';
import { AuditLogCard } from './audit-log-card';
import { PreferencesCard } from './preferences-card';
import { RetentionCard } from './retention-card';
import { SystemInfoCard } from './system-info-card';

export default function SettingsPage() {
  const { t } = useI18n();
  return (
    <Flex vertical gap={16} data-testid="settings-page">
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('settings.title')}
      </Typography.Title>
      <PreferencesCard />
      <RetentionCard />
      <SystemInfoCard />
      <AuditLogCard />
    </Flex>
  );
}
