import type { ApplianceStatus } from '../../../../main/contract/status.contract';
import type { Locale } from '../../../../main/contract/settings.contract';
import { formatLocalTime, formatRelativeTime, utcOffsetLabel } from '../../i18n/format';
import { reasonText } from '../../i18n/reason-text';
import type { PlainMessageKey, Translate, Translator } from '../../i18n/translate';

// Where every status reason is worded (re-exported: pages and the audit log read it from here).
export { reasonText };

export type ConnectivityState = ApplianceStatus['state'];

export const STATE_LABELS: Record<ConnectivityState, PlainMessageKey> = {
  online: 'status.online',
  degraded: 'status.degraded',
  offline: 'status.offline',
  unknown: 'status.unknown',
  'not-provisioned': 'status.not-provisioned',
};

/** antd preset tag colours: the same ones everywhere a state is shown (not provisioned is no alarm: neutral). */
export const STATE_COLORS: Record<ConnectivityState, string> = { online: 'success', degraded: 'warning', offline: 'error', unknown: 'default', 'not-provisioned': 'default' };

/** Sort order by state: working first, then worse; not provisioned, then unknown (never checked) last. */
export const STATE_RANK: Record<ConnectivityState, number> = { online: 0, degraded: 1, offline: 2, 'not-provisioned': 3, unknown: 4 };

/** The native tooltip of a status: state since the exact local time, why, and when it was checked. */
export function statusTitle(translator: Translator, status: ApplianceStatus): string {
  const { t } = translator;
  const lines = [t('status.tooltip', { state: t(STATE_LABELS[status.state]), time: formatLocalTime(status.since), zone: utcOffsetLabel(new Date(status.since)) })];
  const reason = reasonText(translator, status.reasonCode, status.reasonParams, status.reason);
  if (reason) lines.push(t('status.reason', { reason }));
  lines.push(t('status.checkedAt', { time: formatLocalTime(status.checkedAt) }));
  return lines.join('\n');
}

/** "since 3 minutes ago" (unknown has no meaningful since: it was never checked). */
export function sinceText(t: Translate, status: ApplianceStatus, nowMs: number, locale: Locale, style: Intl.RelativeTimeFormatStyle = 'long'): string {
  return status.state === 'unknown' ? '' : t('status.since', { time: formatRelativeTime(status.since, nowMs, locale, style) });
}
