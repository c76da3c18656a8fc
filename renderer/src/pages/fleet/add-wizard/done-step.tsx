import { Alert, Button, Descriptions, Flex, Spin } from 'antd';
import { useEffect } from 'react';
import type { Appliance } from '../../../../../main/contract/fleet.contract';
import type { ProvisionRunResult } from '../../../../../main/contract/provision.contract';
import { useI18n } from '../../../i18n/i18n-context';
import { useCheckNow, useFocusWhen } from './wizard-hooks';
import { formatLogin } from '../../../../../main/contract/network-address';

interface DoneStepProps {
  appliance: Appliance;
  run: ProvisionRunResult;
  /** Preflight rows that were warnings when the install started (still worth fixing). */
  warnings: number;
  onOpen(): void;
  onAnother(): void;
  onClose(): void;
}

/** Step 5: what was installed (agent version as the agent itself reports it) and how long it took. */
export function DoneStep({ appliance, run, warnings, onOpen, onAnother, onClose }: DoneStepProps) {
  const { t, locale } = useI18n();
  const check = useCheckNow();
  const { mutate } = check;
  useEffect(() => {
    mutate(appliance.id);
  }, [appliance.id, mutate]);
  const openRef = useFocusWhen(true);
  const version = check.data?.agent?.version;

  return (
    <>
      <Alert type="success" showIcon title={t('wizard.done.title', { name: appliance.name })} data-testid="wizard-done" style={{ marginBottom: 16 }} />
      <Descriptions size="small" column={1} bordered data-testid="wizard-summary">
        <Descriptions.Item label={t('wizard.done.appliance')}>{`${appliance.name} · ${formatLogin(appliance.user, appliance.address, appliance.port)}`}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.done.agentVersion')}>
          <span data-testid="wizard-agent-version">{check.isPending ? <Spin size="small" /> : (version ?? t('wizard.done.versionPending'))}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('wizard.done.duration')}>
          {t('wizard.done.durationValue', { seconds: (run.durationMs / 1000).toLocaleString(locale, { maximumFractionDigits: 1 }) })}
        </Descriptions.Item>
        {warnings > 0 && <Descriptions.Item label={t('wizard.done.warnings')}>{warnings}</Descriptions.Item>}
      </Descriptions>
      <Flex justify="end" gap={8} style={{ marginTop: 16 }}>
        <Button onClick={onClose} data-testid="wizard-close">
          {t('wizard.close')}
        </Button>
        <Button onClick={onAnother} data-testid="wizard-add-another">
          {t('wizard.done.another')}
        </Button>
        <Button ref={openRef} type="primary" onClick={onOpen} data-testid="wizard-open">
          {t('wizard.done.open')}
        </Button>
      </Flex>
    </>
  );
}
