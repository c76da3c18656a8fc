import { Tag } from 'antd';
import type { AlertSeverity, ThresholdUnit } from '../../../../main/contract/alerts.contract';
import type { Translator } from '../../i18n/translate';

/** A rule's title; a rule added by a newer host without a translation shows its id. */
export function ruleTitle(translator: Translator, ruleId: string): string {
  return translator.lookup(`alerts.rule.${ruleId}`) ?? ruleId;
}

export { alertDetail } from '../../i18n/alert-detail';

export function formatValue(translator: Translator, unit: ThresholdUnit, value: number): string {
  return translator.t(`alerts.unit.${unit}`, { n: value });
}

/** 0 → "at once", 90 → "90 s", 600 → "10 min", 7200 → "2 h": durations as people say them. */
export function formatDuration(translator: Translator, seconds: number): string {
  const { t } = translator;
  if (seconds === 0) return t('alerts.duration.immediate');
  if (seconds % 3600 === 0) return t('alerts.duration.hours', { value: seconds / 3600 });
  if (seconds % 60 === 0) return t('alerts.duration.minutes', { value: seconds / 60 });
  return t('alerts.duration.seconds', { value: seconds });
}

export function SeverityTag({ severity, translator }: { severity: AlertSeverity; translator: Translator }) {
  return (
    <Tag color={severity === 'critical' ? 'error' : 'warning'} data-testid={`severity-${severity}`}>
      {translator.t(`alerts.severity.${severity}`)}
    </Tag>
  );
}
