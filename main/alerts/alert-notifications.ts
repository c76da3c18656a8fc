import type { AlertsChanged } from '../contract/alerts.contract';
import type { Locale } from '../contract/settings.contract';
import type { EventBus } from '../core/event-bus';
// The UI's own dictionaries (plain data), so a notification reads like the alert centre in either language.
import { alertDetail } from '../../renderer/src/i18n/alert-detail';
import { createTranslator } from '../../renderer/src/i18n/translate';

type Brief = AlertsChanged['newlyFiring'][number];

/** More than this many new alerts in one round (a site losing power) become one summary notification. */
const MAX_INDIVIDUAL = 3;

export interface AlertNotifierDeps {
  events: EventBus;
  /** Electron's `Notification.isSupported()`; false on Linux without a notification daemon. */
  isSupported: () => boolean;
  show: (n: { title: string; body: string; urgent: boolean }) => void;
  /** The console's language setting, or the OS language when it follows the system. */
  locale: () => Promise<Locale>;
}

/** The texts of one notification: severity and rule, then where and what was measured (with units). */
export function notificationFor(locale: Locale, a: Brief): { title: string; body: string; urgent: boolean } {
  const tr = createTranslator(locale);
  const rule = tr.lookup(`alerts.rule.${a.ruleId}`) ?? a.ruleId;
  const detail = alertDetail(tr, a);
  return {
    title: `${tr.t(`alerts.severity.${a.severity}`)} · ${rule}`,
    body: [a.applianceName, a.subject].filter(Boolean).join(' · ') + (detail ? ` — ${detail}` : ''),
    urgent: a.severity === 'critical',
  };
}

/**
 * The desktop host's OS notification (wired in main/hosts/electron with Electron's Notification) for alerts that start firing and are not silenced. A thin
 * subscriber to the event bus: the engine decides what is new and what is silenced.
 */
export function startAlertNotifications(deps: AlertNotifierDeps): () => void {
  return deps.events.subscribe((event, payload) => {
    if (event !== 'alerts.changed' || !deps.isSupported()) return;
    const fresh = (payload as AlertsChanged).newlyFiring.filter((a) => !a.silenced);
    if (fresh.length === 0) return;
    void deps.locale().then((locale) => {
      if (fresh.length <= MAX_INDIVIDUAL) {
        for (const a of fresh) deps.show(notificationFor(locale, a));
        return;
      }
      const tr = createTranslator(locale);
      deps.show({ title: tr.tp('alerts.notify.many', { count: fresh.length }), body: [...new Set(fresh.map((a) => a.applianceName))].join(', '), urgent: fresh.some((a) => a.severity === 'critical') });
    });
  });
}
