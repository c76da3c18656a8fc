import { Alert, Button, Modal, Space, Typography } from 'antd';
import { useEffect, useMemo } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useCancelProvision, useProvisionAction, type ProvisionAction } from '../../api/provision-hooks';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { changedHostKey, HostKeyChanged } from './host-key-changed';
import { RunFailureDetail } from './run-failure';
import { ProvisionStepLog, stepLabel, stoppedStep, useProvisionStepLog } from './provision-step-log';

const TEXT = {
  provision: { title: 'provision.title', running: 'provision.running', succeeded: 'provision.succeeded', failed: 'provision.failed' },
  upgrade: { title: 'provision.upgradeTitle', running: 'provision.upgradeRunning', succeeded: 'provision.upgradeSucceeded', failed: 'provision.upgradeFailed' },
  uninstall: { title: 'provision.uninstallTitle', running: 'provision.uninstallRunning', succeeded: 'provision.uninstallSucceeded', failed: 'provision.uninstallFailed' },
} as const;

/**
 * One run on one appliance (install/repair, upgrade or uninstall), live: the steps the run
 * announced with their state, bytes for uploads, and Cancel (the next run repairs what a cancelled
 * one left). Starts when opened.
 */
export function ProvisionDialog({ appliance, action = { kind: 'provision' }, onClose }: { appliance: Appliance; action?: ProvisionAction; onClose(): void }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const run = useProvisionAction();
  const cancel = useCancelProvision();
  // Subscribed before the call below starts (effects run in order), so run-started is never missed.
  const { log, reset } = useProvisionStepLog(appliance.id);
  const { mutate } = run;
  const text = TEXT[action.kind];
  const kind = action.kind;
  const purge = action.kind === 'uninstall' && action.purge;
  // By value: a parent passing a fresh object each render must not start another run.
  const stableAction = useMemo<ProvisionAction>(() => (kind === 'uninstall' ? { kind, purge } : kind === 'upgrade' ? { kind } : { kind: 'provision' }), [kind, purge]);

  useEffect(() => {
    mutate({ id: appliance.id, action: stableAction });
  }, [mutate, appliance.id, stableAction]);

  const result = run.data;
  const changedKey = result ? changedHostKey(result.errorCode, result.errorParams) : null;
  const stopped = stoppedStep(log);
  const seconds = (ms: number) => (ms / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  const again = () => {
    reset();
    run.mutate({ id: appliance.id, action: stableAction });
  };

  return (
    <Modal
      open
      width={640}
      title={t(text.title, { name: appliance.name })}
      onCancel={onClose}
      maskClosable={false}
      footer={[
        run.isPending ? (
          <Button key="cancel" danger loading={cancel.isPending} onClick={() => cancel.mutate(appliance.id)} data-testid="provision-cancel">
            {cancel.isPending ? t('provision.cancelling') : t('provision.cancel')}
          </Button>
        ) : (
          <Button key="again" onClick={again} data-testid="provision-again">
            {t('provision.again')}
          </Button>
        ),
        <Button key="close" type="primary" onClick={onClose} disabled={run.isPending} data-testid="provision-close">
          {t('connection.close')}
        </Button>,
      ]}
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="provision-dialog" data-plan={log.plan ?? ''}>
        {run.isPending && <Typography.Text type="secondary">{t(text.running)}</Typography.Text>}
        <ProvisionStepLog log={log} />
        {run.isError && <Alert type="error" showIcon title={describeError(translator, run.error)} data-testid="provision-error" />}
        {result?.status === 'succeeded' && <Alert type="success" showIcon title={t(text.succeeded, { seconds: seconds(result.durationMs) })} data-testid="provision-succeeded" />}
        {result?.status === 'cancelled' && <Alert type="warning" showIcon title={t('provision.cancelled')} data-testid="provision-cancelled" />}
        {result?.status === 'failed' && (
          <Alert
            type="error"
            showIcon
            data-testid="provision-failed"
            data-code={result.errorCode ?? ''}
            title={t(text.failed, { step: stopped ? stepLabel(translator, stopped) : '—' })}
            description={<RunFailureDetail run={result} />}
          />
        )}
        {result?.status === 'failed' && changedKey && <HostKeyChanged applianceId={appliance.id} name={appliance.name} hostKey={changedKey} onTrusted={again} />}
      </Space>
    </Modal>
  );
}
