import type { Alert } from '../../../main/contract/alerts.contract';
import { readCoded, readCodedList } from '../../../main/contract/alert-params';
import { reasonText } from './reason-text';
import type { Translator } from './translate';

/**
 * An alert's detail sentence in the reader's language, for the alert centre and the desktop
 * notification alike: the rule's text (`alerts.detail.<rule>`) filled with the alert's values,
 * after its coded parts are worded — the offline reason (`reason.code`, main/contract/alert-params.ts),
 * each disk-health reason (`reasons.<i>.code`) and the enum words (verdict, agent health, service
 * state). An alert stored before the codes existed keeps the English the host gave it.
 */
export function alertDetail(translator: Translator, alert: Pick<Alert, 'ruleId' | 'params'>): string {
  const { lookup, t } = translator;
  const p: Record<string, string | number> = { ...alert.params };
  const reason = readCoded(alert.params, 'reason');
  if (reason) p.reason = reasonText(translator, reason.code, reason.params, typeof p.reason === 'string' ? p.reason : null) ?? reason.code;
  const reasons = readCodedList(alert.params, 'reasons');
  if (reasons.length > 0) p.reasons = reasons.map((r) => lookup(`disks.reason.${r.code}`, r.params) ?? r.code).join(t('common.listSeparator'));
  if (typeof p.verdict === 'string') p.verdict = lookup(`disks.verdict.${p.verdict}`) ?? p.verdict;
  if (typeof p.health === 'string') p.health = lookup(`alerts.health.${p.health}`) ?? p.health;
  if (typeof p.state === 'string') p.state = lookup(`appliance.services.state.${p.state}`) ?? p.state;
  return lookup(`alerts.detail.${alert.ruleId}`, p) ?? '';
}
