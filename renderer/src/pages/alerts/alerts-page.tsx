import { Button, Flex, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { ACTIVE_ALERT_STATES } from '../../../../main/contract/alerts.contract';
import { useAlertSummary } from '../../api/alerts-hooks';
import { useI18n } from '../../i18n/i18n-context';
import { webNotifications } from './alert-notifications';
import { AlertsTable } from './alerts-table';
import { RulesTab } from './rules-tab';
import { SilencesTab } from './silences-tab';

/** The alert centre: what is wrong now, what is silenced, the rules, and what happened. */
export default function AlertsPage() {
  const { t } = useI18n();
  const summary = useAlertSummary();
  const s = summary.data;
  // A browser on the headless host asks a person once; Electron has decided for its own page.
  const [canAsk, setCanAsk] = useState(webNotifications.canAsk);
  return (
    <Flex vertical gap={8}>
      <Flex align="baseline" gap={16} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('alerts.title')}
        </Typography.Title>
        {s && (
          <Typography.Text type="secondary" data-testid="alerts-summary">
            {t('alerts.summary', { critical: s.firing.critical, warning: s.firing.warning, acknowledged: s.acknowledged, pending: s.pending })}
          </Typography.Text>
        )}
        {canAsk && (
          <Button size="small" data-testid="alerts-allow-notifications" onClick={() => void webNotifications.ask().finally(() => setCanAsk(webNotifications.canAsk()))}>
            {t('alerts.notify.allow')}
          </Button>
        )}
      </Flex>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'active', label: <span data-testid="alerts-tab-active">{t('alerts.tab.active')}</span>, children: <AlertsTable states={ACTIVE_ALERT_STATES} history={false} /> },
          { key: 'silences', label: <span data-testid="alerts-tab-silences">{t('alerts.tab.silences')}</span>, children: <SilencesTab /> },
          { key: 'rules', label: <span data-testid="alerts-tab-rules">{t('alerts.tab.rules')}</span>, children: <RulesTab /> },
          { key: 'history', label: <span data-testid="alerts-tab-history">{t('alerts.tab.history')}</span>, children: <AlertsTable states={['resolved']} history /> },
        ]}
      />
    </Flex>
  );
}
