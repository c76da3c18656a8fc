import { Badge } from 'antd';
import { useAlertsLiveUpdates, useAlertSummary } from '../../api/alerts-hooks';
import { useI18n } from '../../i18n/i18n-context';

/**
 * The count of firing alerts nobody has acknowledged (silenced ones excluded: someone set them
 * aside on purpose), beside the Alerts navigation entry. It is always mounted, so it also keeps
 * every alert query in step with `alerts.changed` events.
 */
export function AlertsBadge() {
  const { tp } = useI18n();
  useAlertsLiveUpdates();
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
