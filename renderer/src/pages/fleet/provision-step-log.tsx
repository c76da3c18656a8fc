import { Progress, Steps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useApiClient } from '../../api/api-context';
import { useI18n } from '../../i18n/i18n-context';
import { applyProvisionEvent, emptyStepLog, stepLabel, type StepLog } from './provision-step-log-model';

export { applyProvisionEvent, emptyStepLog, stepLabel, stoppedStep } from './provision-step-log-model';
export type { ProvisionEvent, StepLog, StepState, StepStatus } from './provision-step-log-model';

/**
 * The run in progress on one appliance, from `provision.progress` events. `reset` clears it before
 * starting another run (the dialog's "Run again").
 */
export function useProvisionStepLog(applianceId: string): { log: StepLog; reset(): void } {
  const client = useApiClient();
  const [log, setLog] = useState(emptyStepLog);
  useEffect(
    () =>
      client.on('provision.progress', ({ applianceId: id, event }) => {
        if (id === applianceId) setLog((cur) => applyProvisionEvent(cur, event));
      }),
    [client, applianceId],
  );
  const reset = useCallback(() => setLog(emptyStepLog()), []);
  return { log, reset };
}

/** The steps of one run: state, duration, and bytes with a bar while an upload runs. */
export function ProvisionStepLog({ log }: { log: StepLog }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const seconds = (ms: number) => (ms / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  const mb = (bytes: number) => (bytes / 1e6).toLocaleString(locale, { maximumFractionDigits: 1 });
  return (
    <Steps
      direction="vertical"
      size="small"
      data-testid="provision-step-log"
      items={log.steps.map((s) => {
        const detail =
          s.status === 'running' && s.total
            ? t('provision.bytes', { done: mb(s.bytes ?? 0), total: mb(s.total) })
            : s.status === 'wait' || s.status === 'running'
              ? undefined
              : `${t(`provision.status.${s.status}`)}${s.durationMs !== undefined ? ` · ${t('provision.seconds', { seconds: seconds(s.durationMs) })}` : ''}`;
        return {
          key: s.id,
          title: stepLabel(translator, s),
          status: s.status === 'running' ? 'process' : s.status === 'failed' || s.status === 'cancelled' ? 'error' : s.status === 'wait' ? 'wait' : 'finish',
          description: (
            <span data-testid={`provision-step-${s.id}`} data-status={s.status}>
              {detail}
              {s.status === 'running' && s.total ? <Progress percent={Math.floor(((s.bytes ?? 0) / s.total) * 100)} size="small" /> : null}
            </span>
          ),
        };
      })}
    />
  );
}
