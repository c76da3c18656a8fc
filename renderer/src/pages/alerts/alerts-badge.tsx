import { Badge } from 'antd';
import { useEffect, useRef } from 'react';
import { useAlertsLiveUpdates, useAlertSummary } from '../../api/alerts-hooks';
import { useApiClient } from '../../api/api-context';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';
import { startAlertNotifications, webNotifications } from './alert-notifications';

/** OS notifications for newly firing alerts, in the language the UI shows now. */
function useAlertNotifications(translator: Translator): void {
  const client = useApiClient();
  const current = useRef(translator);
  current.current = translator;
  useEffect(() => startAlertNotifications({ client, translator: () => current.current, ...webNotifications }), [client]);
}

/**
 * The count of firing alerts nobody has acknowledged (silenced ones excluded: someone set them
 * aside on purpose), beside the Alerts navigation entry. It is always mounted, so it also keeps
 * every alert query in step with `alerts.changed` events and shows new ones as OS notifications.
 */
export function AlertsBadge() {
  const translator = useI18n();
  const { tp } = translator;
  useAlertsLiveUpdates();
  useAlertNotifications(translator);
  const summary = useAlertSummary();
  const count = summary.data?.unacknowledged ?? 0;
  if (count === 0) return null;
  return (
    <Badge
      count={count}
      overflowCount={99}
      size="small"
      style={{ marginInlineStart: 8 }}
      title={tp('alerts.badgeHint', { count })}
      data-testid="alerts-badge"
    />
  );
}
