import { Alert, Button, Modal, Progress, Space, Steps, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import type { EventPayload } from '../../../../main/contract/api.contract';
import { useApiClient } from '../../api/api-context';
import { useCancelProvision, useProvision } from '../../api/provision-hooks';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';

const STEPS = ['preflight', 'runtime', 'agent', 'config', 'service'] as const;
type StepId = (typeof STEPS)[number];
type ProvisionEvent = EventPayload<'provision.progress'>['event'];
type StepState = { status: 'wait' | 'running' | 'done' | 'unchanged' | 'failed' | 'cancelled'; durationMs?: number; bytes?: number; total?: number };

const initialSteps = (): Record<StepId, StepState> => ({ preflight: { status: 'wait' }, runtime: { status: 'wait' }, agent: { status: 'wait' }, config: { status: 'wait' }, service: { status: 'wait' } });

/**
 * Provisioning one appliance, live: each step's state as the console's events report it, bytes for
 * the uploads, and Cancel (the next run repairs what a cancelled one left). Starts when opened.
 */
export function ProvisionDialog({ appliance, onClose }: { appliance: Appliance; onClose(): void }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const client = useApiClient();
  const provision = useProvision();
  const cancel = useCancelProvision();
  const [steps, setSteps] = useState(initialSteps);
  const { mutate } = provision;

  useEffect(() => {
    const off = client.on('provision.progress', ({ applianceId, event }) => {
      if (applianceId !== appliance.id) return;
      setSteps((cur) => apply(cur, event));
    });
    mutate(appliance.id);
    return off;
  }, [client, appliance.id, mutate]);

  const run = provision.data;
  const failedStep = run ? STEPS.find((s) => steps[s].status === 'failed' || steps[s].status === 'cancelled') : undefined;
  const seconds = (ms: number) => (ms / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  const mb = (bytes: number) => (bytes / 1e6).toLocaleString(locale, { maximumFractionDigits: 1 });
  const again = () => {
    setSteps(initialSteps());
    provision.mutate(appliance.id);
  };

  return (
    <Modal
      open
      width={640}
      title={t('provision.title', { name: appliance.name })}
      onCancel={onClose}
      maskClosable={false}
      footer={[
        provision.isPending ? (
          <Button key="cancel" danger loading={cancel.isPending} onClick={() => cancel.mutate(appliance.id)} data-testid="provision-cancel">
            {cancel.isPending ? t('provision.cancelling') : t('provision.cancel')}
          </Button>
        ) : (
          <Button key="again" onClick={again} data-testid="provision-again">
            {t('provision.again')}
          </Button>
        ),
        <Button key="close" type="primary" onClick={onClose} disabled={provision.isPending} data-testid="provision-close">
          {t('connection.close')}
        </Button>,
      ]}
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="provision-dialog">
        {provision.isPending && <Typography.Text type="secondary">{t('provision.running')}</Typography.Text>}
        <Steps
          direction="vertical"
          size="small"
          items={STEPS.map((id) => {
            const s = steps[id];
            const detail =
              s.status === 'running' && s.total
                ? t('provision.bytes', { done: mb(s.bytes ?? 0), total: mb(s.total) })
                : s.status === 'wait' || s.status === 'running'
                  ? undefined
                  : `${t(`provision.status.${s.status}`)}${s.durationMs !== undefined ? ` · ${t('provision.seconds', { seconds: seconds(s.durationMs) })}` : ''}`;
            return {
              title: t(`provision.step.${id}`),
              status: s.status === 'running' ? 'process' : s.status === 'failed' || s.status === 'cancelled' ? 'error' : s.status === 'wait' ? 'wait' : 'finish',
              description: (
                <span data-testid={`provision-step-${id}`} data-status={s.status}>
                  {detail}
                  {s.status === 'running' && s.total ? <Progress percent={Math.floor(((s.bytes ?? 0) / s.total) * 100)} size="small" /> : null}
                </span>
              ),
            };
          })}
        />
        {provision.isError && <Alert type="error" showIcon title={describeError(translator, provision.error)} data-testid="provision-error" />}
        {run?.status === 'succeeded' && <Alert type="success" showIcon title={t('provision.succeeded', { seconds: seconds(run.durationMs) })} data-testid="provision-succeeded" />}
        {run?.status === 'cancelled' && <Alert type="warning" showIcon title={t('provision.cancelled')} data-testid="provision-cancelled" />}
        {run?.status === 'failed' && (
          <Alert
            type="error"
            showIcon
            data-testid="provision-failed"
            title={t('provision.failed', { step: failedStep ? t(`provision.step.${failedStep}`) : '—' })}
            description={<pre style={{ whiteSpace: 'pre-wrap', margin: 0, maxHeight: 200, overflow: 'auto' }}>{run.error ?? ''}</pre>}
          />
        )}
      </Space>
    </Modal>
  );
}

function apply(cur: Record<StepId, StepState>, e: ProvisionEvent): Record<StepId, StepState> {
  if (e.type === 'run-started' || e.type === 'run-finished') return cur;
  const id = e.stepId as StepId;
  if (!(id in cur)) return cur;
  if (e.type === 'step-started') return { ...cur, [id]: { status: 'running' } };
  if (e.type === 'step-progress') return { ...cur, [id]: { ...cur[id], status: 'running', bytes: e.bytes, total: e.total } };
  return { ...cur, [id]: { status: e.status, durationMs: e.durationMs } };
}
