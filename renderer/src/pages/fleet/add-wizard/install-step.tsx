import { Alert, Button, Flex, Typography } from 'antd';
import { useCallback, useEffect, useRef } from 'react';
import type { Appliance } from '../../../../../main/contract/fleet.contract';
import type { ProvisionRunResult } from '../../../../../main/contract/provision.contract';
import { useCancelProvision, useProvision } from '../../../api/provision-hooks';
import { describeError } from '../../../i18n/describe-error';
import { useI18n } from '../../../i18n/i18n-context';
import { ProvisionStepLog, stepLabel, stoppedStep, useProvisionStepLog } from '../provision-step-log';
import { RunFailureDetail } from '../run-failure';

export type InstallState = 'running' | 'failed' | 'succeeded';

interface InstallStepProps {
  appliance: Appliance;
  onState(state: InstallState): void;
  onDone(run: ProvisionRunResult): void;
  onBack(): void;
}

/**
 * Step 4: `provision.install` with its live step log (bytes of the uploads) and Cancel. It starts
 * when the step opens; success moves on to the summary, a failure or cancel stays here with the
 * machine's words, Run again and Back (to preflight).
 */
export function InstallStep({ appliance, onState, onDone, onBack }: InstallStepProps) {
  const translator = useI18n();
  const { t } = translator;
  const provision = useProvision();
  const cancel = useCancelProvision();
  const { log, reset } = useProvisionStepLog(appliance.id);
  const { mutate } = provision;

  // Callbacks through a ref: the run must start once per visit, not again when the parent re-renders.
  const callbacks = useRef({ onState, onDone });
  callbacks.current = { onState, onDone };
  const start = useCallback(() => {
    callbacks.current.onState('running');
    mutate(appliance.id, {
      onSuccess: (r) => {
        callbacks.current.onState(r.status === 'succeeded' ? 'succeeded' : 'failed');
        if (r.status === 'succeeded') callbacks.current.onDone(r);
      },
      onError: () => callbacks.current.onState('failed'),
    });
  }, [appliance.id, mutate]);

  // StrictMode runs effects twice in development: a second install must not start.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    start();
  }, [start]);

  const again = () => {
    reset();
    start();
  };
  const run = provision.data;
  const stopped = stoppedStep(log);

  return (
    <>
      {provision.isPending && <Typography.Paragraph type="secondary">{t('wizard.install.running')}</Typography.Paragraph>}
      <div data-testid="wizard-install-log">
        <ProvisionStepLog log={log} />
      </div>
      {provision.isError && <Alert type="error" showIcon title={describeError(translator, provision.error)} data-testid="wizard-install-error" />}
      {run?.status === 'cancelled' && <Alert type="warning" showIcon title={t('wizard.install.cancelled')} data-testid="wizard-install-cancelled" />}
      {run?.status === 'failed' && (
        <Alert
          type="error"
          showIcon
          data-testid="wizard-install-failed"
          title={t('wizard.install.failed', { step: stopped ? stepLabel(translator, stopped) : '—' })}
          description={<RunFailureDetail run={run} />}
        />
      )}
      <Flex justify="end" gap={8} style={{ marginTop: 16 }}>
        {provision.isPending ? (
          <Button danger loading={cancel.isPending} onClick={() => cancel.mutate(appliance.id)} data-testid="wizard-install-cancel">
            {cancel.isPending ? t('wizard.install.cancelling') : t('wizard.install.cancel')}
          </Button>
        ) : (
          <>
            <Button onClick={onBack} data-testid="wizard-back">
              {t('wizard.back')}
            </Button>
            <Button type="primary" onClick={again} data-testid="wizard-install-again">
              {t('wizard.install.again')}
            </Button>
          </>
        )}
      </Flex>
    </>
  );
}
