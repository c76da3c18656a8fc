import type { ApplianceStatus } from '../../../../main/contract/status.contract';
import type { Locale } from '../../../../main/contract/system.contract';
import { formatLocalTime, formatRelativeTime, utcOffsetLabel } from '../../i18n/format';
import type { PlainMessageKey, Translate } from '../../i18n/translate';

export type ConnectivityState = ApplianceStatus['state'];

export const STATE_LABELS: Record<ConnectivityState, PlainMessageKey> = {
  online: 'status.online',
  degraded: 'status.degraded',
  offline: 'status.offline',
  unknown: 'status.unknown',
};

/** antd preset tag colours: the same four everywhere a state is shown. */
export const STATE_COLORS: Record<ConnectivityState, string> = { online: 'success', degraded: 'warning', offline: 'error', unknown: 'default' };

/** Sort order by state: working first, then worse; unknown (never checked) last. */
export const STATE_RANK: Record<ConnectivityState, number> = { online: 0, degraded: 1, offline: 2, unknown: 3 };

/** The native tooltip of a status: state since the exact local time, why, and when it was checked. */
export function statusTitle(t: Translate, status: ApplianceStatus): string {
  const lines = [t('status.tooltip', { state: t(STATE_LABELS[status.state]), time: formatLocalTime(status.since), zone: utcOffsetLabel(new Date(status.since)) })];
  if (status.reason) lines.push(t('status.reason', { reason: status.reason }));
  lines.push(t('status.checkedAt', { time: formatLocalTime(status.checkedAt) }));
  return lines.join('\n');
}

/** "since 3 minutes ago" (unknown has no meaningful since: it was never checked). */
export function sinceText(t: Translate, status: ApplianceStatus, nowMs: number, locale: Locale): string {
  return status.state === 'unknown' ? '' : t('status.since', { time: formatRelativeTime(status.since, nowMs, locale) });
}
