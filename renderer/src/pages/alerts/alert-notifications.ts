import type { AlertsChanged } from '../../../../main/contract/alerts.contract';
import type { TypedClient } from '../../../../main/contract/transport';
import { alertDetail } from '../../i18n/alert-detail';
import type { Translator } from '../../i18n/translate';

type Brief = AlertsChanged['newlyFiring'][number];

/** More than this many new alerts in one round (a site losing power) become one summary notification. */
const MAX_INDIVIDUAL = 3;

export interface ShownNotification {
  title: string;
  body: string;
  /** Critical: stays until a person dismisses it. */
  urgent: boolean;
}

/** The texts of one notification: severity and rule, then where and what was measured (with units). */
export function notificationFor(tr: Translator, a: Brief): ShownNotification {
  const rule = tr.lookup(`alerts.rule.${a.ruleId}`) ?? a.ruleId;
  const detail = alertDetail(tr, a);
  return {
    title: `${tr.t(`alerts.severity.${a.severity}`)} · ${rule}`,
    body: [a.applianceName, a.subject].filter(Boolean).join(' · ') + (detail ? ` — ${detail}` : ''),
    urgent: a.severity === 'critical',
  };
}

/**
 * OS notifications for alerts that start firing and are not silenced, worded by the UI in the
 * reader's language from the alert's rule and codes (the engine decides what is new and what is
 * silenced). The renderer shows them — Electron turns the page's Notification into the OS's, and a
 * browser on the headless host does the same once a person allowed it — so no service in main/
 * needs the UI's dictionaries.
 */
export function startAlertNotifications(deps: { client: Pick<TypedClient, 'on'>; translator: () => Translator; canShow: () => boolean; show: (n: ShownNotification) => void }): () => void {
  return deps.client.on('alerts.changed', (payload) => {
    if (!deps.canShow()) return;
    const fresh = payload.newlyFiring.filter((a) => !a.silenced);
    if (fresh.length === 0) return;
    const tr = deps.translator();
    if (fresh.length <= MAX_INDIVIDUAL) {
      for (const a of fresh) deps.show(notificationFor(tr, a));
      return;
    }
    deps.show({ title: tr.tp('alerts.notify.many', { count: fresh.length }), body: [...new Set(fresh.map((a) => a.applianceName))].join(', '), urgent: fresh.some((a) => a.severity === 'critical') });
  });
}

/** The Web Notification API, where the page may use it (Electron allows it for the app's own page). */
export const webNotifications = {
  canShow: (): boolean => typeof Notification !== 'undefined' && Notification.permission === 'granted',
  show: ({ title, body, urgent }: ShownNotification): void => {
    new Notification(title, { body, requireInteraction: urgent });
  },
  /** Whether a person could still allow them (a browser asks once; Electron has decided already). */
  canAsk: (): boolean => typeof Notification !== 'undefined' && Notification.permission === 'default',
  ask: (): Promise<NotificationPermission> => Notification.requestPermission(),
};
